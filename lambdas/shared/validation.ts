import type * as z from 'zod/mini';
import type { ErrorDetail } from './http.ts';

/** Name of the field for an issue about the input as a whole (e.g. a body that is not an object). */
export const ROOT_FIELD = 'body';

/** A zod path as clients write it: `['items', 0, 'quantity']` → `items[0].quantity`. */
export function fieldPath(path: readonly PropertyKey[], root = ROOT_FIELD): string {
  let field = '';
  for (const segment of path) {
    if (typeof segment === 'number') field += `[${segment}]`;
    else field += field === '' ? String(segment) : `.${String(segment)}`;
  }
  return field === '' ? root : field;
}

/**
 * One {@link ErrorDetail} per problem, naming the field. Unknown keys get one detail each,
 * so a client sees exactly which fields to remove.
 */
export function toErrorDetails(
  issues: readonly z.core.$ZodIssue[],
  root = ROOT_FIELD,
): ErrorDetail[] {
  return issues.flatMap((issue): ErrorDetail[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: fieldPath([...issue.path, key], root),
        message: 'is not a known field',
      }));
    }
    return [{ field: fieldPath(issue.path, root), message: issue.message }];
  });
}

/**
 * Error option for a schema: "is required" when the value is missing, otherwise
 * "must be <what>". zod/mini ships no messages, so every schema states its own.
 */
export const expected = (what: string) => ({
  error: (issue: { input?: unknown }) =>
    issue.input === undefined ? 'is required' : `must be ${what}`,
});
