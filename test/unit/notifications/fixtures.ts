import type { Context, SQSRecord } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
} from '@aws-lambda-powertools/idempotency';
import { OrderCancelled, OrderConfirmed, type CancellationReason } from '../../../events/index.ts';
import type {
  Notification,
  OutgoingMessage,
} from '../../../lambdas/notifications/domain/notification.ts';
import type {
  Delivery,
  NotificationProvider,
  NotificationRecord,
  NotificationStore,
  ProviderReceipt,
  RecordOutcome,
} from '../../../lambdas/notifications/use-cases/ports.ts';
import type { Observability } from '../../../lambdas/shared/observability.ts';

/** Helpers shared by the notification service's unit, handler and integration tests. */

export const NOW = new Date('2026-03-01T12:00:00.000Z');

interface EventOptions {
  orderId?: string;
  eventId?: string;
  customerId?: string;
  /** `null`: the event carries no address. */
  customerEmail?: string | null;
  occurredAt?: string;
}

function envelope(options: EventOptions) {
  const orderId = options.orderId ?? 'ord-1';
  return {
    fields: {
      eventId: options.eventId ?? 'evt-1',
      occurredAt: options.occurredAt ?? NOW.toISOString(),
      orderId,
      correlationId: orderId,
      causationId: 'evt-0',
      sequence: 4,
    },
    customer: {
      customerId: options.customerId ?? 'cust-1001',
      ...(options.customerEmail === null
        ? {}
        : { customerEmail: options.customerEmail ?? 'alice@example.com' }),
    },
  };
}

/** A valid OrderConfirmed envelope. */
export function orderConfirmed(options: EventOptions = {}) {
  const { fields, customer } = envelope(options);
  return OrderConfirmed.create(fields, { ...customer, currency: 'USD', total: 2500 });
}

/** A valid OrderCancelled envelope. */
export function orderCancelled(options: EventOptions & { reason?: CancellationReason } = {}) {
  const { fields, customer } = envelope(options);
  return OrderCancelled.create(fields, {
    ...customer,
    currency: 'USD',
    total: 2500,
    reason: options.reason ?? 'out_of_stock',
  });
}

type AnyNotifiable = ReturnType<typeof orderConfirmed> | ReturnType<typeof orderCancelled>;

/** The SQS message an EventBridge rule delivers for `detail`. */
export function sqsRecord(messageId: string, detail: AnyNotifiable | string): SQSRecord {
  const body =
    typeof detail === 'string'
      ? detail
      : JSON.stringify({
          version: '0',
          id: `eb-${messageId}`,
          source: OrderConfirmed.source,
          'detail-type': detail.type,
          detail,
        });
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'events',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:notifications',
    awsRegion: 'us-east-1',
  };
}

/** A Lambda context with `remainingMs` left. */
export function lambdaContext(remainingMs = 30_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'notifications',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:notifications',
    memoryLimitInMB: '256',
    awsRequestId: 'lambda-request-1',
    logGroupName: '/aws/lambda/notifications',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Powertools utilities that stay quiet in test output (spy on them to assert). */
export function quietObservability(): Observability {
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const metrics = new Metrics({ serviceName: 'notifications', namespace: 'OrderSagaTest' });
  if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
  else process.env.POWERTOOLS_METRICS_DISABLED = previous;
  return {
    logger: new Logger({ serviceName: 'notifications', logLevel: 'SILENT' }),
    metrics,
  };
}

/**
 * A provider that accepts every message unless `failWhen` says otherwise, and remembers
 * what it accepted (`sent`) and every call (`calls`).
 */
export class FakeProvider implements NotificationProvider {
  readonly sent: OutgoingMessage[] = [];
  readonly calls: OutgoingMessage[] = [];
  failWhen: (message: OutgoingMessage) => boolean = () => false;
  /** Called before answering, e.g. to hold the send open while a duplicate runs. */
  beforeAnswer: (message: OutgoingMessage) => Promise<void> = () => Promise.resolve();
  private counter = 0;

  async send(message: OutgoingMessage): Promise<ProviderReceipt> {
    this.calls.push(message);
    await this.beforeAnswer(message);
    if (this.failWhen(message)) throw new Error(`${message.channel} gateway unavailable`);
    this.sent.push(message);
    return { messageId: `msg-${++this.counter}` };
  }

  sentOn(channel: OutgoingMessage['channel']): OutgoingMessage[] {
    return this.sent.filter((message) => message.channel === channel);
  }
}

/**
 * An in-memory {@link NotificationStore} with the DynamoDB store's semantics: one record
 * per (order, event, channel), each attempt adds one, a delivery is counted once, and a
 * sent notification never turns back into a failed one.
 */
export class FakeNotificationStore implements NotificationStore {
  readonly records = new Map<string, NotificationRecord>();
  /** When set, every write throws it (e.g. DynamoDB unreachable). */
  failWrites: Error | undefined;
  /** Writes of attempt records tried, failed ones included. */
  attemptWrites = 0;

  private upsert(notification: Notification, now: Date, change: Partial<NotificationRecord>) {
    const key = `${notification.orderId}#${notification.eventId}#${notification.message.channel}`;
    const existing = this.records.get(key);
    const record: NotificationRecord = {
      orderId: notification.orderId,
      eventId: notification.eventId,
      eventType: notification.eventType,
      channel: notification.message.channel,
      recipient: notification.maskedRecipient,
      template: notification.message.template,
      status: 'FAILED',
      createdAt: existing?.createdAt ?? now.toISOString(),
      ...existing,
      ...change,
      attempts: (existing?.attempts ?? 0) + 1,
      updatedAt: now.toISOString(),
    };
    this.records.set(key, record);
  }

  private existing(notification: Notification) {
    return this.records.get(
      `${notification.orderId}#${notification.eventId}#${notification.message.channel}`,
    );
  }

  recordSent(notification: Notification, delivery: Delivery, now: Date): Promise<RecordOutcome> {
    this.attemptWrites += 1;
    if (this.failWrites) return Promise.reject(this.failWrites);
    const existing = this.existing(notification);
    const known = [
      ...(existing?.earlierProviderMessageIds ?? []),
      ...(existing?.providerMessageId === undefined ? [] : [existing.providerMessageId]),
    ];
    if (known.includes(delivery.messageId)) return Promise.resolve('unchanged');
    this.upsert(notification, now, {
      status: 'SENT',
      sentAt: delivery.sentAt,
      providerMessageId: delivery.messageId,
      ...(known.length > 0 ? { earlierProviderMessageIds: known } : {}),
    });
    return Promise.resolve('recorded');
  }

  recordFailed(notification: Notification, error: string, now: Date): Promise<RecordOutcome> {
    this.attemptWrites += 1;
    if (this.failWrites) return Promise.reject(this.failWrites);
    if (this.existing(notification)?.status === 'SENT') return Promise.resolve('unchanged');
    this.upsert(notification, now, { status: 'FAILED', lastError: error });
    return Promise.resolve('recorded');
  }

  listByOrder(orderId: string): Promise<NotificationRecord[]> {
    return Promise.resolve([...this.records.values()].filter((r) => r.orderId === orderId));
  }

  /** Orders whose cancellation was noted. */
  readonly cancelled = new Set<string>();

  noteCancellation(orderId: string): Promise<void> {
    if (this.failWrites) return Promise.reject(this.failWrites);
    this.cancelled.add(orderId);
    return Promise.resolve();
  }

  wasCancelled(orderId: string): Promise<boolean> {
    return Promise.resolve(this.cancelled.has(orderId));
  }

  get(orderId: string, eventId: string, channel: string): NotificationRecord | undefined {
    return this.records.get(`${orderId}#${eventId}#${channel}`);
  }
}

/**
 * A Powertools persistence layer in memory, with the DynamoDB layer's rules: a record
 * can be written when there is none, when it expired, or when it is in progress past
 * its in-progress expiry; otherwise the write fails with the existing record.
 */
export class InMemoryPersistenceLayer extends BasePersistenceLayer {
  readonly records = new Map<string, IdempotencyRecord>();
  /** When set, every write throws it (e.g. the idempotency table unreachable). */
  failWrites: Error | undefined;
  /** When set, the write that completes a record (after the function succeeded) throws it. */
  failCompletions: Error | undefined;

  protected _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.records.get(idempotencyKey);
    if (!record) return Promise.reject(new IdempotencyItemNotFoundError());
    return Promise.resolve(record);
  }

  protected _putRecord(record: IdempotencyRecord): Promise<void> {
    if (this.failWrites) return Promise.reject(this.failWrites);
    const existing = this.records.get(record.idempotencyKey);
    const nowMs = Date.now();
    const free =
      !existing ||
      (existing.expiryTimestamp ?? 0) < nowMs / 1000 ||
      (existing.getStatus() === 'INPROGRESS' &&
        existing.inProgressExpiryTimestamp !== undefined &&
        existing.inProgressExpiryTimestamp < nowMs);
    if (!free) {
      return Promise.reject(
        new IdempotencyItemAlreadyExistsError(`Record exists: ${record.idempotencyKey}`, existing),
      );
    }
    this.records.set(record.idempotencyKey, record);
    return Promise.resolve();
  }

  protected _updateRecord(record: IdempotencyRecord): Promise<void> {
    const failure = this.failWrites ?? this.failCompletions;
    if (failure) return Promise.reject(failure);
    this.records.set(record.idempotencyKey, record);
    return Promise.resolve();
  }

  protected _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
    return Promise.resolve();
  }
}
