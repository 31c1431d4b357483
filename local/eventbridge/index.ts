import { randomUUID } from 'node:crypto';
import type {
  PutEventsRequestEntry,
  PutEventsResponse,
  PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import type {
  EventBusDefinition,
  LambdaInvoker,
  LogSink,
  QueueSender,
  RuleDefinition,
  StateMachineStarter,
} from '../ports.ts';
import { type ApiResponse, handleEventsApi } from './api.ts';
import {
  CancellableTimers,
  Counters,
  type DeliveryJob,
  type RetrySettings,
  TargetDelivery,
} from './delivery.ts';
import { buildEvent, type IncomingEntry, validateRequest } from './entries.ts';
import { type EventBridgeEvent, eventTime, LOCAL_ACCOUNT, LOCAL_REGION } from './event.ts';
import { InvalidEventPatternError, matchesPattern, validateEventPattern } from './pattern.ts';
import { validateTargetInput } from './target-input.ts';

export type { EventBridgeEvent } from './event.ts';
export { EventBridgeApiError } from './entries.ts';
export { InvalidEventPatternError, matchesPattern, validateEventPattern } from './pattern.ts';

/** How an injected PutEvents fault fails an entry: `true` means `InternalFailure`. */
export type PutEventsFault = boolean | 'InternalFailure' | 'ThrottlingException';

export interface LocalEventBridgeDeps {
  lambda: LambdaInvoker;
  sqs: QueueSender;
  stepFunctions: StateMachineStarter;
  log: LogSink;
  faults?: {
    /** Asked once per valid entry: a truthy answer fails that entry as AWS does for partial failures. */
    rejectPutEventsEntry?: () => PutEventsFault;
  };
  /** Backoff between delivery attempts. @default { baseDelayMs: 200, maxDelayMs: 5000 } */
  retry?: Partial<RetrySettings>;
  /** @default '000000000000' */
  account?: string;
  /** @default 'us-east-1' */
  region?: string;
}

/** An event kept by an archive. */
export interface ArchivedEvent {
  archiveName: string;
  event: EventBridgeEvent;
  archivedAt: Date;
}

type Listener = (busName: string, event: EventBridgeEvent) => void;

interface Bus {
  def: EventBusDefinition;
  archived: ArchivedEvent[];
}

interface Rule {
  rule: RuleDefinition;
  arn: string;
}

const DEFAULT_BUS = 'default';

/** The bus name in an event-bus ARN (`arn:aws:events:region:account:event-bus/name`), or the name itself. */
function busNameOf(nameOrArn: string): string {
  const marker = ':event-bus/';
  const at = nameOrArn.indexOf(marker);
  return nameOrArn.startsWith('arn:') && at !== -1
    ? nameOrArn.slice(at + marker.length)
    : nameOrArn;
}

/**
 * The local EventBridge: buses with their rules and archives, PutEvents with AWS's
 * validation and per-entry results, pattern matching, and asynchronous delivery to
 * SQS, Lambda, Step Functions and other buses with retries and dead-letter queues.
 */
export class LocalEventBridge {
  private readonly deps: LocalEventBridgeDeps;
  private readonly account: string;
  private readonly region: string;
  private readonly busesByName = new Map<string, Bus>();
  private readonly rulesByBus = new Map<string, Map<string, Rule>>();
  private readonly listeners = new Set<Listener>();
  private readonly counter = new Counters();
  private readonly timers = new CancellableTimers();
  private readonly delivery: TargetDelivery;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(deps: LocalEventBridgeDeps) {
    this.deps = deps;
    this.account = deps.account ?? LOCAL_ACCOUNT;
    this.region = deps.region ?? LOCAL_REGION;
    this.delivery = new TargetDelivery({
      lambda: deps.lambda,
      sqs: deps.sqs,
      stepFunctions: deps.stepFunctions,
      log: deps.log,
      counters: this.counter,
      timers: this.timers,
      retry: { baseDelayMs: 200, maxDelayMs: 5000, ...deps.retry },
      now: () => Date.now(),
      forwardToBus: (busArn, event) => this.forward(busArn, event),
    });
    // Every account has a default bus.
    this.addBus({
      logicalId: 'DefaultEventBus',
      name: DEFAULT_BUS,
      arn: `arn:aws:events:${this.region}:${this.account}:event-bus/${DEFAULT_BUS}`,
      archives: [],
    });
  }

  /** Adds (or replaces) a bus; its archive patterns are validated now. */
  addBus(def: EventBusDefinition): void {
    for (const archive of def.archives) {
      if (archive.eventPattern !== undefined)
        this.validatePatternOf(`archive ${archive.name}`, archive.eventPattern);
    }
    const existing = this.busesByName.get(def.name);
    this.busesByName.set(def.name, { def, archived: existing?.archived ?? [] });
  }

  /** Adds (or replaces) a rule; its pattern and targets' input settings are validated now. */
  addRule(def: RuleDefinition): void {
    this.validatePatternOf(`rule ${def.name}`, def.eventPattern);
    for (const target of def.targets) validateTargetInput(target);
    const busName = busNameOf(def.eventBusName);
    const rule = { ...def, eventBusName: busName };
    // AWS names rules on custom buses `rule/<bus>/<name>`, on the default bus `rule/<name>`.
    const path = busName === DEFAULT_BUS ? def.name : `${busName}/${def.name}`;
    const rules = this.rulesByBus.get(busName) ?? new Map<string, Rule>();
    rules.set(def.name, {
      rule,
      arn: `arn:aws:events:${this.region}:${this.account}:rule/${path}`,
    });
    this.rulesByBus.set(busName, rules);
  }

  /**
   * PutEvents: validates the request (throws {@link EventBridgeApiError} when AWS
   * would refuse it whole), then answers per entry. Accepted events are archived,
   * shown to `onEvent` listeners and routed before this resolves; delivery to
   * targets happens afterwards, asynchronously, as in AWS.
   */
  putEvents(entries: PutEventsRequestEntry[] | IncomingEntry[]): Promise<PutEventsResponse> {
    // A throw in the executor (a refused request) becomes a rejection.
    return new Promise((resolve) => resolve(this.putEventsNow(entries)));
  }

  private putEventsNow(entries: PutEventsRequestEntry[] | IncomingEntry[]): PutEventsResponse {
    this.counter.inc('putEventsRequests');
    validateRequest(entries);
    const now = new Date();
    const results: PutEventsResultEntry[] = entries.map((entry) => {
      const outcome = buildEvent(entry, {
        id: randomUUID(),
        now,
        account: this.account,
        region: this.region,
        resolveBus: (nameOrArn) => this.bus(nameOrArn)?.def.name,
      });
      if (!outcome.ok) {
        this.counter.inc('putEventsFailedEntries');
        return { ErrorCode: outcome.errorCode, ErrorMessage: outcome.errorMessage };
      }
      const fault = this.deps.faults?.rejectPutEventsEntry?.();
      if (fault) {
        const code = fault === true ? 'InternalFailure' : fault;
        this.counter.inc('putEventsFailedEntries');
        this.counter.inc('putEventsInjectedFaults');
        return { ErrorCode: code, ErrorMessage: `${code} (injected fault)` };
      }
      this.counter.inc('putEventsEntries');
      this.accept(outcome.busName, outcome.event, now, { archive: true, forwarded: false });
      return { EventId: outcome.event.id };
    });
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  /** Calls `listener` with every event a bus accepts; returns the unsubscribe function. */
  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Serves an `AWSEvents.<action>` request (AWS JSON 1.1). */
  handleApiRequest(action: string, body: unknown): Promise<ApiResponse> {
    return handleEventsApi(
      {
        putEvents: (entries) => this.putEvents(entries as IncomingEntry[]),
        bus: (nameOrArn) => this.bus(nameOrArn)?.def,
        buses: () => [...this.busesByName.values()].map((b) => b.def),
        rules: (busName) => [...(this.rulesByBus.get(busName)?.values() ?? [])],
      },
      action,
      body,
    );
  }

  /**
   * Counters for tests and the cost benchmark: `putEventsRequests`,
   * `putEventsEntries` (accepted), `putEventsFailedEntries`, `matchedRules`,
   * `matchedTargets`, `deliveries.<sqs|lambda|stepFunctions|eventBus>`,
   * `deliveryRetries`, `failedDeliveries`, `deadLettered`, `archivedEvents`,
   * `replayedEvents`.
   */
  counters(): Record<string, number> {
    return this.counter.snapshot();
  }

  /** The events a bus's archives keep (one archive by name, or all), oldest first. */
  archived(busName: string, archiveName?: string): EventBridgeEvent[] {
    const bus = this.bus(busName);
    if (!bus) return [];
    this.expireArchived(bus);
    return bus.archived
      .filter((a) => archiveName === undefined || a.archiveName === archiveName)
      .map((a) => a.event);
  }

  /**
   * Like StartReplay: sends the events an archive kept (optionally only those
   * archived in [from, to)) to the rules of its bus again, with `replay-name` set.
   * Replayed events are not archived again. Resolves with how many were replayed.
   */
  replay(
    archiveName: string,
    options: { from?: Date; to?: Date; replayName?: string } = {},
  ): number {
    const bus = [...this.busesByName.values()].find((b) =>
      b.def.archives.some((a) => a.name === archiveName),
    );
    if (!bus) throw new Error(`Archive ${archiveName} does not exist`);
    this.expireArchived(bus);
    const replayName = options.replayName ?? `${archiveName}-replay-${randomUUID()}`;
    const selected = bus.archived.filter(
      (a) =>
        a.archiveName === archiveName &&
        (!options.from || a.archivedAt >= options.from) &&
        (!options.to || a.archivedAt < options.to),
    );
    const now = new Date();
    for (const { event } of selected) {
      this.counter.inc('replayedEvents');
      this.accept(bus.def.name, { ...event, 'replay-name': replayName }, now, {
        archive: false,
        forwarded: false,
      });
    }
    return selected.length;
  }

  /** Resolves once every delivery under way (retries included) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Cancels pending retries so the process can exit; deliveries under way are abandoned. */
  async stop(): Promise<void> {
    this.timers.stop();
    await this.idle();
  }

  // ---- internals ----------------------------------------------------------------

  private bus(nameOrArn: string | undefined): Bus | undefined {
    return this.busesByName.get(busNameOf(nameOrArn ?? DEFAULT_BUS));
  }

  private validatePatternOf(owner: string, pattern: unknown): void {
    try {
      validateEventPattern(pattern);
    } catch (error) {
      if (error instanceof InvalidEventPatternError) {
        throw new InvalidEventPatternError(
          `${owner}: ${error.message.replace(/^Event pattern is not valid\. Reason: /, '')}`,
        );
      }
      throw error;
    }
  }

  private expireArchived(bus: Bus): void {
    const now = Date.now();
    const retention = new Map(bus.def.archives.map((a) => [a.name, a.retentionDays]));
    bus.archived = bus.archived.filter((a) => {
      const days = retention.get(a.archiveName);
      return !days || now - a.archivedAt.getTime() < days * 86_400_000;
    });
  }

  /** Archives, announces and routes an accepted event. */
  private accept(
    busName: string,
    event: EventBridgeEvent,
    acceptedAt: Date,
    options: { archive: boolean; forwarded: boolean },
  ): void {
    const bus = this.busesByName.get(busName);
    if (bus && options.archive) {
      for (const archive of bus.def.archives) {
        if (archive.eventPattern && !matchesPattern(archive.eventPattern, event)) continue;
        bus.archived.push({ archiveName: archive.name, event, archivedAt: acceptedAt });
        this.counter.inc('archivedEvents');
      }
    }
    for (const listener of this.listeners) {
      try {
        listener(busName, event);
      } catch (error) {
        this.deps.log(
          `onEvent listener failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    for (const { rule, arn } of this.rulesByBus.get(busName)?.values() ?? []) {
      if (rule.state !== 'ENABLED' || !matchesPattern(rule.eventPattern, event)) continue;
      this.counter.inc('matchedRules');
      for (const target of rule.targets) {
        this.counter.inc('matchedTargets');
        this.schedule({
          event,
          target,
          facts: { ruleName: rule.name, ruleArn: arn, ingestionTime: eventTime(acceptedAt) },
          acceptedAt: acceptedAt.getTime(),
          forwarded: options.forwarded,
        });
      }
    }
  }

  /** Starts a delivery after the current turn, so PutEvents answers first. */
  private schedule(job: DeliveryJob): void {
    const run = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.timers.isStopped ? undefined : this.delivery.deliver(job),
    );
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** An event-bus target: the event enters the other bus (same id), is archived there and routed once more. */
  private forward(busArn: string, event: EventBridgeEvent): void {
    const bus = this.bus(busArn);
    if (!bus) throw new Error(`Event bus ${busArn} does not exist`);
    this.accept(bus.def.name, event, new Date(), { archive: true, forwarded: true });
  }
}
