import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiDefinition, RouteDefinition } from '../template/model.ts';
import { stableId } from '../template/identities.ts';
import type { LambdaService } from '../lambda/lambda-service.ts';
import { ThrottledError } from '../lambda/function-runtime.ts';
import type { Counters } from '../util.ts';
import { readBody } from '../util.ts';
import type { LogSink } from '../ports.ts';
import { selectRoute } from './routes.ts';
import { buildProxyEvent, readProxyResult, type HttpRequest, type HttpResponse } from './event.ts';
import { gatewayErrorResponse, gatewayErrors, type GatewayError } from './gateway-responses.ts';

/** LocalStack's path for an API: `/restapis/<id>/<stage>/_user_request_/<path>`. */
const LOCALSTACK_PATH = /^\/restapis\/([^/]+)\/([^/]+)\/_user_request_(\/.*)?$/;

/** API Gateway's maximum integration timeout (29 s). */
const INTEGRATION_TIMEOUT_MS = 29_000;

/**
 * Serves the stack's REST APIs on one local port. The first API answers both at
 * the root (`/orders`) and under its stage (`/prod/orders`, as on AWS); every API
 * also answers LocalStack style at `/restapis/<id>/<stage>/_user_request_/<path>`.
 * Unknown resources and methods get API Gateway's 403 `Missing Authentication Token`;
 * API Gateway's own answers are shaped by the API's gateway responses.
 * IAM/Cognito/custom authorizers are not enforced locally; `ApiKeyRequired` methods
 * only require an `x-api-key` header.
 */
export class ApiGatewayServer {
  private readonly server: Server;
  private readonly apis: readonly ApiDefinition[];
  private readonly lambda: LambdaService;
  private readonly counters: Counters;
  private readonly accountId: string;
  private readonly log: LogSink;
  private port = 0;

  constructor(deps: {
    apis: readonly ApiDefinition[];
    lambda: LambdaService;
    counters: Counters;
    accountId: string;
    log: LogSink;
  }) {
    this.apis = deps.apis;
    this.lambda = deps.lambda;
    this.counters = deps.counters;
    this.accountId = deps.accountId;
    this.log = deps.log;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        this.log(`API Gateway: ${error.stack ?? error.message}`);
        if (!res.headersSent)
          this.send(res, this.errorResponse(gatewayErrors.integrationError(), this.apis[0]));
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  /** Listens on `port` (0 = random) and returns the port. */
  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  /** Base URL of the first API (root-served), e.g. `http://localhost:3000`. */
  get url(): string {
    return `http://localhost:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.add('apigateway.requests');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    const located = this.locate(url.pathname, req.method ?? 'GET');
    if (!located) {
      this.send(
        res,
        this.errorResponse(gatewayErrors.missingAuthToken(), this.apiOf(url.pathname)),
      );
      return;
    }
    const { api, path, route, pathParameters } = located;
    const rawHeaders: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      rawHeaders.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    rawHeaders.push(
      ['X-Forwarded-For', req.socket.remoteAddress ?? '127.0.0.1'],
      ['X-Forwarded-Port', String(this.port)],
      ['X-Forwarded-Proto', 'http'],
    );
    if (route.apiKeyRequired && !req.headers['x-api-key']) {
      this.send(res, this.errorResponse(gatewayErrors.missingApiKey(), api));
      return;
    }
    const request: HttpRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path,
      fullPath: url.pathname,
      rawHeaders,
      query: url.search.replace(/^\?/, ''),
      body,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    };
    this.send(res, await this.integrate(api, route, request, pathParameters));
  }

  /** Finds the API, the path within it and the route for a request path. */
  private locate(
    pathname: string,
    method: string,
  ):
    | {
        api: ApiDefinition;
        path: string;
        route: RouteDefinition;
        pathParameters: Record<string, string>;
      }
    | undefined {
    const tryApi = (api: ApiDefinition | undefined, path: string) => {
      if (!api) return undefined;
      const result = selectRoute(api.routes, method, path || '/');
      return result.kind === 'match'
        ? { api, path: path || '/', route: result.route, pathParameters: result.pathParameters }
        : undefined;
    };
    const localstack = LOCALSTACK_PATH.exec(pathname);
    if (localstack) return tryApi(this.apiOf(pathname), localstack[3] ?? '/');
    const first = this.apis[0];
    const stagePrefix = first ? `/${first.stageName}` : undefined;
    if (stagePrefix && (pathname === stagePrefix || pathname.startsWith(`${stagePrefix}/`))) {
      const staged = tryApi(first, pathname.slice(stagePrefix.length));
      if (staged) return staged;
    }
    return tryApi(first, pathname);
  }

  /** The API a request path is for: the one it names LocalStack style, else the first. */
  private apiOf(pathname: string): ApiDefinition | undefined {
    const localstack = LOCALSTACK_PATH.exec(pathname);
    if (!localstack) return this.apis[0];
    return this.apis.find((a) => a.restApiId === localstack[1] && a.stageName === localstack[2]);
  }

  /** API Gateway's own answer `error`, as `api`'s gateway responses shape it. */
  private errorResponse(
    error: GatewayError,
    api: ApiDefinition | undefined,
    requestId: string = randomUUID(),
  ): HttpResponse {
    return gatewayErrorResponse(error, api?.gatewayResponses ?? [], {
      requestId,
      ...(api ? { apiId: api.restApiId, stage: api.stageName } : {}),
    });
  }

  private async integrate(
    api: ApiDefinition,
    route: RouteDefinition,
    request: HttpRequest,
    pathParameters: Record<string, string>,
  ): Promise<HttpResponse> {
    const integration = route.integration;
    if (integration.type === 'MOCK') {
      return {
        statusCode: integration.statusCode,
        headers: integration.headers,
        body: Buffer.from(integration.body ?? ''),
      };
    }
    const event = buildProxyEvent(request, {
      restApiId: api.restApiId,
      stageName: api.stageName,
      accountId: this.accountId,
      resourcePath: route.resourcePath,
      resourceId: stableId(`${api.restApiId}${route.resourcePath}`, 6),
      binaryMediaTypes: api.binaryMediaTypes,
      pathParameters,
      domainName: `localhost:${this.port}`,
    });
    const requestId = String(event.requestContext.requestId);
    const fail = (error: GatewayError) => this.errorResponse(error, api, requestId);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), INTEGRATION_TIMEOUT_MS);
    });
    try {
      const outcome = await Promise.race([
        this.lambda.invokeRaw(integration.functionArn, JSON.stringify(event)),
        timeout,
      ]);
      if (outcome === 'timeout') return fail(gatewayErrors.timeout());
      if (!outcome.ok) return fail(gatewayErrors.integrationError());
      const response = readProxyResult(JSON.parse(outcome.payload));
      if (!response) {
        this.log(`API Gateway: malformed Lambda proxy response from ${integration.functionArn}`);
        return fail(gatewayErrors.integrationError());
      }
      response.headers['content-type'] ??= 'application/json';
      response.headers['x-amzn-requestid'] = requestId;
      return response;
    } catch (error) {
      if (error instanceof ThrottledError) return fail(gatewayErrors.throttled());
      this.log(`API Gateway: ${(error as Error).message}`);
      return fail(gatewayErrors.integrationError());
    } finally {
      clearTimeout(timer);
    }
  }

  private send(res: ServerResponse, response: HttpResponse): void {
    res.writeHead(response.statusCode, {
      ...response.headers,
      'content-length': response.body.length,
    });
    res.end(response.body);
  }
}
