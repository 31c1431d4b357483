import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Faults } from '../faults.ts';
import type { TableDefinition } from '../template/model.ts';
import type { SqsService } from '../sqs/sqs-service.ts';
import type { LogSink } from '../ports.ts';
import type { Counters } from '../util.ts';
import { readBody } from '../util.ts';
import { accessKeyIdOf, routeRequest, tablesOf, targetAction } from './routing.ts';
import {
  askForConsumedCapacity,
  countConsumedCapacity,
  countFailedRequest,
  METERED_OPERATIONS,
  takeConsumedCapacity,
} from './consumed-capacity.ts';
import { handleLambdaApi, type LambdaApi } from './lambda-api.ts';
import type { Denial, IamAuthorizer } from '../iam/authorizer.ts';
import { accessDeniedReply } from './access-denied.ts';
import {
  fromDynamoDbLocalArns,
  OPERATIONS_RETURNING_ARNS,
  toDynamoDbLocalArns,
} from './dynamodb-arns.ts';

/** An emulator answering the AWS JSON protocol for its service (EventBridge, Step Functions). */
export interface JsonApiHandler {
  handleApiRequest(action: string, body: unknown): Promise<{ statusCode: number; body: unknown }>;
}

export interface EndpointDeps {
  /** The emulated region (ARNs to and from DynamoDB Local are translated to it). */
  region: string;
  faults: Faults;
  counters: Counters;
  log: LogSink;
  /**
   * Count the DynamoDB capacity of the callers' data-plane requests (see
   * `consumed-capacity.ts`); answers look as they would without it. @default false
   */
  meterDynamoDbCapacity?: boolean;
}

/** The services behind the endpoint, attached once they run (the endpoint starts first: its URL is in the template's queue URLs). */
export interface EndpointServices {
  dynamoDbEndpoint: string;
  tables: readonly TableDefinition[];
  sqs: SqsService;
  lambda: LambdaApi;
  events?: JsonApiHandler | undefined;
  states?: JsonApiHandler | undefined;
  /** Checks the functions' requests against their roles; none = nothing is checked. */
  authorizer?: IamAuthorizer | undefined;
}

interface Reply {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

const json = (statusCode: number, body: unknown, contentType = 'application/json'): Reply => ({
  statusCode,
  headers: { 'content-type': contentType },
  body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
});

/**
 * The single AWS endpoint (`AWS_ENDPOINT_URL`) of the local cloud: DynamoDB (and
 * Streams) are proxied to DynamoDB Local, SQS goes to fauxqs, EventBridge and Step
 * Functions to their emulators, and the Lambda Invoke API to the local runtime.
 * It is also where DynamoDB throttling faults are injected.
 */
export class AwsEndpoint {
  private readonly server: Server;
  private readonly deps: EndpointDeps;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private services: (EndpointServices & { ddb: URL }) | undefined;
  private port = 0;

  constructor(deps: EndpointDeps) {
    this.deps = deps;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        deps.log(`endpoint: ${error.stack ?? error.message}`);
        if (!res.headersSent)
          this.send(res, json(500, { __type: 'InternalFailure', message: error.message }));
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 30_000;
  }

  /** Listens on `port` (0 = random) on 127.0.0.1 and returns the port. */
  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Connects the running services; until then requests are answered 503. */
  attach(services: EndpointServices): void {
    this.services = { ...services, ddb: new URL(services.dynamoDbEndpoint) };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (req.method === 'GET' && url.startsWith('/_local/health')) {
      this.send(
        res,
        json(200, {
          status: 'running',
          services: ['dynamodb', 'sqs', 'events', 'states', 'lambda'],
        }),
      );
      return;
    }
    const services = this.services;
    if (!services) {
      this.send(
        res,
        json(503, { __type: 'ServiceUnavailable', message: 'The local cloud is starting' }),
      );
      return;
    }
    const target = req.headers['x-amz-target'] as string | undefined;
    const route = routeRequest({ url, authorization: req.headers.authorization, target });
    const body = await readBody(req);
    if ('unknown' in route) {
      this.send(
        res,
        json(501, {
          __type: 'NotImplemented',
          message: `${route.unknown} is not emulated by the local cloud`,
        }),
      );
      return;
    }
    const denial = services.authorizer?.check({
      service: route.service,
      operation: targetAction(target),
      body,
      contentType: req.headers['content-type'],
      accessKeyId: accessKeyIdOf(req.headers.authorization, url),
    });
    if (denial) {
      this.refuse(res, route.service, denial, req.headers['content-type']);
      return;
    }
    switch (route.service) {
      case 'dynamodb':
        return this.dynamodb(services, req, res, body);
      case 'sqs': {
        const reply = await services.sqs.handle({
          method: req.method ?? 'POST',
          url,
          headers: req.headers,
          body,
        });
        this.send(res, reply);
        return;
      }
      case 'events':
      case 'states': {
        const emulator = route.service === 'events' ? services.events : services.states;
        const contentType =
          route.service === 'events' ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0';
        this.deps.counters.add(`${route.service}.requests`);
        if (!emulator) {
          this.send(
            res,
            json(
              501,
              { __type: 'NotImplemented', message: `${route.service} emulator not available` },
              contentType,
            ),
          );
          return;
        }
        const parsed = parseJson(body);
        const result = await emulator.handleApiRequest(targetAction(target), parsed);
        this.send(res, json(result.statusCode, result.body, contentType));
        return;
      }
      case 'lambda': {
        this.deps.counters.add('lambda.apiRequests');
        this.send(
          res,
          await handleLambdaApi(services.lambda, {
            method: req.method ?? 'GET',
            url,
            headers: req.headers,
            body,
          }),
        );
        return;
      }
    }
  }

  private async dynamodb(
    services: EndpointServices & { ddb: URL },
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): Promise<void> {
    const operation = targetAction(req.headers['x-amz-target'] as string | undefined);
    const isStreams = String(req.headers['x-amz-target'] ?? '').startsWith('DynamoDBStreams');
    this.deps.counters.add(isStreams ? 'dynamodbStreams.requests' : 'dynamodb.requests');
    this.deps.counters.add(`dynamodb.${operation}`);
    // Parsing every request body only to find its tables costs the endpoint CPU at load:
    // only when throttling is configured.
    if (
      !isStreams &&
      this.deps.faults.throttlesDynamoDb &&
      this.shouldThrottle(services.tables, body)
    ) {
      this.send(
        res,
        json(
          400,
          {
            __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            message:
              'The level of configured provisioned throughput for the table was exceeded (LOCAL_FAULTS).',
          },
          'application/x-amz-json-1.0',
        ),
      );
      return;
    }
    const ddb = services.ddb;
    const region = this.deps.region;
    let upstreamText = toDynamoDbLocalArns(body.toString('utf8'), region);
    // Metering parses nothing it does not have to: only requests of operations that report capacity.
    const metered =
      this.deps.meterDynamoDbCapacity === true &&
      !isStreams &&
      METERED_OPERATIONS.has(operation) &&
      !String(req.headers.authorization ?? '').includes('Credential=local/')
        ? askForConsumedCapacity(upstreamText)
        : undefined;
    if (metered) upstreamText = metered.body;
    const upstreamBody = Buffer.from(upstreamText);
    const rewriteAnswer = OPERATIONS_RETURNING_ARNS.has(operation) || metered !== undefined;
    const headers = {
      ...req.headers,
      host: ddb.host,
      'content-length': String(upstreamBody.length),
      // An answer we rewrite must not come compressed.
      ...(rewriteAnswer ? { 'accept-encoding': 'identity' } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: ddb.hostname,
          port: ddb.port,
          method: req.method,
          path: req.url,
          headers,
          agent: this.agent,
        },
        (answer) => {
          if (!rewriteAnswer) {
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            answer.pipe(res);
            answer.on('end', resolve);
            answer.on('error', reject);
            return;
          }
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('error', reject);
          answer.on('end', () => {
            const raw = Buffer.concat(chunks);
            if (metered) {
              const out = this.meterAnswer(
                operation,
                metered,
                upstreamText,
                answer.statusCode,
                raw,
              );
              if (out === undefined) {
                // Unchanged (an error, or the caller asked for the capacity): its checksum holds.
                res.writeHead(answer.statusCode ?? 500, answer.headers);
                res.end(raw);
              } else this.sendRewritten(res, answer, out);
              resolve();
              return;
            }
            const out = Buffer.from(fromDynamoDbLocalArns(raw.toString('utf8'), region));
            this.sendRewritten(res, answer, out);
            resolve();
          });
        },
      );
      upstream.on('error', reject);
      upstream.end(upstreamBody);
    });
  }

  /**
   * Counts the capacity of a metered answer; returns the answer to send when it must
   * change (the capacity the caller did not ask for removed), `undefined` to send it as is.
   */
  private meterAnswer(
    operation: string,
    metered: { callerAsked: boolean },
    request: string,
    statusCode: number | undefined,
    raw: Buffer,
  ): Buffer | undefined {
    const counters = this.deps.counters;
    if (statusCode !== 200) {
      // DynamoDB Local reports no capacity with an error (AWS charges a failed condition).
      countFailedRequest(counters, operation, tablesOf(parseJson(Buffer.from(request))));
      return undefined;
    }
    const split = takeConsumedCapacity(raw.toString('utf8'));
    if (!split) return undefined;
    countConsumedCapacity(counters, operation, split.consumed);
    return metered.callerAsked ? undefined : Buffer.from(split.rest);
  }

  /** Sends an answer whose body the endpoint changed. */
  private sendRewritten(res: ServerResponse, answer: IncomingMessage, out: Buffer): void {
    // The checksum was of DynamoDB Local's bytes; the SDK skips the check without it.
    const { 'x-amz-crc32': _crc, ...answerHeaders } = answer.headers;
    res.writeHead(answer.statusCode ?? 500, {
      ...answerHeaders,
      'content-length': String(out.length),
    });
    res.end(out);
  }

  private shouldThrottle(tables: readonly TableDefinition[], body: Buffer): boolean {
    const names = tablesOf(parseJson(body));
    if (names.length === 0) return this.deps.faults.throttleDynamoDb(undefined);
    return names.some((name) => {
      const table = tables.find((t) => t.name === name || t.arn === name);
      return this.deps.faults.throttleDynamoDb(table ?? { name });
    });
  }

  /** Answers a request the caller's role does not allow, as the service would. */
  private refuse(
    res: ServerResponse,
    service: string,
    denial: Denial,
    contentType: string | undefined,
  ): void {
    this.deps.counters.add('iam.denied');
    this.deps.log(
      `IAM: ${denial.functionName} is not allowed ${denial.access.action} on ${denial.access.resource}`,
    );
    const reply = accessDeniedReply(service, denial.message, contentType);
    this.send(res, { ...reply, body: Buffer.from(reply.body) });
  }

  private send(res: ServerResponse, reply: Reply): void {
    res.writeHead(reply.statusCode, { ...reply.headers, 'content-length': reply.body.length });
    res.end(reply.body);
  }
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return {};
  }
}
