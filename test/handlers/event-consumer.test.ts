import { describe, expect, it } from '@jest/globals';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { OrderCreated, PaymentCompleted } from '../../events/index.ts';
import { createEventConsumer } from '../../lambdas/shared/event-consumer.ts';
import { createObservability } from '../../lambdas/shared/observability.ts';

const context = {
  awsRequestId: 'req-1',
  functionName: 'consumer',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const paymentCompleted = (eventId: string) =>
  PaymentCompleted.create(
    {
      eventId,
      occurredAt: '2026-11-23T10:00:00.000Z',
      orderId: 'ord-1',
      correlationId: 'ord-1',
      causationId: 'evt-0',
      sequence: 1,
    },
    { paymentId: 'pay-1', amount: 100, currency: 'USD', items: [{ sku: 'S', quantity: 1 }] },
  );

const record = (messageId: string, body: unknown): SQSRecord =>
  ({
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  }) as SQSRecord;

const delivered = (detail: ReturnType<typeof paymentCompleted>) => ({
  version: '0',
  id: 'eb-1',
  source: PaymentCompleted.source,
  'detail-type': PaymentCompleted.detailType,
  detail,
});

describe('createEventConsumer', () => {
  it('hands each valid event to the use case and reports only the failing messages', async () => {
    const seen: string[] = [];
    const handler = createEventConsumer({
      contracts: [PaymentCompleted, OrderCreated],
      observability: createObservability('test'),
      handle: ({ event }) => {
        if (event.eventId === 'evt-bad') return Promise.reject(new Error('downstream failed'));
        seen.push(event.eventId);
        return Promise.resolve();
      },
    });
    const event: SQSEvent = {
      Records: [
        record('m1', delivered(paymentCompleted('evt-1'))),
        record('m2', delivered(paymentCompleted('evt-bad'))),
        record('m3', 'not json'),
        record('m4', { ...delivered(paymentCompleted('evt-4')), 'detail-type': 'Other' }),
        record('m5', delivered(paymentCompleted('evt-5'))),
      ],
    };
    const response = await handler(event, context);
    expect(seen).toEqual(['evt-1', 'evt-5']);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'm2',
      'm3',
      'm4',
    ]);
  });

  it('answers with every message when the whole batch fails, instead of throwing', async () => {
    const handler = createEventConsumer({
      contracts: [PaymentCompleted],
      observability: createObservability('test'),
      handle: () => Promise.reject(new Error('down')),
    });
    const response = await handler(
      { Records: [record('a', delivered(paymentCompleted('e1')))] },
      context,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
  });
});

describe('createEventConsumer ordering', () => {
  it('handles the messages of a batch one at a time, in order', async () => {
    const log: string[] = [];
    const handler = createEventConsumer({
      contracts: [PaymentCompleted],
      observability: createObservability('test'),
      handle: async ({ event }) => {
        log.push(`start ${event.eventId}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`end ${event.eventId}`);
      },
    });
    await handler(
      {
        Records: [
          record('a', delivered(paymentCompleted('e1'))),
          record('b', delivered(paymentCompleted('e2'))),
        ],
      },
      context,
    );
    expect(log).toEqual(['start e1', 'end e1', 'start e2', 'end e2']);
  });
});

describe('createEventConsumer logging', () => {
  it('says why a message failed, naming it, since SQS only gets its id back', async () => {
    const observability = createObservability('test');
    const errors: unknown[][] = [];
    const warnings: unknown[][] = [];
    observability.logger.error = (...args: unknown[]) => void errors.push(args);
    observability.logger.warn = (...args: unknown[]) => void warnings.push(args);
    const handler = createEventConsumer({
      contracts: [PaymentCompleted],
      observability,
      handle: () => Promise.reject(new Error('table unavailable')),
    });
    await handler(
      { Records: [record('poison', 'not json'), record('ok', delivered(paymentCompleted('e1')))] },
      context,
    );
    expect(errors).toEqual([
      ['Unprocessable message', expect.objectContaining({ messageId: 'poison' })],
    ]);
    expect(warnings).toEqual([
      ['Message failed; the queue will redeliver it', expect.objectContaining({ messageId: 'ok' })],
    ]);
  });
});
