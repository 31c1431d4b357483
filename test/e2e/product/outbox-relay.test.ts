import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { LocalCloud } from '../../../local/cloud.ts';
import { OUTBOX_ENTITY_TYPE, outboxItem } from '../../../lambdas/shared/outbox.ts';
import { OrderConfirmed, OrderCreated } from '../../../events/index.ts';
import {
  api,
  clientConfig,
  eventually,
  orderBody,
  resourceNamed,
  startProductCloud,
} from './product-cloud.ts';

// The foundation end to end: API → orders table (order + outbox in one transaction) →
// stream → relay → EventBridge, on the local cloud with real DynamoDB Local.

let cloud: LocalCloud;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ cloud, dispose } = await startProductCloud());
}, 120_000);

afterAll(async () => {
  await dispose?.();
}, 60_000);

const orderCreatedFor = (orderId: string) =>
  cloud.events
    .received()
    .filter(
      ({ event }) =>
        event['detail-type'] === OrderCreated.detailType &&
        (event.detail as { orderId?: string }).orderId === orderId,
    );

/** A DynamoDB Streams API call on the local endpoint (no Streams client is installed). */
async function streamsCall<T>(action: string, body: unknown): Promise<T> {
  const response = await fetch(cloud.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDBStreams_20120810.${action}`,
      // DynamoDB Local wants a credential scope; it does not check the signature.
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${action}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

describe('order API on the local cloud', () => {
  it('creates an order over HTTP and shows it back', async () => {
    const created = await api(cloud, 'POST', '/orders', orderBody(`cust-${randomUUID()}`));
    expect(created.status).toBe(201);
    const orderId = created.json.orderId as string;
    // Under the stage (the e2e stack's is `e2e`), as on AWS; the local API also answers
    // at the root, but API Gateway does not.
    const location = created.headers.get('location');
    expect(location).toBe(`/e2e/orders/${orderId}`);

    const fetched = await api(cloud, 'GET', location!);
    expect(fetched.status).toBe(200);
    expect(fetched.json).toMatchObject({ orderId, status: 'PENDING', total: 25 });
  });

  it('answers a client error with a 4xx and writes nothing', async () => {
    const customerId = `cust-${randomUUID()}`;
    const bad = await api(cloud, 'POST', '/orders', orderBody(customerId, { items: [] }));
    expect(bad.status).toBe(400);
    const listed = await api(cloud, 'GET', `/orders?customerId=${customerId}`);
    expect(listed.json.items).toEqual([]);
  });
});

describe('transactional outbox relayed to EventBridge', () => {
  it('publishes OrderCreated to the bus within 2 s, exactly once', async () => {
    const created = await api(cloud, 'POST', '/orders', orderBody(`cust-${randomUUID()}`));
    const orderId = created.json.orderId as string;
    const postedAt = Date.now();

    await eventually(() => (orderCreatedFor(orderId).length > 0 ? true : undefined), {
      timeoutMs: 2_000,
      intervalMs: 20,
      what: `OrderCreated for ${orderId}`,
    });
    expect(Date.now() - postedAt).toBeLessThanOrEqual(2_000);

    const [delivered] = orderCreatedFor(orderId);
    expect(delivered!.event.source).toBe(OrderCreated.source);
    // The detail is the validated envelope, as consumers will parse it.
    const envelope = OrderCreated.parse(delivered!.event.detail);
    expect(envelope).toMatchObject({ orderId, correlationId: orderId, sequence: 1 });

    // Give a duplicate time to show up before asserting there is none.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(orderCreatedFor(orderId)).toHaveLength(1);
  });

  it('publishes every event exactly once when PutEvents rejects some entries', async () => {
    // Fewer rejected entries than the relay's 3 attempts per chunk: every rejected entry is
    // resent alone and lands on a later attempt, so nothing is published twice. (An entry
    // that keeps failing makes the mapping retry from its record, republishing the entries
    // after it that had succeeded: at-least-once, deduplicated by the consumers; the
    // poisoned-record test below covers that path.)
    cloud.faults.set({ putEvents: { count: 2 } });
    try {
      const customerId = `cust-${randomUUID()}`;
      const orderIds: string[] = [];
      for (let i = 0; i < 12; i++) {
        const created = await api(cloud, 'POST', '/orders', orderBody(customerId));
        expect(created.status).toBe(201);
        orderIds.push(created.json.orderId as string);
      }
      await eventually(
        () => (orderIds.every((id) => orderCreatedFor(id).length > 0) ? true : undefined),
        { timeoutMs: 20_000, what: 'every OrderCreated despite rejected entries' },
      );
      expect(cloud.counters()['events.putEventsFailedEntries']).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      for (const id of orderIds) expect(orderCreatedFor(id)).toHaveLength(1);
    } finally {
      cloud.faults.clear();
    }
  });

  it('sends a poisoned outbox record to the on-failure queue and still publishes the records behind it', async () => {
    const table = resourceNamed(cloud, 'tables', 'OrdersTable');
    const dynamodb = new DynamoDBClient(clientConfig(cloud));
    const poisonId = `poison-${randomUUID()}`;
    const behind = [1, 2].map((n) =>
      OrderConfirmed.create(
        {
          eventId: randomUUID(),
          occurredAt: new Date().toISOString(),
          orderId: `behind-${n}-${randomUUID()}`,
          correlationId: `behind-${n}`,
          causationId: poisonId,
          sequence: 1,
        },
        { customerId: 'cust-behind', currency: 'USD', total: 100 },
      ),
    );
    // An outbox item no relay can publish (its event is not JSON), with two valid ones
    // written behind it in the same transaction, so they reach the relay in one batch.
    await dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: table.name,
              Item: {
                pk: { S: `OUTBOX#${poisonId}` },
                sk: { S: 'OUTBOX' },
                entityType: { S: OUTBOX_ENTITY_TYPE },
                event: { S: '{not json' },
              },
            },
          },
          ...behind.map((event) => ({
            Put: { TableName: table.name, Item: marshall(outboxItem(event)) },
          })),
        ],
      }),
    );

    // On AWS a batch that reports its first record as failed is retried whole, never
    // split: the relay fails such an invocation instead, so the mapping splits the batch
    // and the records behind the poisoned one are published.
    for (const event of behind) {
      await eventually(
        () =>
          cloud.events
            .received()
            .some(({ event: e }) => (e.detail as { eventId?: string }).eventId === event.eventId)
            ? true
            : undefined,
        { timeoutMs: 60_000, what: `the event ${event.eventId} behind the poisoned record` },
      );
    }

    // Lambda's on-failure record names the failed batch (shard and sequence numbers), not
    // its content: as an operator would, read the record back from the stream. The
    // poisoned record must be alone in its batch (bisect-on-error isolated it).
    const failures = resourceNamed(cloud, 'queues', 'OrdersRelayFailures');
    const [parked] = await eventually(
      async () => {
        const { ready } = await cloud.queues.peek(failures.name);
        return ready.length > 0 ? ready : undefined;
      },
      { timeoutMs: 60_000, what: 'a record in the relay on-failure queue' },
    );
    const { DDBStreamBatchInfo: batch } = JSON.parse(parked!.body) as {
      DDBStreamBatchInfo: {
        shardId: string;
        streamArn: string;
        startSequenceNumber: string;
        batchSize: number;
      };
    };
    expect(batch.batchSize).toBe(1);
    const { ShardIterator } = await streamsCall<{ ShardIterator: string }>('GetShardIterator', {
      StreamArn: batch.streamArn,
      ShardId: batch.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: batch.startSequenceNumber,
    });
    const { Records } = await streamsCall<{
      Records: { dynamodb: { Keys: { pk: { S: string } } } }[];
    }>('GetRecords', { ShardIterator, Limit: 1 });
    expect(Records[0]?.dynamodb.Keys.pk.S).toBe(`OUTBOX#${poisonId}`);
  }, 120_000);

  it("publishes an outbox item again when it is deleted and put back (the README's republish step)", async () => {
    const created = await api(cloud, 'POST', '/orders', orderBody(`cust-${randomUUID()}`));
    const orderId = created.json.orderId as string;
    const [first] = await eventually(
      () => (orderCreatedFor(orderId).length > 0 ? orderCreatedFor(orderId) : undefined),
      { timeoutMs: 10_000, what: `OrderCreated for ${orderId}` },
    );
    const { eventId } = first!.event.detail as { eventId: string };

    const table = resourceNamed(cloud, 'tables', 'OrdersTable').name;
    const dynamodb = new DynamoDBClient(clientConfig(cloud));
    const Key = { pk: { S: `OUTBOX#${eventId}` }, sk: { S: 'OUTBOX' } };
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: table, Key, ConsistentRead: true }),
    );
    expect(Item).toBeDefined();
    await dynamodb.send(new DeleteItemCommand({ TableName: table, Key }));
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: Item! }));

    const published = await eventually(
      () => (orderCreatedFor(orderId).length >= 2 ? orderCreatedFor(orderId) : undefined),
      { timeoutMs: 10_000, what: `OrderCreated for ${orderId} published again` },
    );
    // The same event (same eventId, so consumers apply it once), published once more: the
    // delete is a REMOVE record, which the stream filter keeps from the relay.
    expect(published[1]!.event.detail).toEqual(first!.event.detail);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(orderCreatedFor(orderId)).toHaveLength(2);
  });
});
