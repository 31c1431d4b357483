/**
 * DynamoDB capacity units from requests and responses, by DynamoDB's documented sizing
 * rules (an item's size is the sum of its attribute names and values; a write unit is
 * 1 KB, a read unit 4 KB strongly consistent or two eventually consistent 4 KB reads;
 * transactions cost double). The cost model charges what DynamoDB Local reports with
 * `ReturnConsumedCapacity` (metered by the local cloud's endpoint); this estimate is
 * the bench's cross-check of it, and what it charges for failed conditional writes,
 * which DynamoDB Local answers without capacity. Pure functions, apart from the
 * item-size cache the caller owns.
 */

/** A DynamoDB JSON attribute value (`{ S: 'x' }`, `{ N: '1' }`, `{ M: {...} }`, ...). */
export type AttributeValue = Record<string, unknown>;
export type Item = Record<string, AttributeValue>;

/** Capacity consumed by one request. */
export interface Capacity {
  readUnits: number;
  writeUnits: number;
}

/**
 * What a global secondary index projects, as in the template: `ALL`, `KEYS_ONLY`, or
 * `INCLUDE` with its non-key attributes.
 */
export type IndexProjection =
  { type: 'ALL' } | { type: 'KEYS_ONLY' } | { type: 'INCLUDE'; nonKeyAttributes: string[] };

/** A global secondary index of a table. */
export interface IndexKeys {
  name: string;
  partitionKey: string;
  /** Absent for an index without a sort key. */
  sortKey?: string;
  projection: IndexProjection;
}

/** Key attributes of a table, to recognise the same item across requests, and its indexes. */
export interface TableKeys {
  name: string;
  keyAttributes: string[];
  /** Its global secondary indexes (an item with an index's partition key is in that index). */
  indexes: IndexKeys[];
}

/** What an index holds of an item: signatures of its projected attributes and of its index keys (unknown after an update seen without its result), and its size. */
export interface IndexEntry {
  signature?: string;
  keys?: string;
  size: number;
}

/**
 * The last known size of items, by table and key, and for each index that holds the item
 * (by name) what the index holds of it: a signature of the projected attributes (compared to
 * tell whether a put changes the entry; `undefined` once an update changed it unseen) and
 * its size.
 */
export type ItemSizeCache = Map<string, { size: number; indexes: Record<string, IndexEntry> }>;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** Size of a number as DynamoDB stores it: about one byte per two significant digits, plus one. */
export function numberSize(text: string): number {
  const digits = text.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '');
  const significant = digits.replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, significant.length) / 2) + 1;
}

/** Size in bytes of one attribute value. */
export function attributeValueSize(value: AttributeValue): number {
  const [type, content] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'S':
      return utf8(String(content));
    case 'N':
      return numberSize(String(content));
    case 'B':
      return Buffer.from(String(content), 'base64').length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (content as string[]).reduce((sum, s) => sum + utf8(s), 0);
    case 'NS':
      return (content as string[]).reduce((sum, n) => sum + numberSize(n), 0);
    case 'BS':
      return (content as string[]).reduce((sum, b) => sum + Buffer.from(b, 'base64').length, 0);
    case 'M':
      // 3 bytes of overhead, then each entry's name, value and one byte.
      return (
        3 +
        Object.entries(content as Item).reduce(
          (sum, [name, v]) => sum + utf8(name) + attributeValueSize(v) + 1,
          0,
        )
      );
    case 'L':
      return (
        3 + (content as AttributeValue[]).reduce((sum, v) => sum + attributeValueSize(v) + 1, 0)
      );
    default:
      return 0;
  }
}

/** Size in bytes of an item: its attribute names and values. */
export function itemSize(item: Item): number {
  return Object.entries(item).reduce(
    (sum, [name, v]) => sum + utf8(name) + attributeValueSize(v),
    0,
  );
}

/** Write request units of one write of an item of `size` bytes (1 KB each, at least one). */
export function writeUnitsFor(size: number): number {
  return Math.max(1, Math.ceil(size / 1024));
}

/** Read request units of reading `size` bytes (4 KB each, at least one; half when eventually consistent). */
export function readUnitsFor(size: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(size / 4096));
  return consistent ? units : units / 2;
}

/** Whether `index` holds `item` (DynamoDB indexes an item that has the index's partition key). */
const holds = (index: IndexKeys, item: Item) => index.partitionKey in item;

/** The attributes an index entry of the item has: table keys, index keys, included attributes. */
function projectedAttributes(index: IndexKeys, keyAttributes: readonly string[]): string[] {
  const indexKeys = [index.partitionKey, ...(index.sortKey === undefined ? [] : [index.sortKey])];
  const included = index.projection.type === 'INCLUDE' ? index.projection.nonKeyAttributes : [];
  return [...new Set([...keyAttributes, ...indexKeys, ...included])];
}

/** What `index` holds of `item`, or `undefined` when it does not hold it. */
function indexEntry(
  index: IndexKeys,
  keyAttributes: readonly string[],
  item: Item,
): IndexEntry | undefined {
  if (!holds(index, item)) return undefined;
  const keys = [index.partitionKey, index.sortKey].map((name) =>
    name === undefined ? null : (item[name] ?? null),
  );
  const projected: Item = {};
  for (const name of projectedAttributes(index, keyAttributes)) {
    const value = item[name];
    if (value !== undefined) projected[name] = value;
  }
  const size = index.projection.type === 'ALL' ? itemSize(item) : itemSize(projected);
  return { signature: JSON.stringify(projected), keys: JSON.stringify(keys), size };
}

/**
 * The top-level attribute names an UpdateExpression writes (sets, removes, adds to or
 * deletes from), and those it removes, with `#name` placeholders resolved through `names`.
 * `SET a.b[0] = :v` writes `a`.
 */
export function updatedAttributes(
  expression: string,
  names: Record<string, string> = {},
): { written: Set<string>; removed: Set<string> } {
  const written = new Set<string>();
  const removed = new Set<string>();
  const clauses = expression.split(/\b(SET|REMOVE|ADD|DELETE)\b/i).slice(1);
  for (let i = 0; i + 1 < clauses.length; i += 2) {
    const clause = clauses[i]!.toUpperCase();
    for (const action of splitTopLevel(clauses[i + 1]!)) {
      // SET: `path = value`; REMOVE: `path`; ADD and DELETE: `path value`.
      const token = /^\s*([#\w-]+)/.exec(action)?.[1];
      if (token === undefined) continue;
      const name = token.startsWith('#') ? (names[token] ?? token) : token;
      written.add(name);
      if (clause === 'REMOVE') removed.add(name);
    }
  }
  return { written, removed };
}

/** The comma-separated actions of a clause, not splitting inside function calls. */
function splitTopLevel(clause: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < clause.length; i++) {
    const c = clause[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(clause.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(clause.slice(start));
  return parts.filter((part) => part.trim() !== '');
}

const ZERO: Capacity = { readUnits: 0, writeUnits: 0 };
const add = (a: Capacity, b: Capacity): Capacity => ({
  readUnits: a.readUnits + b.readUnits,
  writeUnits: a.writeUnits + b.writeUnits,
});

/**
 * Estimates the capacity one DynamoDB request consumed, from its `operation`
 * (`GetItem`, `TransactWriteItems`, ...), request and response bodies, and keeps
 * `cache` up to date with the sizes it learns (reads and puts), so that a later update
 * or delete of the same item is sized by the item, not by the request.
 */
export function capacityOf(
  operation: string,
  request: Record<string, unknown>,
  response: Record<string, unknown>,
  tables: readonly TableKeys[],
  cache: ItemSizeCache,
): Capacity {
  const table = (name: unknown) => tables.find((t) => t.name === name);
  const indexesOf = (tableName: unknown) => table(tableName)?.indexes ?? [];
  const keyOf = (tableName: unknown, item: Item | undefined): string => {
    const keys = table(tableName)?.keyAttributes ?? [];
    const key = Object.fromEntries(keys.map((k) => [k, item?.[k]]));
    return `${String(tableName)}|${JSON.stringify(key)}`;
  };
  const entriesOf = (tableName: unknown, item: Item) => {
    const keyAttributes = table(tableName)?.keyAttributes ?? [];
    return Object.fromEntries(
      indexesOf(tableName).flatMap((index) => {
        const entry = indexEntry(index, keyAttributes, item);
        return entry === undefined ? [] : [[index.name, entry] as const];
      }),
    );
  };
  const remember = (tableName: unknown, item: Item) => {
    const entry = { size: itemSize(item), indexes: entriesOf(tableName, item) };
    cache.set(keyOf(tableName, item), entry);
    return entry;
  };
  const known = (tableName: unknown, key: Item | undefined) =>
    cache.get(keyOf(tableName, key)) ?? { size: key ? itemSize(key) : 0, indexes: {} };

  /*
   * Index writes, by DynamoDB's rule: an index entry is written when the item enters or
   * leaves the index, or when what the index projects of it changes. With ALL that is any
   * write of an item the index holds (counted as it always was: one write the size of the
   * item's write); with KEYS_ONLY only creation, deletion and index key changes; INCLUDE
   * adds writes of its attributes. A key change of an entry that stays is a delete and a put
   * (two writes); an entry's writes are sized by the entry.
   */
  const entryWrites = (size: number, count: number) => count * writeUnitsFor(size);

  // A write of an item: the larger of before and after; each GSI whose entry it writes too.
  const put = (tableName: unknown, item: Item, factor: number): Capacity => {
    const before = cache.get(keyOf(tableName, item));
    const after = remember(tableName, item);
    const units = writeUnitsFor(Math.max(after.size, before?.size ?? 0));
    let indexUnits = 0;
    for (const index of indexesOf(tableName)) {
      const old = before?.indexes[index.name];
      const now = after.indexes[index.name];
      if (index.projection.type === 'ALL') indexUnits += now ? units : 0;
      else if (old === undefined || now === undefined) {
        const entry = old ?? now;
        indexUnits += entry ? entryWrites(entry.size, 1) : 0;
      } else if (old.signature !== now.signature) {
        const keysChanged = old.keys === undefined || old.keys !== now.keys;
        indexUnits += entryWrites(Math.max(old.size, now.size), keysChanged ? 2 : 1);
      }
    }
    return { readUnits: 0, writeUnits: units * factor + indexUnits };
  };

  /** An update (`expression` the request's, when it has one) or, with `deleted`, a delete. */
  const update = (
    tableName: unknown,
    key: Item,
    factor: number,
    change: { newImage?: Item; expression?: Record<string, unknown>; deleted?: boolean },
  ): Capacity => {
    const before = known(tableName, key);
    const after = change.newImage ? remember(tableName, change.newImage) : before;
    const units = writeUnitsFor(Math.max(before.size, after.size));
    const expression = change.expression?.UpdateExpression;
    const { written, removed } = updatedAttributes(
      typeof expression === 'string' ? expression : '',
      (change.expression?.ExpressionAttributeNames as Record<string, string> | undefined) ?? {},
    );
    let indexUnits = 0;
    // What the cache knows of non-ALL entries after an update it did not see the result of.
    const entries = { ...before.indexes };
    let entriesChanged = false;
    for (const index of indexesOf(tableName)) {
      const old = before.indexes[index.name];
      if (index.projection.type === 'ALL') {
        indexUnits += old || after.indexes[index.name] ? units : 0;
        continue;
      }
      const keys = [index.partitionKey, ...(index.sortKey === undefined ? [] : [index.sortKey])];
      const heldAfter = change.deleted
        ? false
        : change.newImage
          ? holds(index, change.newImage)
          : removed.has(index.partitionKey)
            ? false
            : written.has(index.partitionKey) || old !== undefined;
      const size = after.indexes[index.name]?.size ?? old?.size ?? 0;
      const keyWritten = keys.some((name) => written.has(name));
      const includedWritten =
        index.projection.type === 'INCLUDE' &&
        index.projection.nonKeyAttributes.some((name) => written.has(name));
      if ((old !== undefined) !== heldAfter) indexUnits += entryWrites(size, 1);
      else if (heldAfter && keyWritten) indexUnits += entryWrites(size, 2);
      else if (heldAfter && includedWritten) indexUnits += entryWrites(size, 1);
      if (change.newImage) continue;
      if (!heldAfter && old !== undefined) {
        delete entries[index.name];
        entriesChanged = true;
      } else if (heldAfter && (old === undefined || keyWritten || includedWritten)) {
        entries[index.name] = { size, ...(keyWritten || !old ? {} : { keys: old.keys }) };
        entriesChanged = true;
      }
    }
    if (entriesChanged) cache.set(keyOf(tableName, key), { ...before, indexes: entries });
    return { readUnits: 0, writeUnits: units * factor + indexUnits };
  };
  const read = (
    tableName: unknown,
    items: Item[],
    consistent: boolean,
    factor = 1,
    whole = true,
  ): Capacity => {
    // Only whole items size later writes: an index entry or a projection is a part of one.
    const size = items.reduce(
      (sum, item) => sum + (whole ? remember(tableName, item).size : itemSize(item)),
      0,
    );
    return { readUnits: readUnitsFor(size, consistent) * factor, writeUnits: 0 };
  };

  const consistent = request.ConsistentRead === true;
  switch (operation) {
    case 'GetItem': {
      const item = response.Item as Item | undefined;
      return read(request.TableName, item ? [item] : [], consistent);
    }
    case 'Query':
    case 'Scan': {
      const items = (response.Items as Item[] | undefined) ?? [];
      const index = indexesOf(request.TableName).find((i) => i.name === request.IndexName);
      const whole =
        request.ProjectionExpression === undefined &&
        (request.IndexName === undefined || index?.projection.type === 'ALL');
      // Index reads are always eventually consistent.
      return read(
        request.TableName,
        items,
        consistent && request.IndexName === undefined,
        1,
        whole,
      );
    }
    case 'BatchGetItem': {
      const responses = (response.Responses as Record<string, Item[]> | undefined) ?? {};
      const asked = (request.RequestItems as Record<string, { ConsistentRead?: boolean }>) ?? {};
      return Object.entries(responses).reduce(
        (sum, [name, items]) =>
          items.reduce(
            (s, item) => add(s, read(name, [item], asked[name]?.ConsistentRead === true)),
            sum,
          ),
        ZERO,
      );
    }
    case 'PutItem':
      return put(request.TableName, request.Item as Item, 1);
    case 'UpdateItem':
    case 'DeleteItem': {
      const attributes = response.Attributes as Item | undefined;
      const returnsNew = request.ReturnValues === 'ALL_NEW';
      const capacity = update(request.TableName, request.Key as Item, 1, {
        ...(returnsNew && attributes ? { newImage: attributes } : {}),
        ...(operation === 'UpdateItem' ? { expression: request } : { deleted: true }),
      });
      if (attributes && !returnsNew && operation === 'UpdateItem')
        cache.set(keyOf(request.TableName, request.Key as Item), {
          size: itemSize(attributes),
          indexes: entriesOf(request.TableName, attributes),
        });
      return capacity;
    }
    case 'BatchWriteItem': {
      const items =
        (request.RequestItems as Record<string, Record<string, { Item?: Item; Key?: Item }>[]>) ??
        {};
      return Object.entries(items).reduce(
        (sum, [name, writes]) =>
          writes.reduce(
            (s, w) =>
              add(
                s,
                w.PutRequest?.Item
                  ? put(name, w.PutRequest.Item, 1)
                  : update(name, w.DeleteRequest?.Key ?? {}, 1, { deleted: true }),
              ),
            sum,
          ),
        ZERO,
      );
    }
    case 'TransactWriteItems': {
      type Action = { TableName?: string; Item?: Item; Key?: Item } & Record<string, unknown>;
      const actions = (request.TransactItems as Record<string, Action>[] | undefined) ?? [];
      return actions.reduce((sum, action) => {
        const [kind, body] = Object.entries(action)[0] ?? [];
        if (!body) return sum;
        if (kind === 'Put' && body.Item) return add(sum, put(body.TableName, body.Item, 2));
        // Update, Delete and ConditionCheck: sized by the item as last seen.
        if (kind === 'ConditionCheck')
          return add(sum, {
            readUnits: 0,
            writeUnits: 2 * writeUnitsFor(known(body.TableName, body.Key).size),
          });
        const change = kind === 'Delete' ? { deleted: true } : { expression: body };
        return add(sum, update(body.TableName, body.Key ?? {}, 2, change));
      }, ZERO);
    }
    case 'TransactGetItems': {
      type Get = { Get?: { TableName?: string } };
      const gets = (request.TransactItems as Get[] | undefined) ?? [];
      const items = (response.Responses as { Item?: Item }[] | undefined) ?? [];
      return gets.reduce((sum, get, i) => {
        const item = items[i]?.Item;
        return add(sum, read(get.Get?.TableName, item ? [item] : [], true, 2));
      }, ZERO);
    }
    default:
      return ZERO;
  }
}
