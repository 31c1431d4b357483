import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from '@jest/globals';
import {
  errorResponse,
  getHeader,
  HttpError,
  httpErrors,
  internalErrorResponse,
  isJsonContentType,
  jsonResponse,
  locationOf,
  MAX_BODY_BYTES,
  readJsonBody,
} from '../../../lambdas/shared/http.ts';

const jsonHeaders = { 'Content-Type': 'application/json' };

/** The HttpError a call throws (fails the test if it throws nothing or something else). */
function thrown(call: () => unknown): HttpError {
  try {
    call();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('jsonResponse', () => {
  it('serializes the body with a JSON content type and no caching', () => {
    expect(jsonResponse(200, { a: 1 }, { Location: '/x' })).toEqual({
      statusCode: 200,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        Location: '/x',
      },
      body: '{"a":1}',
    });
  });
});

describe('errorResponse', () => {
  it('answers the one error shape, with the error’s headers', () => {
    const response = errorResponse(httpErrors.methodNotAllowed('PUT', ['GET', 'POST']));
    expect(response.statusCode).toBe(405);
    expect(response.headers).toMatchObject({ Allow: 'GET, POST' });
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'METHOD_NOT_ALLOWED', message: 'Method PUT is not allowed here', details: [] },
    });
  });

  it('carries field details', () => {
    const response = errorResponse(httpErrors.validation([{ field: 'a', message: 'is required' }]));
    expect(JSON.parse(response.body)).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'The request is invalid',
        details: [{ field: 'a', message: 'is required' }],
      },
    });
  });
});

describe('locationOf', () => {
  const event = (
    resource: string,
    requested: string,
    pathParameters: Record<string, string> = {},
  ) => ({
    resource,
    pathParameters,
    requestContext: { path: requested } as APIGatewayProxyEvent['requestContext'],
  });

  it('keeps the stage the request came through, so the client can follow it', () => {
    expect(locationOf(event('/orders', '/dev/orders'), '/orders/o-1')).toBe('/dev/orders/o-1');
    expect(
      locationOf(
        event('/orders/{orderId}/cancel', '/prod/orders/o-1/cancel', { orderId: 'o-1' }),
        '/orders/o-1',
      ),
    ).toBe('/prod/orders/o-1');
  });

  it('keeps the base path of a custom domain, and adds nothing on a domain without one', () => {
    expect(
      locationOf(
        event('/inventory/{sku}', '/shop/inventory/A%3AB', { sku: 'A:B' }),
        '/inventory/A%3AB',
      ),
    ).toBe('/shop/inventory/A%3AB');
    expect(locationOf(event('/orders', '/orders'), '/orders/o-1')).toBe('/orders/o-1');
  });

  it('answers the path as it is when the requested path does not end with the route', () => {
    expect(
      locationOf(
        event('/orders/{orderId}', '/dev/orders/other', { orderId: 'o-1' }),
        '/orders/o-1',
      ),
    ).toBe('/orders/o-1');
    expect(
      locationOf(
        { resource: '/orders', pathParameters: null, requestContext: undefined as never },
        '/orders/o-1',
      ),
    ).toBe('/orders/o-1');
  });
});

describe('internalErrorResponse', () => {
  it('reveals nothing about the failure', () => {
    const response = internalErrorResponse();
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side', details: [] },
    });
  });
});

describe('getHeader', () => {
  it('finds a header whatever its case', () => {
    const event = { headers: { 'idempotency-KEY': 'k1' } };
    expect(getHeader(event, 'Idempotency-Key')).toBe('k1');
    expect(getHeader(event, 'x-other')).toBeUndefined();
  });

  it('copes with API Gateway’s null headers', () => {
    expect(getHeader({ headers: null as never }, 'a')).toBeUndefined();
  });
});

describe('isJsonContentType', () => {
  it('accepts application/json with or without a UTF-8 charset', () => {
    for (const value of [
      'application/json',
      'Application/JSON',
      'application/json; charset=utf-8',
      'application/json;charset=UTF-8',
      'application/json; charset="utf-8"',
    ])
      expect(isJsonContentType(value)).toBe(true);
  });

  it('rejects other media types and charsets', () => {
    for (const value of [
      undefined,
      '',
      'text/plain',
      'application/jsonp',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      'text/json',
    ])
      expect(isJsonContentType(value)).toBe(false);
  });
});

describe('readJsonBody', () => {
  it('parses a JSON body', () => {
    expect(
      readJsonBody({ headers: jsonHeaders, body: '{"a":[1,2]}', isBase64Encoded: false }),
    ).toEqual({ a: [1, 2] });
  });

  it('refuses a number the parse would round, rather than change a price', () => {
    const read = (body: string) => () =>
      readJsonBody({ headers: jsonHeaders, body, isBase64Encoded: false });
    for (const number of ['19.999999999999999999', '0.30000000000000001', '1e-400', '1e400']) {
      const error = thrown(read(`{"unitPrice":${number}}`));
      expect([number, error.statusCode, error.code]).toEqual([number, 400, 'MALFORMED_JSON']);
      expect(error.message).toContain(number);
    }
    expect(thrown(read('{"n":12345678901234567890}')).statusCode).toBe(400);
  });

  it('refuses text with a lone surrogate, in a value or a name, which UTF-8 cannot carry', () => {
    for (const body of ['{"sku":"SKU-\\ud800"}', '{"\\udc00":1}', '["ok","\\ud83d"]']) {
      const error = thrown(() =>
        readJsonBody({ headers: jsonHeaders, body, isBase64Encoded: false }),
      );
      expect([body, error.statusCode, error.code]).toEqual([body, 400, 'MALFORMED_JSON']);
    }
    // A pair is a character (😀).
    expect(
      readJsonBody({
        headers: jsonHeaders,
        body: '{"n":"\\ud83d\\ude00"}',
        isBase64Encoded: false,
      }),
    ).toEqual({ n: '😀' });
  });

  it('refuses characters SQS cannot carry, in a value or a name, naming the character', () => {
    // Request text travels on in events to the saga's queues, which would refuse them.
    const refused: [string, string][] = [
      ['{"sku":"SKU\\uffff"}', 'U+FFFF'],
      ['{"paymentToken":"tok_\\ufffe"}', 'U+FFFE'],
      ['{"note":"ring \\u0007"}', 'U+0007'],
      ['{"x":"\\u0000"}', 'U+0000'],
      ['{"x":"\\u000b\\u000c"}', 'U+000B'],
      ['{"\\u001f":1}', 'U+001F'],
    ];
    for (const [body, codePoint] of refused) {
      const error = thrown(() =>
        readJsonBody({ headers: jsonHeaders, body, isBase64Encoded: false }),
      );
      expect([body, error.statusCode, error.code]).toEqual([body, 400, 'MALFORMED_JSON']);
      expect(error.message).toContain(`(${codePoint})`);
    }
    // Tab, line feed, carriage return, DEL, the last BMP character SQS takes and emoji are fine.
    expect(
      readJsonBody({
        headers: jsonHeaders,
        body: '{"n":"a\\tb\\nc\\rd\\u007f\\ufffd\\ud83d\\ude00"}',
        isBase64Encoded: false,
      }),
    ).toEqual({ n: 'a\tb\nc\rd\u007f\ufffd😀' });
  });

  it('reads every exactly representable way of writing a number', () => {
    const read = (body: string) =>
      readJsonBody({ headers: jsonHeaders, body, isBase64Encoded: false });
    expect(
      read('[12.5, 12.50, 1.15, 0.1, -0.5, 0, -0, 0.000, 1e2, 1E+2, 125e-1, 1e21, 5e-324]'),
    ).toEqual([12.5, 12.5, 1.15, 0.1, -0.5, 0, -0, 0, 100, 100, 12.5, 1e21, 5e-324]);
    expect(read('{"q":9007199254740991}')).toEqual({ q: 9007199254740991 });
    // A trailing zero after the point is not precision that the parse loses.
    expect(read('[12.0, 100.0, 0.10, 120e-1, 1.0e1]')).toEqual([12, 100, 0.1, 12, 10]);
  });

  it('ignores a leading UTF-8 byte order mark, as RFC 8259 allows', () => {
    for (const isBase64Encoded of [false, true]) {
      const text = '\uFEFF{"a":1}';
      const body = isBase64Encoded ? Buffer.from(text, 'utf8').toString('base64') : text;
      expect(readJsonBody({ headers: jsonHeaders, body, isBase64Encoded })).toEqual({ a: 1 });
    }
  });

  it('decodes a base64-encoded body', () => {
    const body = Buffer.from('{"name":"Zoë"}').toString('base64');
    expect(readJsonBody({ headers: jsonHeaders, body, isBase64Encoded: true })).toEqual({
      name: 'Zoë',
    });
  });

  it('answers 415 when the body is not declared JSON', () => {
    expect(
      thrown(() => readJsonBody({ headers: {}, body: '{}', isBase64Encoded: false })).statusCode,
    ).toBe(415);
    const form = {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
      isBase64Encoded: false,
    };
    expect(thrown(() => readJsonBody(form)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    // JSON declared in another charset: the message says what is accepted.
    const latin1 = {
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: '{}',
      isBase64Encoded: false,
    };
    expect(thrown(() => readJsonBody(latin1)).message).toBe(
      'The request body must be JSON in UTF-8 (Content-Type: application/json, with no charset or charset=utf-8)',
    );
  });

  it('answers 413 above the limit, counting bytes rather than characters', () => {
    const ascii = `"${'a'.repeat(MAX_BODY_BYTES - 2)}"`;
    expect(
      readJsonBody({ headers: jsonHeaders, body: ascii, isBase64Encoded: false }),
    ).toHaveLength(MAX_BODY_BYTES - 2);
    // Half as many characters, but each "é" is two bytes in UTF-8.
    const multibyte = `"${'é'.repeat(MAX_BODY_BYTES / 2)}"`;
    expect(multibyte.length).toBeLessThan(MAX_BODY_BYTES);
    expect(
      thrown(() => readJsonBody({ headers: jsonHeaders, body: multibyte, isBase64Encoded: false }))
        .statusCode,
    ).toBe(413);
  });

  it('accepts a body of exactly the limit and answers 413 one byte above it', () => {
    const atLimit = `"${'a'.repeat(MAX_BODY_BYTES - 2)}"`;
    expect(Buffer.byteLength(atLimit)).toBe(MAX_BODY_BYTES);
    expect(() =>
      readJsonBody({ headers: jsonHeaders, body: atLimit, isBase64Encoded: false }),
    ).not.toThrow();
    const overLimit = `"${'a'.repeat(MAX_BODY_BYTES - 1)}"`;
    expect(
      thrown(() => readJsonBody({ headers: jsonHeaders, body: overLimit, isBase64Encoded: false }))
        .statusCode,
    ).toBe(413);
  });

  it('answers 413 for a base64 body whose decoded bytes exceed the limit', () => {
    const body = Buffer.from(`"${'a'.repeat(MAX_BODY_BYTES)}"`).toString('base64');
    expect(
      thrown(() => readJsonBody({ headers: jsonHeaders, body, isBase64Encoded: true })).code,
    ).toBe('PAYLOAD_TOO_LARGE');
    const justUnder = Buffer.from(`"${'a'.repeat(MAX_BODY_BYTES - 2)}"`).toString('base64');
    expect(justUnder.length).toBeGreaterThan(MAX_BODY_BYTES);
    expect(() =>
      readJsonBody({ headers: jsonHeaders, body: justUnder, isBase64Encoded: true }),
    ).not.toThrow();
  });

  it('answers 400 naming the nesting, not the syntax, for valid JSON nested too deeply to read', () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const error = thrown(() =>
      readJsonBody({ headers: jsonHeaders, body: deep, isBase64Encoded: false }),
    );
    expect([error.statusCode, error.code, error.message]).toEqual([
      400,
      'MALFORMED_JSON',
      'The request body nests arrays and objects too deeply to be read',
    ]);
  });

  it('answers 400 for a body that is empty, not JSON or not UTF-8', () => {
    for (const body of [null, '', '   ', '{"a":', 'hello', '{a:1}', "{'a':1}"]) {
      const error = thrown(() =>
        readJsonBody({ headers: jsonHeaders, body, isBase64Encoded: false }),
      );
      expect([error.statusCode, error.code]).toEqual([400, 'MALFORMED_JSON']);
    }
    const latin1 = Buffer.from([0x22, 0xe9, 0x22]).toString('base64');
    expect(
      thrown(() => readJsonBody({ headers: jsonHeaders, body: latin1, isBase64Encoded: true }))
        .message,
    ).toBe('The request body is not valid UTF-8');
  });
});
