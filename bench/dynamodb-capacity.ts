/**
 * DynamoDB capacity units from requests and responses, by DynamoDB's documented sizing
 * rules (an item's size is the sum of its attribute names and values; a write unit is
 * 1 KB, a read unit 4 KB strongly consistent or two eventually consistent 4 KB reads;
 * transactions cost double). Used because DynamoDB Local does not meter on-demand
 * capacity the way the service bills it and the handlers do not ask for
 * `ReturnConsumedCapacity`: the bench computes what AWS would charge from what it
 * sees on the wire. Pure functions, apart from the item-size cache the caller owns.
 */

/** A DynamoDB JSON attribute value (`{ S: 'x' }`, `{ N: '1' }`, `{ M: {...} }`, ...). */
export type AttributeValue = Record<string, unknown>;
export type Item = Record<string, AttributeValue>;

/** Capacity consumed by one request. */
export interface Capacity {
  readUnits: number;
  writeUnits: number;
}

/** Key attributes of a table, to recognise the same item across requests. */
export interface TableKeys {
  name: string;
  keyAttributes: string[];
  /** Partition-key attributes of its global secondary indexes (an item with one is indexed). */
  indexKeyAttributes: string[];
}

/** The last known size (and whether a GSI holds it) of items, by table and key. */
export type ItemSizeCache = Map<string, { size: number; indexed: boolean }>;

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
  const keyOf = (tableName: unknown, item: Item | undefined): string => {
    const keys = table(tableName)?.keyAttributes ?? [];
    const key = Object.fromEntries(keys.map((k) => [k, item?.[k]]));
    return `${String(tableName)}|${JSON.stringify(key)}`;
  };
  const isIndexed = (tableName: unknown, item: Item) =>
    (table(tableName)?.indexKeyAttributes ?? []).some((a) => a in item);
  const remember = (tableName: unknown, item: Item) => {
    const entry = { size: itemSize(item), indexed: isIndexed(tableName, item) };
    cache.set(keyOf(tableName, item), entry);
    return entry;
  };
  const known = (tableName: unknown, key: Item | undefined) =>
    cache.get(keyOf(tableName, key)) ?? { size: key ? itemSize(key) : 0, indexed: false };

  // A write of an item: the larger of before and after; a GSI that holds it writes too.
  const put = (tableName: unknown, item: Item, factor: number): Capacity => {
    const before = cache.get(keyOf(tableName, item));
    const after = remember(tableName, item);
    const units = writeUnitsFor(Math.max(after.size, before?.size ?? 0));
    return { readUnits: 0, writeUnits: units * factor + (after.indexed ? units : 0) };
  };
  const update = (tableName: unknown, key: Item, factor: number, newImage?: Item): Capacity => {
    const before = known(tableName, key);
    const after = newImage ? remember(tableName, newImage) : before;
    const units = writeUnitsFor(Math.max(before.size, after.size));
    const indexed = before.indexed || after.indexed;
    return { readUnits: 0, writeUnits: units * factor + (indexed ? units : 0) };
  };
  const read = (tableName: unknown, items: Item[], consistent: boolean, factor = 1): Capacity => {
    const size = items.reduce((sum, item) => sum + remember(tableName, item).size, 0);
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
      // Index reads are always eventually consistent.
      return read(request.TableName, items, consistent && request.IndexName === undefined);
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
      const capacity = update(
        request.TableName,
        request.Key as Item,
        1,
        returnsNew ? attributes : undefined,
      );
      if (attributes && !returnsNew && operation === 'UpdateItem')
        cache.set(keyOf(request.TableName, request.Key as Item), {
          size: itemSize(attributes),
          indexed: isIndexed(request.TableName, attributes),
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
                  : update(name, w.DeleteRequest?.Key ?? {}, 1),
              ),
            sum,
          ),
        ZERO,
      );
    }
    case 'TransactWriteItems': {
      type Action = { TableName?: string; Item?: Item; Key?: Item };
      const actions = (request.TransactItems as Record<string, Action>[] | undefined) ?? [];
      return actions.reduce((sum, action) => {
        const [kind, body] = Object.entries(action)[0] ?? [];
        if (!body) return sum;
        if (kind === 'Put' && body.Item) return add(sum, put(body.TableName, body.Item, 2));
        // Update, Delete and ConditionCheck: sized by the item as last seen.
        const capacity = update(body.TableName, body.Key ?? {}, 2);
        return add(
          sum,
          kind === 'ConditionCheck'
            ? { readUnits: 0, writeUnits: 2 * writeUnitsFor(known(body.TableName, body.Key).size) }
            : capacity,
        );
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
