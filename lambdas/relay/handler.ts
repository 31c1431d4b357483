import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { createEventBridge } from '../shared/aws/event-bridge.ts';
import { loadEnv } from '../shared/env.ts';
import { createObservability, withObservability } from '../shared/observability.ts';
import { eventBridgePublisher } from './eventbridge-publisher.ts';
import { relayMetrics } from './metrics.ts';
import { mustSplitBatch, relayRecords, type RelayOutcome } from './relay-records.ts';

/**
 * The outbox relay: invoked by a table's stream mapping with new outbox items, it
 * publishes their events to the bus and reports where the mapping must resume.
 * The endpoint comes from the standard AWS_ENDPOINT_URL* settings, so the same code
 * runs against AWS, LocalStack and the local cloud.
 */

const env = loadEnv({ EVENT_BUS_NAME: z.string().check(z.minLength(1)) });

// Every service's table has its own relay; POWERTOOLS_SERVICE_NAME names which.
const observability = createObservability('outbox-relay');
const { logger, metrics } = observability;
const publisher = eventBridgePublisher(createEventBridge());

function report(outcome: RelayOutcome, records: number): void {
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count(relayMetrics.published, outcome.published);
  count(relayMetrics.entriesRetried, outcome.retriedEntries);
  count(relayMetrics.recordsLeftForRetry, outcome.batchItemFailures.length);
  count(relayMetrics.poisonRecords, outcome.stop?.reason === 'poison' ? 1 : 0);

  const summary = {
    records,
    published: outcome.published,
    ignored: outcome.ignored,
    retriedEntries: outcome.retriedEntries,
    leftForRetry: outcome.batchItemFailures.length,
  };
  const stop = outcome.stop;
  if (stop?.reason === 'poison') {
    logger.error('Poison outbox record: the mapping will retry it, then set it aside', {
      ...summary,
      ...stop,
    });
  } else if (stop?.reason === 'publish_failed') {
    logger.warn('PutEvents kept failing: the mapping will resume at this record', {
      ...summary,
      ...stop,
    });
  } else {
    logger.debug('Relayed outbox records', summary);
  }
}

async function relay(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const outcome = await relayRecords(event.Records, {
    publisher,
    eventBusName: env.EVENT_BUS_NAME,
  });
  report(outcome, event.Records.length);
  if (mustSplitBatch(outcome, event.Records.length)) {
    throw new Error(
      `Poison outbox record ${outcome.stop?.sequenceNumber} heads a batch of ${event.Records.length}: failing the invocation so that the mapping splits the batch and publishes the records behind it`,
    );
  }
  return { batchItemFailures: outcome.batchItemFailures };
}

export const handler = withObservability(relay, observability);
