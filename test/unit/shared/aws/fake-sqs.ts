import type { ChangeMessageVisibilityRequest } from '@aws-sdk/client-sqs';
import type { Sqs } from '../../../../lambdas/shared/aws/sqs.ts';

type Answer = (input: ChangeMessageVisibilityRequest) => void | Promise<void>;

/**
 * A plain fake {@link Sqs} for unit tests: it records every call and answers as the test
 * scripts (success when unscripted); an answer that throws becomes a rejected call.
 */
export class FakeSqs implements Sqs {
  readonly #calls: ChangeMessageVisibilityRequest[] = [];
  #answer: Answer = () => undefined;

  /** Scripts the answer of `changeMessageVisibility`. */
  on(_operation: 'changeMessageVisibility', answer: Answer): this {
    this.#answer = answer;
    return this;
  }

  /** The inputs `changeMessageVisibility` was called with, in order. */
  inputs(_operation: 'changeMessageVisibility'): ChangeMessageVisibilityRequest[] {
    return [...this.#calls];
  }

  /** Forgets the calls and the scripted answer. */
  reset(): void {
    this.#calls.length = 0;
    this.#answer = () => undefined;
  }

  changeMessageVisibility = async (input: ChangeMessageVisibilityRequest): Promise<void> => {
    this.#calls.push(input);
    await this.#answer(input);
  };
}
