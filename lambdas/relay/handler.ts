import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { eventBridgePublisher } from './eventbridge-publisher.ts';
import { relayRecords, type RelayOutcome } from './relay-records.ts';

/**
 * The outbox relay: invoked by a table's stream mapping with new outbox items, it
 * publishes their events to the bus and reports where the mapping must resume.
 * The endpoint comes from the standard AWS_ENDPOINT_URL* settings, so the same code
 * runs against AWS, LocalStack and the local cloud.
 */

const env = z.parse(
  z.object({ EVENT_BUS_NAME: z.string().check(z.minLength(1, 'EVENT_BUS_NAME must be set')) }),
  process.env,
);

const logger = new Logger();
const metrics = new Metrics();
const publisher = eventBridgePublisher(new EventBridgeClient({}));

function report(outcome: RelayOutcome, records: number): void {
  metrics.addMetric('EventsPublished', MetricUnit.Count, outcome.published);
  metrics.addMetric('EventEntriesRetried', MetricUnit.Count, outcome.retriedEntries);
  metrics.addMetric('RecordsLeftForRetry', MetricUnit.Count, outcome.batchItemFailures.length);
  metrics.addMetric('PoisonRecords', MetricUnit.Count, outcome.stop?.reason === 'poison' ? 1 : 0);

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
  return { batchItemFailures: outcome.batchItemFailures };
}

export const handler = middy(relay).use(injectLambdaContext(logger)).use(logMetrics(metrics));
