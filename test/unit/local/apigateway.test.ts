import { describe, expect, it } from '@jest/globals';
import {
  buildProxyEvent,
  isBinary,
  readProxyResult,
  type HttpRequest,
} from '../../../local/apigateway/event.ts';
import { matchResource, selectRoute } from '../../../local/apigateway/routes.ts';
import type { RouteDefinition } from '../../../local/template/model.ts';

const route = (resourcePath: string, httpMethod: string): RouteDefinition => ({
  resourcePath,
  httpMethod,
  integration: { type: 'AWS_PROXY', functionArn: `fn:${httpMethod}:${resourcePath}` },
  authorizationType: 'NONE',
  apiKeyRequired: false,
});

const routes = [
  route('/', 'GET'),
  route('/orders', 'POST'),
  route('/orders/{id}', 'GET'),
  route('/orders/{id}/cancel', 'POST'),
  route('/orders/special', 'GET'),
  route('/{proxy+}', 'ANY'),
  route('/files/{path+}', 'GET'),
];

const selected = (method: string, path: string) => {
  const result = selectRoute(routes, method, path);
  return result.kind === 'match'
    ? { resource: result.route.resourcePath, params: result.pathParameters }
    : 'missing';
};

describe('selectRoute', () => {
  it('matches literal paths and the root', () => {
    expect(selected('GET', '/')).toEqual({ resource: '/', params: {} });
    expect(selected('POST', '/orders')).toEqual({ resource: '/orders', params: {} });
  });

  it('extracts (decoded) path parameters', () => {
    expect(selected('GET', '/orders/a%20b')).toEqual({
      resource: '/orders/{id}',
      params: { id: 'a b' },
    });
    expect(selected('POST', '/orders/42/cancel')).toEqual({
      resource: '/orders/{id}/cancel',
      params: { id: '42' },
    });
  });

  it('prefers a literal segment over a path parameter, and both over a greedy variable', () => {
    expect(selected('GET', '/orders/special')).toEqual({ resource: '/orders/special', params: {} });
    expect(selected('GET', '/files/a/b.txt')).toEqual({
      resource: '/files/{path+}',
      params: { path: 'a/b.txt' },
    });
  });

  it('lets a greedy variable take every remaining segment, for any method via ANY', () => {
    expect(selected('DELETE', '/anything/at/all')).toEqual({
      resource: '/{proxy+}',
      params: { proxy: 'anything/at/all' },
    });
  });

  it('reports a resource without the method as missing when no ANY applies', () => {
    expect(selectRoute([route('/orders', 'POST')], 'GET', '/orders')).toEqual({ kind: 'missing' });
    expect(selectRoute([route('/orders', 'POST')], 'POST', '/nothing')).toEqual({
      kind: 'missing',
    });
  });

  it('ignores a trailing slash', () => {
    expect(matchResource('/orders/{id}', '/orders/7/')).toEqual({
      pathParameters: { id: '7' },
      rank: [0, 1],
    });
  });

  it('does not match a greedy variable with nothing after it', () => {
    expect(matchResource('/files/{path+}', '/files')).toBeUndefined();
  });
});

const request = (overrides: Partial<HttpRequest> = {}): HttpRequest => ({
  method: 'POST',
  path: '/orders/7',
  fullPath: '/orders/7',
  rawHeaders: [
    ['Content-Type', 'application/json'],
    ['X-Multi', 'one'],
    ['X-Multi', 'two'],
    ['User-Agent', 'test'],
  ],
  query: 'a=1&b=2&b=3',
  body: Buffer.from('{"x":1}'),
  sourceIp: '127.0.0.1',
  ...overrides,
});

const api = {
  restApiId: 'abc123',
  stageName: 'prod',
  accountId: '000000000000',
  resourcePath: '/orders/{id}',
  resourceId: 'r1',
  binaryMediaTypes: ['image/*'],
  pathParameters: { id: '7' },
  domainName: 'localhost:3000',
  now: new Date('2024-03-05T06:07:08Z'),
  requestId: 'req-1',
};

describe('buildProxyEvent', () => {
  it('builds the API Gateway v1 proxy event: last-value and multi-value headers and query strings', () => {
    const event = buildProxyEvent(request(), api);
    expect(event).toMatchObject({
      resource: '/orders/{id}',
      path: '/orders/7',
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Multi': 'two', 'User-Agent': 'test' },
      multiValueHeaders: { 'X-Multi': ['one', 'two'] },
      queryStringParameters: { a: '1', b: '3' },
      multiValueQueryStringParameters: { a: ['1'], b: ['2', '3'] },
      pathParameters: { id: '7' },
      stageVariables: null,
      body: '{"x":1}',
      isBase64Encoded: false,
    });
  });

  it('passes names of Object members through as ordinary names', () => {
    const event = buildProxyEvent(
      request({
        rawHeaders: [
          ['constructor', 'c'],
          ['__proto__', 'p'],
        ],
        query: 'constructor=1&toString=2&toString=3&__proto__=4',
      }),
      api,
    );
    expect(event.multiValueHeaders).toEqual({ constructor: ['c'], ['__proto__']: ['p'] });
    expect(Object.getOwnPropertyNames(event.headers)).toEqual(['constructor', '__proto__']);
    expect(event.queryStringParameters?.['__proto__']).toBe('4');
    expect(event.multiValueQueryStringParameters?.toString).toEqual(['2', '3']);
    const { queryStringParameters } = JSON.parse(JSON.stringify(event)) as typeof event;
    expect(queryStringParameters).toEqual({
      constructor: '1',
      toString: '3',
      ['__proto__']: '4',
    });
  });

  it('fills the request context with the stage, resource path, request id and time', () => {
    expect(buildProxyEvent(request(), api).requestContext).toMatchObject({
      accountId: '000000000000',
      apiId: 'abc123',
      stage: 'prod',
      path: '/prod/orders/7',
      resourcePath: '/orders/{id}',
      resourceId: 'r1',
      requestId: 'req-1',
      httpMethod: 'POST',
      requestTime: '05/Mar/2024:06:07:08 +0000',
      requestTimeEpoch: Date.parse('2024-03-05T06:07:08Z'),
      identity: { sourceIp: '127.0.0.1', userAgent: 'test' },
    });
  });

  it('uses null for absent query strings, path parameters and body', () => {
    const event = buildProxyEvent(request({ query: '', body: Buffer.alloc(0) }), {
      ...api,
      pathParameters: {},
    });
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.pathParameters).toBeNull();
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
  });

  it('base64-encodes bodies of binary media types', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const event = buildProxyEvent(
      request({ rawHeaders: [['content-type', 'image/png']], body: png }),
      api,
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(png);
  });
});

describe('isBinary', () => {
  it('matches exact types and wildcards, ignoring parameters', () => {
    expect(isBinary('image/png', ['image/*'])).toBe(true);
    expect(isBinary('application/octet-stream; x=y', ['application/octet-stream'])).toBe(true);
    expect(isBinary('text/plain', ['*/*'])).toBe(true);
    expect(isBinary('application/json', ['image/*'])).toBe(false);
    expect(isBinary(undefined, ['*/*'])).toBe(false);
  });
});

describe('readProxyResult', () => {
  it('passes status code, headers (single and multi-value) and body through', () => {
    const response = readProxyResult({
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: 'created',
    });
    expect(response).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] },
      body: Buffer.from('created'),
    });
  });

  it('decodes base64 bodies', () => {
    expect(
      readProxyResult({
        statusCode: 200,
        body: Buffer.from('hi').toString('base64'),
        isBase64Encoded: true,
      })?.body,
    ).toEqual(Buffer.from('hi'));
  });

  it('rejects malformed results (API Gateway answers 502 for them)', () => {
    expect(readProxyResult('just a string')).toBeUndefined();
    expect(readProxyResult(null)).toBeUndefined();
    expect(readProxyResult({ body: 'no status' })).toBeUndefined();
    expect(readProxyResult({ statusCode: 200, body: { not: 'a string' } })).toBeUndefined();
  });
});
