import { OrderCancelled, OrderCreated, PaymentRefundRequested } from '../../events/index.ts';

/**
 * The events the payment service consumes: OrderCreated (charge), OrderCancelled (void a
 * charge not settled yet) and PaymentRefundRequested (refund). Its queue's rule
 * (`patternOf(...paymentsConsumedEvents)`) and its consumer's parser both come from this
 * list; the module imports no SDK, so the CDK code can import it.
 */
export const paymentsConsumedEvents = [
  OrderCreated,
  OrderCancelled,
  PaymentRefundRequested,
] as const;
