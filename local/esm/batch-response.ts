import type { InvocationOutcome } from '../lambda/sandbox.ts';

/**
 * How an event source mapping reads an invocation's outcome, with
 * `ReportBatchItemFailures` semantics (the same for streams and SQS):
 * - an error (function error, timeout) fails the whole batch;
 * - without partial batch responses, any result is a success;
 * - with them, an empty or null `batchItemFailures`, or an empty/null response,
 *   is a success; listed identifiers are the failures; a malformed response
 *   (not an object, `batchItemFailures` not a list, an identifier that is empty,
 *   missing or not in the batch) fails the whole batch.
 */
export type BatchVerdict =
  | { kind: 'success' }
  | { kind: 'failure'; reason: string }
  | { kind: 'partial'; failedIds: Set<string> };

export function interpretBatchResponse(
  outcome: InvocationOutcome,
  batchIds: readonly string[],
  reportBatchItemFailures: boolean,
): BatchVerdict {
  if (!outcome.ok)
    return { kind: 'failure', reason: `${outcome.error.errorType}: ${outcome.error.errorMessage}` };
  if (!reportBatchItemFailures) return { kind: 'success' };
  let response: unknown;
  try {
    response = JSON.parse(outcome.payload) as unknown;
  } catch {
    return { kind: 'failure', reason: 'response is not JSON' };
  }
  if (response === null || response === undefined) return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'failure', reason: 'malformed batch response (not an object)' };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures))
    return {
      kind: 'failure',
      reason: 'malformed batch response (batchItemFailures is not a list)',
    };
  if (failures.length === 0) return { kind: 'success' };
  const known = new Set(batchIds);
  const failedIds = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !known.has(id)) {
      return {
        kind: 'failure',
        reason: `malformed batch response (itemIdentifier ${JSON.stringify(id)})`,
      };
    }
    failedIds.add(id);
  }
  return { kind: 'partial', failedIds };
}
