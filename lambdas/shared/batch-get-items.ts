import type { DocumentDb } from './aws/document-db.ts';

/**
 * Reads a page of items by key with BatchGetItem, for listings that query a keys-only
 * index and then fetch the items: an index that projects only keys is not written when
 * the items' other attributes change, so the writes that matter (saga transitions, stock
 * changes) do not pay for it.
 */

/** The primary key of an item of the tables here. */
export interface TableKey {
  pk: string;
  sk: string;
}

/** Attempts of one BatchGetItem before a page's unread keys fail the listing. */
export const BATCH_GET_ATTEMPTS = 5;
/** Base of the backoff between them (full jitter, doubling), as the SDK's retries. */
const BATCH_GET_BACKOFF_MS = 25;

/** A key as a string, to find an item read by BatchGetItem (which answers in any order). */
export const itemKeyId = (key: TableKey): string => JSON.stringify([key.pk, key.sk]);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The items of `keys` (at most 100, one page), by {@link itemKeyId}. Eventually consistent:
 * a list is a snapshot anyway, and it costs half. A key the index already has can be
 * missing from that read for a moment (an item just created): those are read again
 * consistently, so an item never drops out of a page the cursor then moves past. A key
 * whose item does not exist is absent from the map.
 *
 * @param what - what the items are (`orders`, `products`), for the error message.
 */
export async function getItemsByKey(
  client: DocumentDb,
  tableName: string,
  keys: readonly TableKey[],
  what: string,
): Promise<Map<string, Record<string, unknown>>> {
  const found = await batchGetItems(client, tableName, keys, false, what);
  const missing = keys.filter((key) => !found.has(itemKeyId(key)));
  if (missing.length > 0) {
    for (const [id, item] of await batchGetItems(client, tableName, missing, true, what))
      found.set(id, item);
  }
  return found;
}

/**
 * One BatchGetItem of `keys`, by {@link itemKeyId}. DynamoDB may read only part of a batch
 * (throttling, 16 MB per answer) and hand back the rest as `UnprocessedKeys`: those are
 * asked again after a backoff, a bounded number of times, then the listing fails rather
 * than silently missing items.
 */
async function batchGetItems(
  client: DocumentDb,
  tableName: string,
  keys: readonly TableKey[],
  consistent: boolean,
  what: string,
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  let pending: Record<string, unknown>[] = keys.map((key) => ({ pk: key.pk, sk: key.sk }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= BATCH_GET_ATTEMPTS)
      throw new Error(
        `BatchGetItem left ${pending.length} of ${keys.length} ${what} unread after ${BATCH_GET_ATTEMPTS} attempts`,
      );
    if (attempt > 0) await sleep(Math.random() * BATCH_GET_BACKOFF_MS * 2 ** attempt);
    const { Responses, UnprocessedKeys } = await client.batchGet({
      RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } },
    });
    for (const item of Responses?.[tableName] ?? [])
      found.set(itemKeyId({ pk: String(item.pk), sk: String(item.sk) }), item);
    pending = UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return found;
}
