import type { ChargeDecision } from './payment.ts';

/**
 * Test tokens of the simulated card processor, like a real processor's test cards. The
 * order carries one as `paymentToken`.
 */
export const PaymentTokens = {
  /** Approved at once (also what an order without a token gets). */
  visa: 'tok_visa',
  /** Declined: `card_declined`. */
  declined: 'tok_declined',
  /** Declined: `insufficient_funds`. */
  insufficientFunds: 'tok_insufficient_funds',
  /** Approved, but only after `SLOW_PAYMENT_SECONDS`: longer than the saga's timeout. */
  slow: 'tok_slow',
} as const;

/**
 * What the simulated processor answers for a charge.
 *
 * - absent or `tok_visa` → approved;
 * - `tok_declined` → declined (card_declined); `tok_insufficient_funds` → declined
 *   (insufficient_funds);
 * - `tok_slow` → settles later;
 * - any other token → approved, like `tok_visa`: the simulator accepts every card it does
 *   not know, so clients need not learn its token list to get a working order.
 *
 * `failureRate` (0..1, the demo knob `PAYMENT_FAILURE_RATE`) declines that fraction of the
 * charges that would be approved at once, as card_declined. The decline and slow tokens
 * keep their answer, so a scenario chosen by token is never blurred by the demo randomness.
 *
 * @param random - a number in [0, 1) (`Math.random` in production); called only when
 *   `failureRate` > 0, so tests need no random source otherwise.
 */
export function decideCharge(
  token: string | undefined,
  random: () => number,
  failureRate = 0,
): ChargeDecision {
  switch (token) {
    case PaymentTokens.declined:
      return { outcome: 'declined', reason: 'card_declined' };
    case PaymentTokens.insufficientFunds:
      return { outcome: 'declined', reason: 'insufficient_funds' };
    case PaymentTokens.slow:
      return { outcome: 'settles-later' };
    default:
      if (failureRate > 0 && random() < failureRate)
        return { outcome: 'declined', reason: 'card_declined' };
      return { outcome: 'approved' };
  }
}
