import type { EventOf, OrderCancelled, OrderConfirmed } from '../../../events/index.ts';
import { maskEmail, maskIdentifier } from './masking.ts';

/**
 * What the customer is told, and how, when their order ends: pure decisions, no I/O.
 */

/** The ways a customer is reached. */
export const Channels = ['email', 'sms'] as const;
export type Channel = (typeof Channels)[number];

/** The provider's message templates. */
export const Templates = {
  orderConfirmed: 'order_confirmed',
  orderCancelled: 'order_cancelled',
} as const;
export type Template = (typeof Templates)[keyof typeof Templates];

/** The events that notify a customer. */
export type NotifiableEvent = EventOf<typeof OrderConfirmed> | EventOf<typeof OrderCancelled>;

/** One message as the provider takes it: `send({ channel, recipient, template, variables })`. */
export interface OutgoingMessage {
  channel: Channel;
  /**
   * Email: the address. SMS: the customer id; the provider holds the customer's phone
   * number on file (this system never stores one), the way hosted messaging services
   * address a known contact.
   */
  recipient: string;
  template: Template;
  variables: Record<string, string | number>;
}

/** One notification to send for one event on one channel: the unit of idempotency and of record. */
export interface Notification {
  orderId: string;
  eventId: string;
  eventType: NotifiableEvent['type'];
  /** The recipient as it may be stored and shown (see `masking.ts`). */
  maskedRecipient: string;
  message: OutgoingMessage;
}

function templateAndVariables(
  event: NotifiableEvent,
): Pick<OutgoingMessage, 'template' | 'variables'> {
  const { orderId } = event;
  const { total, currency } = event.data;
  if (event.type === 'OrderConfirmed') {
    return { template: Templates.orderConfirmed, variables: { orderId, total, currency } };
  }
  return {
    template: Templates.orderCancelled,
    variables: { orderId, total, currency, reason: event.data.reason },
  };
}

/**
 * The notifications an order's final event calls for: an email when the order carries
 * the customer's address, and always an SMS (addressed by customer id, see
 * {@link OutgoingMessage.recipient}). Email comes first.
 */
export function notificationsFor(event: NotifiableEvent): Notification[] {
  const content = templateAndVariables(event);
  const { customerId, customerEmail } = event.data;
  const common = { orderId: event.orderId, eventId: event.eventId, eventType: event.type };
  const notifications: Notification[] = [];
  if (customerEmail !== undefined && customerEmail.trim() !== '') {
    notifications.push({
      ...common,
      maskedRecipient: maskEmail(customerEmail),
      message: { channel: 'email', recipient: customerEmail, ...content },
    });
  }
  notifications.push({
    ...common,
    maskedRecipient: maskIdentifier(customerId),
    message: { channel: 'sms', recipient: customerId, ...content },
  });
  return notifications;
}

/** The recipient of a message as it may be logged or stored. */
export function maskRecipient(message: Pick<OutgoingMessage, 'channel' | 'recipient'>): string {
  return message.channel === 'email'
    ? maskEmail(message.recipient)
    : maskIdentifier(message.recipient);
}
