import type { PutEventsEntry } from '../../events/index.ts';

/** PutEvents accepts at most 10 entries per call. */
export const MAX_ENTRIES_PER_CALL = 10;

/** PutEvents accepts at most 256 KB of entries per call (and so per entry). */
export const MAX_BYTES_PER_CALL = 256 * 1024;

/**
 * The size EventBridge counts for an entry: 14 bytes for the time plus the UTF-8
 * bytes of source, detail-type and detail (this relay sets no resources).
 */
export function putEventsEntrySize(entry: PutEventsEntry): number {
  const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
  return 14 + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
}

/**
 * Splits items, in order, into consecutive chunks of at most `maxEntries` items whose
 * sizes add up to at most `maxBytes` (an item larger than that gets a chunk of its own).
 */
export function chunkInOrder<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: { maxEntries: number; maxBytes: number } = {
    maxEntries: MAX_ENTRIES_PER_CALL,
    maxBytes: MAX_BYTES_PER_CALL,
  },
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    const full = current.length >= limits.maxEntries || currentBytes + size > limits.maxBytes;
    if (current.length > 0 && full) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
