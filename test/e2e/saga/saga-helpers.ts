import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import type { LocalCloud } from '../../../local/cloud.ts';
import type { ExecutionListItem } from '../../../local/stepfunctions/index.ts';
import type { OrderView } from '../../../lambdas/orders/use-cases/order-view.ts';
import type { TimelineEntry } from '../../../lambdas/orders/domain/timeline.ts';
import type { NotificationRecord } from '../../../lambdas/notifications/use-cases/ports.ts';
import { api, eventually, orderBody, resourceNamed } from '../product/product-cloud.ts';

// Saga-level helpers over the product-cloud ones: place orders, seed stock, wait for an
// order to settle, and read what each service shows over HTTP. Every test passes its own
// ids (`uniqueId`) so tests stay independent and can run in any order.

/** A fresh id with a readable prefix (customer ids, SKUs). */
export const uniqueId = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 13)}`;

/** Stock as `GET /inventory/{sku}` shows it. */
export interface Stock {
  sku: string;
  quantity: number;
  available: number;
  reserved: number;
}

/** Creates (or replaces) a product with `quantity` units on hand. */
export async function seedProduct(cloud: LocalCloud, sku: string, quantity: number): Promise<void> {
  const response = await api(cloud, 'PUT', `/inventory/${encodeURIComponent(sku)}`, {
    name: `Product ${sku}`,
    quantity,
    unitPrice: 12.5,
  });
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`Seeding ${sku}: ${response.status} ${JSON.stringify(response.json)}`);
  }
}

/** The product's stock levels. */
export async function stockOf(cloud: LocalCloud, sku: string): Promise<Stock> {
  const response = await api(cloud, 'GET', `/inventory/${encodeURIComponent(sku)}`);
  if (response.status !== 200) throw new Error(`GET /inventory/${sku}: ${response.status}`);
  return response.json as unknown as Stock;
}

/** Options of {@link placeOrder}: the lines' SKU and quantity, and a payment token. */
export interface PlaceOrderOptions {
  sku: string;
  quantity?: number;
  paymentToken?: string;
}

/**
 * `POST /orders` for one line; resolves to the new order's id (and fails the test on
 * anything but a 201).
 */
export async function placeOrder(
  cloud: LocalCloud,
  customerId: string,
  { sku, quantity = 1, paymentToken }: PlaceOrderOptions,
): Promise<string> {
  const response = await api(
    cloud,
    'POST',
    '/orders',
    orderBody(customerId, {
      items: [{ sku, quantity, unitPrice: 12.5 }],
      ...(paymentToken === undefined ? {} : { paymentToken }),
    }),
  );
  if (response.status !== 201) {
    throw new Error(`POST /orders: ${response.status} ${JSON.stringify(response.json)}`);
  }
  return response.json.orderId as string;
}

/** The order as `GET /orders/{id}` shows it. */
export async function getOrder(cloud: LocalCloud, orderId: string): Promise<OrderView> {
  const response = await api(cloud, 'GET', `/orders/${orderId}`);
  if (response.status !== 200) throw new Error(`GET /orders/${orderId}: ${response.status}`);
  return response.json as unknown as OrderView;
}

/**
 * Polls the order until `accept` holds, and returns it. On timeout the error names the
 * order's last state, so a failing scenario says where the saga stopped.
 */
export async function waitForOrder(
  cloud: LocalCloud,
  orderId: string,
  accept: (order: OrderView) => boolean,
  { timeoutMs = 30_000, what = 'the expected state' } = {},
): Promise<OrderView> {
  let last: OrderView | undefined;
  try {
    return await eventually(
      async () => {
        last = await getOrder(cloud, orderId);
        return accept(last) ? last : undefined;
      },
      { timeoutMs, intervalMs: 200, what: `order ${orderId} to reach ${what}` },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen: ${JSON.stringify(last)}`, {
      cause: error,
    });
  }
}

/** Whether the order is CONFIRMED or CANCELLED. */
export const isFinal = (order: OrderView): boolean => order.status !== 'PENDING';

/** The order's notifications (`GET /orders/{id}/notifications`), oldest first. */
export async function notificationsOf(
  cloud: LocalCloud,
  orderId: string,
): Promise<NotificationRecord[]> {
  const response = await api(cloud, 'GET', `/orders/${orderId}/notifications`);
  if (response.status !== 200) {
    throw new Error(`GET /orders/${orderId}/notifications: ${response.status}`);
  }
  return response.json.items as NotificationRecord[];
}

/** Waits until the order has `count` SENT notifications, and returns all of them. */
export function waitForSentNotifications(
  cloud: LocalCloud,
  orderId: string,
  count: number,
  timeoutMs = 30_000,
): Promise<NotificationRecord[]> {
  return eventually(
    async () => {
      const items = await notificationsOf(cloud, orderId);
      return items.filter((n) => n.status === 'SENT').length >= count ? items : undefined;
    },
    { timeoutMs, intervalMs: 200, what: `${count} notifications sent for ${orderId}` },
  );
}

/** The order's timeline (`GET /orders/{id}/timeline`), oldest first. */
export async function timelineOf(cloud: LocalCloud, orderId: string): Promise<TimelineEntry[]> {
  const response = await api(cloud, 'GET', `/orders/${orderId}/timeline`);
  if (response.status !== 200)
    throw new Error(`GET /orders/${orderId}/timeline: ${response.status}`);
  return response.json.items as TimelineEntry[];
}

/** The events of one detail-type about one order that reached the bus. */
export function busEvents(cloud: LocalCloud, detailType: string, orderId: string) {
  return cloud.events
    .received()
    .filter(
      ({ event }) =>
        event['detail-type'] === detailType &&
        (event.detail as { orderId?: string }).orderId === orderId,
    )
    .map(({ event }) => event);
}

/** The name of the saga timer state machine (the only one in the stack). */
export function timerStateMachine(cloud: LocalCloud): string {
  const [timer, ...others] = cloud.model.stateMachines;
  if (!timer || others.length > 0) {
    throw new Error(`Expected one state machine, found ${cloud.model.stateMachines.length}`);
  }
  return timer.name;
}

/** The order's saga timer execution (executions are named by order id). */
export async function timerExecutionOf(
  cloud: LocalCloud,
  orderId: string,
): Promise<ExecutionListItem | undefined> {
  const executions = await cloud.executions.list(timerStateMachine(cloud));
  return executions.find((execution) => execution.name === orderId);
}

/**
 * Waits until the order's timer was started and is no longer running (stopped when the
 * order became final, or done), and returns it.
 */
export function waitForTimerStopped(
  cloud: LocalCloud,
  orderId: string,
  timeoutMs = 15_000,
): Promise<ExecutionListItem> {
  return eventually(
    async () => {
      const execution = await timerExecutionOf(cloud, orderId);
      return execution && execution.status !== 'RUNNING' ? execution : undefined;
    },
    { timeoutMs, intervalMs: 200, what: `the saga timer of ${orderId} to stop` },
  );
}

/** What the timer-start consumer decided for an order, once the grace period was over. */
export type TimerDecision = 'started' | 'not-needed';

/**
 * Waits until the timer-start consumer has handled the order's OrderCreated (after the
 * stage's grace period) and returns what it decided, read from the line it logged.
 */
export function waitForTimerDecision(
  cloud: LocalCloud,
  orderId: string,
  timeoutMs = 20_000,
): Promise<TimerDecision> {
  const prefix = `[${resourceNamed(cloud, 'functions', 'SagaTimerStartsHandler').name}] `;
  const decisions: Record<string, TimerDecision> = {
    'Saga timer started': 'started',
    'Order final within the grace period: no saga timer': 'not-needed',
  };
  return eventually(
    () => {
      for (const line of cloud.logs()) {
        if (!line.startsWith(prefix) || !line.includes(orderId)) continue;
        const entry = JSON.parse(line.slice(prefix.length)) as Record<string, unknown>;
        const decision = decisions[String(entry.message)];
        if (entry.orderId === orderId && decision) return decision;
      }
      return undefined;
    },
    { timeoutMs, intervalMs: 200, what: `the timer decision for ${orderId}` },
  );
}

/**
 * Asserts that the timeline's entries are the given changes, in that order, and that each
 * entry is no earlier than the one before it.
 */
export function expectTimeline(
  timeline: TimelineEntry[],
  expected: Partial<TimelineEntry>[],
): void {
  expect(timeline).toEqual(expected.map((entry) => expect.objectContaining(entry)));
  const times = timeline.map((entry) => entry.at);
  expect(times).toEqual([...times].sort());
}

/**
 * Runs `task` over `inputs` with at most `limit` in flight, results in input order; the
 * bounded concurrency a well-behaved client (or a load generator) uses.
 */
export async function mapWithConcurrency<T, R>(
  inputs: readonly T[],
  limit: number,
  task: (input: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await task(inputs[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return results;
}
