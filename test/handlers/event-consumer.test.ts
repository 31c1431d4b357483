import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { OrderCreated, PaymentCompleted } from '../../events/index.ts';
import {
  consumerMetrics,
  createEventConsumer,
  createKeyedSequencer,
  DeferredMessageError,
  RETRY_DELAYS_SECONDS,
} from '../../lambdas/shared/event-consumer.ts';
import { createObservability } from '../../lambdas/shared/observability.ts';
import { keysOfLogCall, lambdaContext, spyOnLogs } from '../support/lambda-fixtures.ts';

const context = {
  awsRequestId: 'req-1',
  functionName: 'consumer',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const paymentCompleted = (eventId: string, orderId = 'ord-1') =>
  PaymentCompleted.create(
    {
      eventId,
      occurredAt: '2026-11-23T10:00:00.000Z',
      orderId,
      correlationId: `corr-${orderId}`,
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

/** Resolves after `ms` (a real delay, so that concurrent handlers interleave). */
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createEventConsumer ordering', () => {
  it('handles the messages of one order one at a time, in the order of the batch', async () => {
    const log: string[] = [];
    const handler = createEventConsumer({
      contracts: [PaymentCompleted],
      observability: createObservability('test'),
      handle: async ({ event }) => {
        log.push(`start ${event.eventId}`);
        await delay(5);
        log.push(`end ${event.eventId}`);
      },
    });
    await handler(
      {
        Records: [
          record('a', delivered(paymentCompleted('e1'))),
          record('b', delivered(paymentCompleted('e2'))),
          record('c', delivered(paymentCompleted('e3'))),
        ],
      },
      context,
    );
    expect(log).toEqual(['start e1', 'end e1', 'start e2', 'end e2', 'start e3', 'end e3']);
  });

  it('handles messages of different orders at the same time', async () => {
    const log: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const secondOrderStarted = new Promise<void>((resolve) => (releaseFirst = resolve));
    const handler = createEventConsumer({
      contracts: [PaymentCompleted],
      observability: createObservability('test'),
      handle: async ({ event }) => {
        log.push(`start ${event.orderId}`);
        if (event.orderId === 'ord-A') {
          // Finishes only once ord-B has started: one message at a time would fail it.
          let timer: NodeJS.Timeout | undefined;
          const started = await Promise.race([
            secondOrderStarted.then(() => true),
            new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 2000))),
          ]);
          clearTimeout(timer);
          if (!started) throw new Error('ord-B did not start while ord-A was running');
        } else {
          releaseFirst();
        }
        log.push(`end ${event.orderId}`);
      },
    });
    const response = await handler(
      {
        Records: [
          record('a', delivered(paymentCompleted('e1', 'ord-A'))),
          record('b', delivered(paymentCompleted('e2', 'ord-B'))),
        ],
      },
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(log).toEqual(['start ord-A', 'start ord-B', 'end ord-B', 'end ord-A']);
  });

  it("starts an order's next message once the previous one failed, and reports only the failed one", async () => {
    const log: string[] = [];
    const handler = createEventConsumer({
      contracts: [PaymentCompleted],
      observability: createObservability('test'),
      handle: async ({ event }) => {
        log.push(`start ${event.eventId}`);
        await delay(5);
        log.push(`end ${event.eventId}`);
        if (event.eventId === 'e1') throw new Error('conflict');
      },
    });
    const response = await handler(
      {
        Records: [
          record('a', delivered(paymentCompleted('e1'))),
          record('b', delivered(paymentCompleted('e2'))),
        ],
      },
      context,
    );
    expect(log).toEqual(['start e1', 'end e1', 'start e2', 'end e2']);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
  });
});

describe('createKeyedSequencer', () => {
  it('runs tasks of a key in the order given and tasks of different keys concurrently', async () => {
    const inOrderOf = createKeyedSequencer();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await delay(ms);
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      inOrderOf('k1', task('k1-first', 20)),
      inOrderOf('k2', task('k2-only', 5)),
      inOrderOf('k1', task('k1-second', 1)),
    ]);
    expect(results).toEqual(['k1-first', 'k2-only', 'k1-second']);
    expect(log).toEqual([
      'start k1-first',
      'start k2-only',
      'end k2-only',
      'end k1-first',
      'start k1-second',
      'end k1-second',
    ]);
  });

  it('passes on the outcome of each task, a rejection included', async () => {
    const inOrderOf = createKeyedSequencer();
    const failed = inOrderOf('k', () => Promise.reject(new Error('boom')));
    const next = inOrderOf('k', () => Promise.resolve('after'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('after');
  });
});

describe('createEventConsumer logging', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('says why a message failed, naming it, since SQS only gets its id back', async () => {
    const observability = createObservability('test');
    // On the prototype: the failure line comes from the message's child logger.
    const error = spyOnLogs('error').mockImplementation(() => undefined);
    const warn = spyOnLogs('warn').mockImplementation(() => undefined);
    const handler = createEventConsumer({
      contracts: [PaymentCompleted],
      observability,
      handle: () => Promise.reject(new Error('table unavailable')),
    });
    await handler(
      { Records: [record('poison', 'not json'), record('ok', delivered(paymentCompleted('e1')))] },
      context,
    );
    expect(error.mock.calls).toEqual([
      ['Unprocessable message', expect.objectContaining({ messageId: 'poison' })],
    ]);
    expect(warn.mock.calls).toEqual([
      ['Message failed; the queue will redeliver it', expect.objectContaining({ messageId: 'ok' })],
    ]);
    expect(keysOfLogCall(warn)).toMatchObject({ orderId: 'ord-1', eventId: 'e1' });
  });
});

describe('createEventConsumer metrics', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('counts each message handled or failed, but not one deferred on purpose, so no invocation flushes no metric', async () => {
    const observability = createObservability('test');
    const addMetric = jest.spyOn(observability.metrics, 'addMetric');
    jest.spyOn(observability.logger, 'error').mockImplementation(() => undefined);
    spyOnLogs('warn').mockImplementation(() => undefined);
    spyOnLogs('info').mockImplementation(() => undefined);
    const outcomes: Record<string, () => Promise<void>> = {
      e1: () => Promise.resolve(),
      e2: () => Promise.reject(new Error('throttled')),
      e3: () => Promise.reject(new DeferredMessageError('settles later')),
    };
    const handler = createEventConsumer({
      contracts: [PaymentCompleted],
      observability,
      handle: ({ event }) => outcomes[event.eventId]!(),
    });
    await handler(
      {
        Records: [
          record('ok', delivered(paymentCompleted('e1'))),
          record('failing', delivered(paymentCompleted('e2', 'ord-2'))),
          record('slow', delivered(paymentCompleted('e3', 'ord-3'))),
          record('poison', 'not json'),
        ],
      },
      context,
    );
    const counted = addMetric.mock.calls.map(([name, , value]) => [name, value]);
    expect(counted.filter(([name]) => name === consumerMetrics.handled)).toEqual([
      [consumerMetrics.handled, 1],
    ]);
    expect(counted.filter(([name]) => name === consumerMetrics.failed)).toEqual([
      [consumerMetrics.failed, 1],
      [consumerMetrics.failed, 1],
    ]);
  });
});

describe('createEventConsumer near its timeout', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('answers just before the timeout with only the messages not handled yet as failed, so the handled ones are not redelivered', async () => {
    const observability = createObservability('test');
    jest.spyOn(observability.logger, 'error').mockImplementation(() => undefined);
    const handler = createEventConsumer({
      contracts: [PaymentCompleted],
      observability,
      // ord-2's call hangs (a DynamoDB call stuck until its deadlines): its own message and
      // the next one of ord-2 never finish; ord-1's do.
      handle: ({ event }) =>
        event.orderId === 'ord-2' ? new Promise<void>(() => undefined) : Promise.resolve(),
    });
    const response = await handler(
      {
        Records: [
          record('done-1', delivered(paymentCompleted('e1'))),
          record('stuck', delivered(paymentCompleted('e2', 'ord-2'))),
          record('queued-behind', delivered(paymentCompleted('e3', 'ord-2'))),
          record('done-2', delivered(paymentCompleted('e4'))),
        ],
      },
      lambdaContext(300),
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'stuck' },
      { itemIdentifier: 'queued-behind' },
    ]);
  });
});

describe('createEventConsumer deferred messages', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('logs a message deferred on purpose as information, not as a failed message', async () => {
    const info = spyOnLogs('info').mockImplementation(() => undefined);
    const warn = spyOnLogs('warn').mockImplementation(() => undefined);
    const handler = createEventConsumer({
      contracts: [PaymentCompleted],
      observability: createObservability('test'),
      handle: () => Promise.reject(new DeferredMessageError('charge settles in 2 minutes')),
    });
    const response = await handler(
      { Records: [record('slow', delivered(paymentCompleted('e1')))] },
      context,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'slow' }]);
    expect(warn).not.toHaveBeenCalled();
    expect(info.mock.calls).toContainEqual([
      'Message deferred; the queue will deliver it again when due',
      { messageId: 'slow', receiveCount: 1, reason: 'charge settles in 2 minutes' },
    ]);
  });
});

describe('createEventConsumer per-message logger', () => {
  const devMode = process.env.POWERTOOLS_DEV;
  afterEach(() => {
    jest.restoreAllMocks();
    if (devMode === undefined) delete process.env.POWERTOOLS_DEV;
    else process.env.POWERTOOLS_DEV = devMode;
  });

  it("gives each message a logger with that message's keys, even while other orders run", async () => {
    // In dev mode the Powertools logger writes through the global console, which the test reads.
    process.env.POWERTOOLS_DEV = 'true';
    const lines: Record<string, unknown>[] = [];
    jest.spyOn(console, 'info').mockImplementation((text: unknown) => {
      lines.push(JSON.parse(String(text)) as Record<string, unknown>);
    });
    const observability = createObservability('test');
    const handler = createEventConsumer({
      contracts: [PaymentCompleted],
      observability,
      handle: async ({ event, logger }) => {
        logger.info('before');
        // The other order's message runs in between.
        await delay(event.orderId === 'ord-A' ? 20 : 1);
        logger.info('after');
      },
    });
    await handler(
      {
        Records: [
          record('a', delivered(paymentCompleted('e1', 'ord-A'))),
          record('b', delivered(paymentCompleted('e2', 'ord-B'))),
        ],
      },
      context,
    );
    const seen = lines.map((line) => [
      line.message,
      line.orderId,
      line.eventId,
      line.eventType,
      line.correlation_id,
    ]);
    expect(seen).toEqual([
      ['before', 'ord-A', 'e1', 'PaymentCompleted', 'corr-ord-A'],
      ['before', 'ord-B', 'e2', 'PaymentCompleted', 'corr-ord-B'],
      ['after', 'ord-B', 'e2', 'PaymentCompleted', 'corr-ord-B'],
      ['after', 'ord-A', 'e1', 'PaymentCompleted', 'corr-ord-A'],
    ]);
    // The shared logger keeps no message's keys once the batch is done.
    observability.logger.info('later');
    expect(lines.at(-1)).not.toHaveProperty('orderId');
  });
});

describe('createEventConsumer early retries', () => {
  const receivedTimes = (r: SQSRecord, count: number): SQSRecord => ({
    ...r,
    attributes: { ...r.attributes, ApproximateReceiveCount: String(count) },
  });

  const consumerWith = (
    handle: () => Promise<void>,
    delay: (receiptHandle: string, seconds: number) => Promise<void>,
  ) => {
    const delays: [string, number][] = [];
    const handler = createEventConsumer({
      contracts: [PaymentCompleted],
      observability: createObservability('test'),
      handle,
      retries: {
        delay: (receiptHandle, seconds) => {
          delays.push([receiptHandle, seconds]);
          return delay(receiptHandle, seconds);
        },
      },
    });
    return { handler, delays };
  };

  it('brings a failed message back after 5 s the first time, then leaves it to the visibility timeout', async () => {
    const { handler, delays } = consumerWith(
      () => Promise.reject(new Error('throttled')),
      () => Promise.resolve(),
    );
    for (const count of [1, 2, 3, 4]) {
      const response = await handler(
        { Records: [receivedTimes(record(`m${count}`, delivered(paymentCompleted('e1'))), count)] },
        context,
      );
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: `m${count}` }]);
    }
    expect(delays).toEqual([['rh-m1', 5]]);
    expect(RETRY_DELAYS_SECONDS).toEqual([5]);
  });

  it('leaves the visibility of a message its use case deferred on purpose, and of a successful one', async () => {
    const { handler, delays } = consumerWith(
      () => Promise.reject(new DeferredMessageError('charge settles in 2 minutes')),
      () => Promise.resolve(),
    );
    const response = await handler(
      { Records: [record('deferred', delivered(paymentCompleted('e1')))] },
      context,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'deferred' }]);
    const ok = consumerWith(
      () => Promise.resolve(),
      () => Promise.resolve(),
    );
    await ok.handler({ Records: [record('fine', delivered(paymentCompleted('e2')))] }, context);
    expect([...delays, ...ok.delays]).toEqual([]);
  });

  it('still reports the failure when bringing the message back early fails', async () => {
    const { handler, delays } = consumerWith(
      () => Promise.reject(new Error('throttled')),
      () => Promise.reject(new Error('ReceiptHandleIsInvalid')),
    );
    const response = await handler(
      { Records: [record('m1', delivered(paymentCompleted('e1')))] },
      context,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(delays).toHaveLength(1);
  });
});
