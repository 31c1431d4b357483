import type { DocumentDb } from '../../../../lambdas/shared/aws/document-db.ts';
import { AwsServiceError } from '../../../../lambdas/shared/aws/errors.ts';

type Operation = keyof DocumentDb;
type InputOf<Op extends Operation> = Parameters<DocumentDb[Op]>[0];
type OutputOf<Op extends Operation> = Awaited<ReturnType<DocumentDb[Op]>>;
type Answer<Op extends Operation> = (input: InputOf<Op>) => OutputOf<Op> | Promise<OutputOf<Op>>;

/**
 * A plain fake {@link DocumentDb} for unit tests: it records every call and answers as
 * the test scripts (an empty answer when unscripted). An answer that throws becomes a
 * rejected call, as a failed request would.
 */
export class FakeDocumentDb implements DocumentDb {
  readonly calls: { operation: Operation; input: unknown }[] = [];
  readonly #answers = new Map<Operation, Answer<Operation>[]>();

  /** Scripts the answers of `operation`, in order; the last one repeats. */
  on<Op extends Operation>(operation: Op, ...answers: Answer<Op>[]): this {
    this.#answers.set(operation, answers);
    return this;
  }

  /** Forgets the calls and the scripted answers. */
  reset(): void {
    this.calls.length = 0;
    this.#answers.clear();
  }

  /** The inputs `operation` was called with, in order. */
  inputs<Op extends Operation>(operation: Op): InputOf<Op>[] {
    return this.calls
      .filter((call) => call.operation === operation)
      .map((call) => call.input as InputOf<Op>);
  }

  get = (input: InputOf<'get'>) => this.#answer('get', input);
  put = (input: InputOf<'put'>) => this.#answer('put', input);
  update = (input: InputOf<'update'>) => this.#answer('update', input);
  delete = (input: InputOf<'delete'>) => this.#answer('delete', input);
  query = (input: InputOf<'query'>) => this.#answer('query', input);
  batchGet = (input: InputOf<'batchGet'>) => this.#answer('batchGet', input);
  transactWrite = (input: InputOf<'transactWrite'>) => this.#answer('transactWrite', input);

  async #answer<Op extends Operation>(operation: Op, input: InputOf<Op>): Promise<OutputOf<Op>> {
    this.calls.push({ operation, input });
    const answers = this.#answers.get(operation) as Answer<Op>[] | undefined;
    const answer = answers && (answers.length > 1 ? answers.shift() : answers[0]);
    return answer ? answer(input) : ({} as OutputOf<Op>);
  }
}

/** An answer that fails the call with `error`. */
export const failWith = (error: unknown) => (): never => {
  throw error;
};

/** The error DynamoDB answers a failed condition with, as the client throws it. */
export const conditionalCheckFailed = (): AwsServiceError =>
  new AwsServiceError({
    code: 'ConditionalCheckFailedException',
    message: 'The conditional request failed',
    status: 400,
  });

/** The error of a cancelled transaction, with one reason per item (`None` = no problem). */
export const transactionCanceled = (codes: string[]): AwsServiceError =>
  new AwsServiceError({
    code: 'TransactionCanceledException',
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    status: 400,
    details: { CancellationReasons: codes.map((Code) => ({ Code })) },
  });
