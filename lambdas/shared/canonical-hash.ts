import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so two requests that mean the same
 * thing serialize the same way whatever order the client wrote their fields in.
 * Array order is kept: it is meaningful. `undefined` object members are dropped, as
 * `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) => {
    if (member === null || typeof member !== 'object' || Array.isArray(member)) return member;
    const source = member as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(source)
        .sort()
        .map((key) => [key, source[key]]),
    );
  });
}

/** SHA-256 (hex) of {@link canonicalJson}: the fingerprint idempotency compares. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
