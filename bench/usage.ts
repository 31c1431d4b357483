import type { FunctionTrigger, FunctionUsage, MeasuredUsage } from './cost-model.ts';

/**
 * Turns what the local cloud counted during a window into the cost model's usage.
 * Pure: the inputs are counter snapshots, the stack's shape and the events seen.
 */

/** `after − before` for every counter (counters only grow). */
export function counterDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([key, value]) => [key, value - (before[key] ?? 0)]),
  );
}

/** A function of the stack, as the cost model needs to know it. */
export interface StackFunction {
  name: string;
  memoryMb: number;
  trigger: FunctionTrigger;
}

/** The parts of the stack that route an event to the functions that get it. */
export interface Routing {
  /** Rules: a pattern and the queue ARNs it sends to. */
  rules: { matches: (event: unknown) => boolean; queueArns: string[] }[];
  /** SQS event source mappings: queue ARN → function name. */
  queueConsumers: Map<string, string>;
  /** Outbox relays: event source (e.g. `shop.orders`) → relay function name. */
  relays: Map<string, string>;
}

/**
 * Records each function was given for `events` (the events the bus received): each
 * event is one outbox record for its source's relay and one message for the consumer
 * of every queue a matching rule sends it to.
 */
export function recordsByFunction(
  events: readonly { source: string }[],
  routing: Routing,
): Map<string, number> {
  const records = new Map<string, number>();
  const bump = (name: string | undefined) => {
    if (name !== undefined) records.set(name, (records.get(name) ?? 0) + 1);
  };
  for (const event of events) {
    bump(routing.relays.get(event.source));
    for (const rule of routing.rules) {
      if (!rule.matches(event)) continue;
      for (const arn of rule.queueArns) bump(routing.queueConsumers.get(arn));
    }
  }
  return records;
}

/** Everything measured in one window, to build the cost model's usage from. */
export interface WindowMeasurements {
  orders: number;
  counters: Record<string, number>;
  functions: readonly StackFunction[];
  records: Map<string, number>;
  dynamoDb: MeasuredUsage['dynamoDb'];
  logBytes: number;
}

/** The cost model's usage for a window, from the local cloud's counters (deltas). */
export function measuredUsage(m: WindowMeasurements): MeasuredUsage {
  const count = (key: string) => m.counters[key] ?? 0;
  const functions: FunctionUsage[] = m.functions.map((f) => {
    const invocations = count(`lambda.${f.name}.invocations`);
    return {
      name: f.name,
      trigger: f.trigger,
      memoryMb: f.memoryMb,
      invocations,
      billedMs: count(`lambda.${f.name}.billedMs`),
      records:
        f.trigger === 'stream' || f.trigger === 'queue'
          ? Math.max(invocations, m.records.get(f.name) ?? 0)
          : invocations,
    };
  });
  return {
    orders: m.orders,
    functions,
    dynamoDb: m.dynamoDb,
    putEventsEntries: count('events.putEventsEntries'),
    sqsRequests: count('sqs.requests'),
    sqsRequestsByAction: Object.fromEntries(
      Object.entries(m.counters)
        .filter(([key, n]) => key.startsWith('sqs.requests.') && n > 0)
        .map(([key, n]) => [key.slice('sqs.requests.'.length), n]),
    ),
    stateTransitions: count('states.stateTransitions'),
    apiRequests: count('apigateway.requests'),
    logBytes: m.logBytes,
  };
}
