import { LocalEventBridge, matchesPattern, type EventBridgeEvent } from './eventbridge/index.ts';
import { LocalStepFunctions, type ExecutionStatus } from './stepfunctions/index.ts';
import {
  faultsOnLine,
  Faults,
  faultResourcesOf,
  faultsFromEnv,
  parseFaultConfig,
  type FaultConfig,
} from './faults.ts';
import type { LogSink } from './ports.ts';
import { selectStack } from './template/manifest.ts';
import { buildModel, type CloudModel } from './template/model.ts';
import { startDynamoDbLocal } from './dynamodb/dynamodb-local.ts';
import { dynamoJsonClient } from './dynamodb/json-client.ts';
import { createTables, startTtlSweeper } from './dynamodb/tables.ts';
import { SqsService, type SqsMessage } from './sqs/sqs-service.ts';
import { capVisibilityTimeouts } from './sqs/visibility-cap.ts';
import { LambdaService } from './lambda/lambda-service.ts';
import { ApiGatewayServer } from './apigateway/server.ts';
import { AwsEndpoint } from './endpoint/server.ts';
import { StreamMapping } from './esm/stream-mapping.ts';
import { dynamoDbStreamSource } from './esm/dynamodb-stream-source.ts';
import { SqsMapping } from './esm/sqs-mapping.ts';
import { Counters, waitUntil } from './util.ts';
import { IamAuthorizer } from './iam/authorizer.ts';

/** Where and how to run the local cloud. */
export interface LocalCloudOptions {
  /** The cloud assembly directory (`cdk.out`). */
  cdkOut: string;
  /** The stack to run (name or artifact id); needed only when the assembly has several. */
  stackName?: string;
  /** Port of the API Gateway server. @default 3000 (0 = random) */
  apiPort?: number;
  /** Port of the AWS endpoint (`AWS_ENDPOINT_URL`). @default 4566 (0 = random) */
  endpointPort?: number;
  /**
   * Initial faults (else `LOCAL_FAULTS` / `LOCAL_FAULTS_FILE`; `{}`: none, as `npm start`
   * passes, which applies those after seeding). A target that names no resource of the
   * stack stops the start with an error.
   */
  faults?: FaultConfig;
  /** Print nothing (lines are still kept: see `logs()`). @default false */
  quiet?: boolean;
  /** Where lines go when not quiet. @default console.log */
  log?: LogSink;
  /** Show what the functions print (console, Powertools logs). @default true */
  functionLogs?: boolean;
  /** Sandboxes per function without reserved concurrency. @default 4 */
  functionConcurrency?: number;
  /**
   * Pollers per SQS event source mapping (before MaximumConcurrency and the function's
   * concurrency). AWS starts with five concurrent batches and scales up; four fit the
   * default function concurrency. @default 4
   */
  sqsPollers?: number;
  /** How often expired TTL items are deleted (0 = never). @default 30000 */
  ttlSweepIntervalMs?: number;
  /**
   * Lowers every queue's visibility timeout to at most this many seconds, so a test sees
   * failed messages redelivered, and moved to their DLQ, in seconds (a consumer queue's
   * deployed timeout is 3 minutes). @default none: the template's timeouts
   */
  maxVisibilityTimeoutSeconds?: number;
  /** Async invocation retry delays (AWS: 1 and 2 minutes). @default [1000, 2000] */
  asyncRetryDelaysMs?: number[];
  /** Stream polling interval. @default 200 */
  streamPollIntervalMs?: number;
  /**
   * Before reporting ready, start and initialize a sandbox for each function with a
   * trigger, and for an SQS mapping's function one per poller. @default true
   */
  prewarm?: boolean;
  /**
   * Meter the DynamoDB capacity the functions (and any other caller of the endpoint)
   * consume, as DynamoDB reports it with `ReturnConsumedCapacity`: counted in
   * `counters()` under `dynamodb.consumed.` (read back with `capacityFromCounters` of
   * `endpoint/consumed-capacity.ts`). Callers' answers are unchanged. @default false
   */
  meterDynamoDbCapacity?: boolean;
  /**
   * Refuse a function's AWS requests that its execution role (in the template) does not
   * allow, with `AccessDeniedException`, as AWS would (see `iam/authorizer.ts`).
   * @default true
   */
  checkIam?: boolean;
}

/** Inspection helpers for the queues, by logical id, name, ARN or URL. */
export interface QueueHelpers {
  url(queue: string): string;
  send(
    queue: string,
    body: string,
    options?: { messageGroupId?: string; messageDeduplicationId?: string },
  ): Promise<void>;
  /** Receives (and hides for the visibility timeout) like ReceiveMessage. */
  receive(
    queue: string,
    options?: { max?: number; waitSeconds?: number; visibilityTimeout?: number },
  ): Promise<SqsMessage[]>;
  /** Every message, without receiving them: ready, delayed and in flight. */
  peek(
    queue: string,
  ): Promise<{ ready: PeekedMessage[]; delayed: PeekedMessage[]; inflight: PeekedMessage[] }>;
  count(queue: string): Promise<{ visible: number; inFlight: number; delayed: number }>;
  /** The dead-letter queue of a queue (its name), from the redrive policy. */
  deadLetterQueueOf(queue: string): string | undefined;
}

export interface PeekedMessage {
  messageId: string;
  body: string;
  approximateReceiveCount: number;
}

/** Step Functions executions; a state machine by logical id, name or ARN. */
export interface ExecutionHelpers {
  list(
    stateMachine: string,
    status?: ExecutionStatus,
  ): ReturnType<LocalStepFunctions['listExecutions']>;
  describe(executionArn: string): ReturnType<LocalStepFunctions['describeExecution']>;
}

export interface EventTap {
  /** Events that reached a bus (all buses when omitted), oldest first. */
  received(busName?: string): { busName: string; event: EventBridgeEvent }[];
  /** Waits for an event matching the predicate (from the start of the run). */
  waitFor(
    predicate: (event: EventBridgeEvent, busName: string) => boolean,
    timeoutMs?: number,
  ): Promise<{ busName: string; event: EventBridgeEvent }>;
}

export interface LocalCloud {
  /** Base URL of the API (root-served; also under `/<stage>`). */
  apiUrl: string;
  /** The AWS endpoint (what the functions get as AWS_ENDPOINT_URL). */
  endpoint: string;
  region: string;
  model: CloudModel;
  faults: Faults;
  queues: QueueHelpers;
  executions: ExecutionHelpers;
  events: EventTap;
  lambda: LambdaService;
  /** Counts for the cost benchmark: invocations and billed ms per function, requests per service, ... */
  counters(): Record<string, number>;
  /** The most recent log lines (kept even when quiet). */
  logs(): string[];
  stop(): Promise<void>;
}

/** How long the start waits for the prewarmed sandboxes (Lambda's limit for an init). */
const PREWARM_WAIT_MS = 10_000;

const REGION = 'us-east-1';
const ACCOUNT_ID = '000000000000';

/**
 * Starts the local cloud for a synthesized stack: DynamoDB Local, SQS, the Lambda
 * sandboxes, event source mappings, EventBridge, Step Functions, the API and the
 * AWS endpoint. Stop it with `stop()` (it ends every child process).
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const started = Date.now();
  const lines: string[] = [];
  const print = options.log ?? ((line: string) => console.log(line));
  const log: LogSink = (line) => {
    lines.push(line);
    // Trimmed in chunks: removing one line from the front of a full buffer per line logged
    // costs the process that runs every emulator noticeable CPU at load.
    if (lines.length > 6000) lines.splice(0, lines.length - 5000);
    if (!options.quiet) print(line);
  };
  const counters = new Counters();
  // Read (and validated) before anything starts; the targets are checked against the model.
  const initialFaults =
    options.faults !== undefined
      ? { config: parseFaultConfig(options.faults, 'faults option'), source: 'faults option' }
      : faultsFromEnv();
  const faults = new Faults();
  const stack = selectStack(options.cdkOut, options.stackName);

  const stoppers: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        log(`stop: ${(error as Error).message}`);
      }
    }
  };

  try {
    // The endpoint listens first: its URL is part of the queue URLs in the template.
    const endpoint = new AwsEndpoint({
      region: REGION,
      faults,
      counters,
      log,
      meterDynamoDbCapacity: options.meterDynamoDbCapacity ?? false,
    });
    await endpoint.listen(options.endpointPort ?? 4566);
    stoppers.push(() => endpoint.close());

    const model = buildModel(stack, {
      region: REGION,
      accountId: ACCOUNT_ID,
      partition: 'aws',
      queueUrlBase: endpoint.url,
    });
    reportModel(model, log);
    faults.setResources(faultResourcesOf(model));
    if (initialFaults && Object.values(initialFaults.config).some((v) => v !== undefined)) {
      const targets = faults.set(initialFaults.config, initialFaults.source);
      log(faultsOnLine(initialFaults.source, targets));
    }

    const [dynamo, sqs] = await Promise.all([
      startDynamoDbLocal({ log }),
      SqsService.start({
        origin: endpoint.url,
        queues: capVisibilityTimeouts(model.queues, options.maxVisibilityTimeoutSeconds),
        counters,
      }),
    ]);
    stoppers.push(() => dynamo.stop());
    stoppers.push(() => sqs.stop());
    const ddb = dynamoJsonClient(dynamo.endpoint);
    const tables = await createTables(ddb, model.tables);
    const sweeper = startTtlSweeper(ddb, model.tables, {
      intervalMs: options.ttlSweepIntervalMs ?? 30_000,
      log,
    });
    stoppers.push(() => sweeper.stop());

    const lambda = new LambdaService(model, {
      endpointUrl: endpoint.url,
      region: REGION,
      log,
      faults,
      counters,
      defaultConcurrency: options.functionConcurrency ?? 4,
      showFunctionLogs: options.functionLogs ?? true,
      queues: sqs,
      ...(options.asyncRetryDelaysMs ? { asyncRetryDelaysMs: options.asyncRetryDelaysMs } : {}),
    });
    stoppers.push(() => lambda.stop());

    // Step Functions and EventBridge call out through the Lambda and SQS ports.
    const states = new LocalStepFunctions({ lambda, log });
    for (const sm of model.stateMachines) states.addStateMachine(sm);
    const events = new LocalEventBridge({
      lambda,
      sqs,
      stepFunctions: states,
      log,
      faults: { rejectPutEventsEntry: () => faults.rejectPutEventsEntry() },
    });
    for (const bus of model.eventBuses) events.addBus(bus);
    for (const rule of model.rules) events.addRule(rule);
    const tap: { busName: string; event: EventBridgeEvent }[] = [];
    const unsubscribe = events.onEvent((busName, event) => {
      tap.push({ busName, event });
      if (tap.length > 10_000) tap.shift();
    });
    endpoint.attach({
      dynamoDbEndpoint: dynamo.endpoint,
      tables: model.tables,
      sqs,
      lambda,
      events,
      states,
      authorizer:
        options.checkIam === false ? undefined : new IamAuthorizer(model.account, model.functions),
    });

    // Event source mappings.
    const mappings: { stop(): Promise<void> }[] = [];
    // Sandboxes to start before the cloud is ready: as many as each mapping runs batches at once.
    const warmFor: { arn: string; count: number }[] = [];
    for (const esm of model.eventSourceMappings.filter((m) => m.enabled)) {
      const runtime = lambda.find(esm.functionArn);
      if (!runtime) {
        log(`${esm.logicalId}: function ${esm.functionArn} does not run locally; mapping skipped`);
        continue;
      }
      const invoke = (payload: string) => runtime.invoke(payload);
      if (esm.kind === 'dynamodb') {
        const table = tables.find((t) => t.definition.logicalId === esm.sourceLogicalId);
        if (!table?.streamArn) {
          log(`${esm.logicalId}: stream ${esm.sourceArn} not found; mapping skipped`);
          continue;
        }
        const mapping = new StreamMapping(esm, {
          source: dynamoDbStreamSource(ddb, table.streamArn),
          invoke,
          sendToDestination: (arn, message) => sqs.sendMessage(arn, message),
          matches: matchesPattern,
          log,
          region: REGION,
          streamArn: table.streamArn.replace(':ddblocal:', `:${REGION}:`),
          pollIntervalMs: options.streamPollIntervalMs ?? 200,
        });
        await mapping.start();
        mappings.push(mapping);
        warmFor.push({ arn: esm.functionArn, count: 1 });
      } else {
        const queue = sqs.queue(esm.sourceArn);
        if (!queue) {
          log(`${esm.logicalId}: queue ${esm.sourceArn} not found; mapping skipped`);
          continue;
        }
        const mapping = new SqsMapping(esm, {
          source: {
            receive: (max, waitSeconds) => sqs.receive(queue.arn, { max, waitSeconds }),
            deleteMessages: (handles) => sqs.deleteMessages(queue.arn, handles),
          },
          invoke,
          matches: matchesPattern,
          log,
          queueArn: queue.arn,
          region: REGION,
          pollers: Math.min(options.sqsPollers ?? 4, runtime.concurrencyLimit),
          duplicate: () => faults.duplicateDelivery(queue),
        });
        mapping.start();
        mappings.push(mapping);
        warmFor.push({ arn: esm.functionArn, count: mapping.pollerCount });
      }
    }
    // Mappings stop before SQS (whose shutdown ends their long polls) and Lambda;
    // before them, the emulators stop delivering (stoppers run last pushed first).
    stoppers.push(async () => {
      const stopping = mappings.map((m) => m.stop());
      await sqs.stop();
      await lambda.stop();
      await Promise.all(stopping);
    });

    stoppers.push(async () => {
      unsubscribe();
      await events.stop();
      await states.stop();
    });

    const api = new ApiGatewayServer({
      apis: model.apis,
      lambda,
      counters,
      accountId: ACCOUNT_ID,
      log,
    });
    await api.listen(options.apiPort ?? 3000);
    stoppers.push(() => api.close());

    if (options.prewarm ?? true) {
      // Functions with a trigger; a state machine's task functions appear in its definition.
      // Waiting for their init here keeps Node's and the bundles' start-up out of the first
      // requests (the mappings would otherwise start a sandbox per concurrent batch then).
      const definitions = JSON.stringify(model.stateMachines.map((m) => m.definition));
      const warming = lambda.prewarm([
        ...warmFor,
        ...model.apis.flatMap((a) =>
          a.routes.flatMap((r) =>
            r.integration.type === 'AWS_PROXY' ? [r.integration.functionArn] : [],
          ),
        ),
        ...model.rules.flatMap((r) => r.targets.map((t) => t.arn)),
        ...model.functions.filter((f) => definitions.includes(f.arn)).map((f) => f.arn),
      ]);
      // An init that never ends (Lambda stops an init after 10 s) must not hold the start:
      // past that, the sandboxes go on starting in the background.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        warming,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, PREWARM_WAIT_MS))),
      ]);
      clearTimeout(timer);
    }
    log(`Local cloud for ${stack.stackName} ready in ${Date.now() - started} ms`);

    const queueHelpers: QueueHelpers = {
      url: (ref) => sqs.urlOf(ref),
      send: (ref, body, opts) => sqs.sendMessage(sqs.queue(ref)?.arn ?? ref, body, opts),
      receive: (ref, opts) => sqs.receive(ref, { ...opts, uncounted: true }),
      async peek(ref) {
        const raw = await sqs.peek(ref);
        type Raw = { messageId: string; body: string; approximateReceiveCount?: number };
        const view = (m: Raw): PeekedMessage => ({
          messageId: m.messageId,
          body: m.body,
          approximateReceiveCount: m.approximateReceiveCount ?? 0,
        });
        return {
          ready: (raw.ready as Raw[]).map(view),
          delayed: (raw.delayed as Raw[]).map(view),
          inflight: (raw.inflight as { message: Raw }[]).map((e) => view(e.message)),
        };
      },
      async count(ref) {
        const a = await sqs.attributes(ref);
        return {
          visible: Number(a.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
          delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
        };
      },
      deadLetterQueueOf(ref) {
        const policy = sqs.queue(ref)?.attributes.RedrivePolicy;
        if (!policy) return undefined;
        const arn = String(
          (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn ?? '',
        );
        return sqs.queue(arn)?.name ?? arn.split(':').pop();
      },
    };

    const stateMachineArn = (ref: string) =>
      model.stateMachines.find((s) => s.logicalId === ref || s.name === ref || s.arn === ref)
        ?.arn ?? ref;

    return {
      apiUrl: api.url,
      endpoint: endpoint.url,
      region: REGION,
      model,
      faults,
      lambda,
      queues: queueHelpers,
      executions: {
        list: (ref, status) => states.listExecutions(stateMachineArn(ref), status),
        describe: (arn) => states.describeExecution(arn),
      },
      events: {
        received: (busName) => tap.filter((e) => busName === undefined || e.busName === busName),
        waitFor: (predicate, timeoutMs = 10_000) =>
          waitUntil(() => tap.find((e) => predicate(e.event, e.busName)), {
            timeoutMs,
            intervalMs: 50,
            what: 'an event on the bus',
          }),
      },
      counters: () => {
        const all: Record<string, number> = { ...counters.snapshot() };
        for (const [k, v] of Object.entries(events?.counters() ?? {})) all[`events.${k}`] = v;
        for (const [k, v] of Object.entries(states?.counters() ?? {})) all[`states.${k}`] = v;
        for (const [k, v] of Object.entries(faults.injectedCounts())) all[`faults.${k}`] = v;
        for (const runtime of lambda.all()) {
          all[`lambda.${runtime.definition.name}.maxConcurrency`] = runtime.peakConcurrency;
        }
        return all;
      },
      logs: () => lines.slice(-5000),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Lists, once, what the local cloud does not run, and template warnings. */
function reportModel(model: CloudModel, log: LogSink): void {
  const notRun = Object.entries(model.notRun).sort(([a], [b]) => a.localeCompare(b));
  if (notRun.length > 0) {
    log('Not run locally (no local behaviour needed or not emulated):');
    for (const [type, ids] of notRun) {
      const shown =
        ids.length > 4
          ? `${ids.slice(0, 3).join(', ')}, … (${ids.length - 3} more)`
          : ids.join(', ');
      log(`  ${type} ×${ids.length}: ${shown}`);
    }
  }
  for (const f of model.unsupportedFunctions) log(`Function ${f.logicalId} not run: ${f.reason}`);
  for (const warning of [...new Set(model.warnings)]) log(`Warning: ${warning}`);
}
