import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { InventoryReleaseRequested, PaymentCompleted } from '../../../events/index.ts';
import { createEventConsumer, type EventConsumerDeps } from '../../shared/event-consumer.ts';
import type { InventoryConsumerDeps } from '../use-cases/consumer-deps.ts';
import { releaseStock } from '../use-cases/release-stock.ts';
import { reserveStock } from '../use-cases/reserve-stock.ts';

/** The events the inventory queue receives (the rule's pattern is `patternOf(...these)`). */
export const inventoryConsumedEvents = [PaymentCompleted, InventoryReleaseRequested] as const;

/** Metric names the consumer emits (EMF). */
export const inventoryConsumerMetrics = {
  reserved: 'StockReserved',
  reservationFailed: 'StockReservationFailed',
  released: 'StockReleased',
  duplicates: 'DuplicateEvents',
  ignored: 'IgnoredEvents',
} as const;

export interface InventoryConsumerOptions extends InventoryConsumerDeps, EventConsumerDeps {}

/**
 * The inventory queue's handler: PaymentCompleted reserves the order's stock (or records
 * why it cannot), InventoryReleaseRequested gives a reservation back. Duplicates and
 * requests with nothing to do are acknowledged; a message that is not a valid event, or
 * whose transaction cannot commit, is reported as a batch item failure (retried by the
 * queue, then kept in its DLQ).
 */
export function createInventoryConsumer(
  options: InventoryConsumerOptions,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { observability, ...deps } = options;
  const { metrics } = observability;
  const count = (name: string) => metrics.addMetric(name, MetricUnit.Count, 1);

  return createEventConsumer({
    retries: deps.retries,
    contracts: inventoryConsumedEvents,
    observability,
    handle: async ({ event, logger }) => {
      if (event.type === PaymentCompleted.detailType) {
        const result = await reserveStock(event, deps);
        switch (result.kind) {
          case 'reserved':
            count(inventoryConsumerMetrics.reserved);
            logger.info('Stock reserved', { reservationId: result.reservationId });
            return;
          case 'failed':
            count(inventoryConsumerMetrics.reservationFailed);
            logger.info('Stock could not be reserved', { ...result.shortage });
            return;
          case 'duplicate':
            count(inventoryConsumerMetrics.duplicates);
            logger.info('Duplicate event acknowledged');
            return;
          case 'reservation-exists':
            count(inventoryConsumerMetrics.ignored);
            logger.warn('Order already has a reservation; payment event ignored');
            return;
        }
      }
      const result = await releaseStock(event, deps);
      switch (result.kind) {
        case 'released':
          count(inventoryConsumerMetrics.released);
          logger.info('Stock released', { reservationId: result.reservationId });
          return;
        case 'already-released':
          count(inventoryConsumerMetrics.duplicates);
          logger.info('Release already done; acknowledged', { outcome: result.kind });
          return;
        case 'nothing-to-release':
          count(inventoryConsumerMetrics.ignored);
          logger.warn('No reserved stock to release; acknowledged', { found: result.found });
          return;
      }
    },
  });
}
