/**
 * Opt-in metering of the DynamoDB capacity the callers of the endpoint consume, as
 * AWS's billing sees it: the endpoint asks DynamoDB Local for `ReturnConsumedCapacity:
 * 'INDEXES'` (DynamoDB Local meters, it only answers when asked), counts what comes
 * back, and hides it from a caller that did not ask. Pure functions over the request
 * and answer texts, and the counter keys they write.
 *
 * Counter keys (all under {@link CAPACITY_PREFIX}; a table name is always last, because
 * table names may contain dots):
 * - `dynamodb.consumed.readUnits`, `dynamodb.consumed.writeUnits`: totals;
 * - `dynamodb.consumed.readUnits.<table>`, `….writeUnits.<table>`: per table (its indexes included);
 * - `dynamodb.consumed.<Operation>.{readUnits,writeUnits,requests}.<table>`: per operation
 *   and table (a request touching two tables counts once for each);
 * - `dynamodb.consumed.<Operation>.failed.<table>`: failed requests, which DynamoDB Local
 *   answers without any capacity (on AWS a failed conditional write still consumes).
 */

/** Data-plane operations that accept `ReturnConsumedCapacity`. */
export const METERED_OPERATIONS: ReadonlySet<string> = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

/** Operations whose capacity is read units; the other metered ones consume write units. */
export const READ_OPERATIONS: ReadonlySet<string> = new Set([
  'GetItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'TransactGetItems',
]);

export const CAPACITY_PREFIX = 'dynamodb.consumed.';

/** One `ConsumedCapacity` entry of an answer (one per table for batches and transactions). */
export interface ConsumedCapacity {
  TableName?: string;
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Where metered capacity is added (the local cloud's `Counters`). */
export interface CapacityCounters {
  add(key: string, amount?: number): void;
}

/**
 * The request to send upstream so that DynamoDB Local reports the capacity, and whether
 * the caller asked for it itself (then its answer must stay as it is). `undefined` when
 * the body is not a JSON object (DynamoDB Local answers that with an error; nothing to meter).
 */
export function askForConsumedCapacity(
  body: string,
): { body: string; callerAsked: boolean } | undefined {
  const start = firstNonSpace(body);
  if (body[start] !== '{') return undefined;
  // Cheap path (every request of the functions): the member is certainly absent, so it is
  // inserted as the object's first member without parsing the body. A `\u` escape could
  // spell the name, so such bodies are parsed.
  if (!body.includes('ReturnConsumedCapacity') && !body.includes('\\u')) {
    const next = body[firstNonSpace(body, start + 1)];
    const member = `"ReturnConsumedCapacity":"INDEXES"${next === '}' ? '' : ','}`;
    return {
      body: `${body.slice(0, start + 1)}${member}${body.slice(start + 1)}`,
      callerAsked: false,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const asked = (parsed as { ReturnConsumedCapacity?: unknown }).ReturnConsumedCapacity;
  // NONE is DynamoDB's default: a caller that says it has not asked for anything.
  if (asked === 'INDEXES' || asked === 'TOTAL') return { body, callerAsked: true };
  return {
    body: JSON.stringify({ ...parsed, ReturnConsumedCapacity: 'INDEXES' }),
    callerAsked: false,
  };
}

const KEY = '"ConsumedCapacity":';

/**
 * Splits an answer into its `ConsumedCapacity` (as a list, one entry per table) and the
 * answer without that member. DynamoDB Local writes it last (first for
 * TransactGetItems); both are cut from the text without parsing the items, which may
 * themselves have an attribute named `ConsumedCapacity`. Any other shape is parsed and
 * written again. `undefined` when the answer is not a JSON object.
 */
export function takeConsumedCapacity(
  answer: string,
): { consumed: ConsumedCapacity[]; rest: string } | undefined {
  const end = answer.trimEnd().length - 1;
  if (answer[end] === '}') {
    // Last member: the tail up to the closing brace parses as one value only when the key is
    // at the top level (nested, its container's closing bracket would come before the end).
    const last = answer.lastIndexOf(`,${KEY}`);
    if (last >= 0) {
      const value = tryParse(answer.slice(last + 1 + KEY.length, end));
      if (value !== undefined)
        return { consumed: entries(value), rest: `${answer.slice(0, last)}}` };
    }
  }
  const start = firstNonSpace(answer);
  if (answer.startsWith(KEY, start + 1)) {
    // First member: the value runs to its matching bracket.
    const from = start + 1 + KEY.length;
    const to = valueEnd(answer, from);
    const value = to === undefined ? undefined : tryParse(answer.slice(from, to));
    if (to !== undefined && value !== undefined) {
      const after = firstNonSpace(answer, to);
      const rest =
        answer[after] === ','
          ? `{${answer.slice(after + 1)}`
          : `${answer.slice(0, start + 1)}${answer.slice(after)}`;
      return { consumed: entries(value), rest };
    }
  }
  const parsed = tryParse(answer);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { ConsumedCapacity: value, ...rest } = parsed as Record<string, unknown>;
  return { consumed: entries(value), rest: JSON.stringify(rest) };
}

/** A table's name from a `TableName`, which may be the table's ARN. */
export function tableNameOf(name: string): string {
  const at = name.indexOf(':table/');
  return at < 0 ? name : (name.slice(at + ':table/'.length).split('/')[0] ?? name);
}

/** Adds one answer's consumed capacity to the counters (see the module comment for the keys). */
export function countConsumedCapacity(
  counters: CapacityCounters,
  operation: string,
  consumed: readonly ConsumedCapacity[],
): void {
  const read = READ_OPERATIONS.has(operation);
  for (const entry of consumed) {
    const table = tableNameOf(entry.TableName ?? '?');
    const units = entry.CapacityUnits ?? 0;
    const readUnits = entry.ReadCapacityUnits ?? (read ? units : 0);
    const writeUnits = entry.WriteCapacityUnits ?? (read ? 0 : units);
    counters.add(`${CAPACITY_PREFIX}${operation}.requests.${table}`);
    if (readUnits) {
      counters.add(`${CAPACITY_PREFIX}readUnits`, readUnits);
      counters.add(`${CAPACITY_PREFIX}readUnits.${table}`, readUnits);
      counters.add(`${CAPACITY_PREFIX}${operation}.readUnits.${table}`, readUnits);
    }
    if (writeUnits) {
      counters.add(`${CAPACITY_PREFIX}writeUnits`, writeUnits);
      counters.add(`${CAPACITY_PREFIX}writeUnits.${table}`, writeUnits);
      counters.add(`${CAPACITY_PREFIX}${operation}.writeUnits.${table}`, writeUnits);
    }
  }
}

/** Counts a failed metered request against each table it named (no capacity is known). */
export function countFailedRequest(
  counters: CapacityCounters,
  operation: string,
  tables: readonly string[],
): void {
  for (const table of tables.length > 0 ? tables : ['?'])
    counters.add(`${CAPACITY_PREFIX}${operation}.failed.${tableNameOf(table)}`);
}

/** Capacity and requests of one operation on one table. */
export interface OperationCapacity {
  operation: string;
  table: string;
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** Requests that failed, for which no capacity was reported. */
  failed: number;
}

/** What the capacity counters say, read back from a counter snapshot (or a delta of two). */
export interface CapacitySummary {
  readUnits: number;
  writeUnits: number;
  byTable: Map<string, { readUnits: number; writeUnits: number }>;
  /** By `<Operation> <table>`. */
  byOperation: Map<string, OperationCapacity>;
}

/** Reads the capacity counters of a snapshot of the local cloud's counters. */
export function capacityFromCounters(counters: Record<string, number>): CapacitySummary {
  const summary: CapacitySummary = {
    readUnits: 0,
    writeUnits: 0,
    byTable: new Map(),
    byOperation: new Map(),
  };
  for (const [key, value] of Object.entries(counters)) {
    if (!key.startsWith(CAPACITY_PREFIX)) continue;
    const parts = key.slice(CAPACITY_PREFIX.length).split('.');
    const [first, second] = parts;
    if (first === 'readUnits' || first === 'writeUnits') {
      if (parts.length === 1) summary[first] += value;
      else {
        const table = parts.slice(1).join('.');
        const row = summary.byTable.get(table) ?? { readUnits: 0, writeUnits: 0 };
        row[first] += value;
        summary.byTable.set(table, row);
      }
      continue;
    }
    if (first === undefined || parts.length < 3) continue;
    const table = parts.slice(2).join('.');
    const label = `${first} ${table}`;
    const row = summary.byOperation.get(label) ?? {
      operation: first,
      table,
      requests: 0,
      readUnits: 0,
      writeUnits: 0,
      failed: 0,
    };
    if (
      second === 'requests' ||
      second === 'readUnits' ||
      second === 'writeUnits' ||
      second === 'failed'
    )
      row[second] += value;
    summary.byOperation.set(label, row);
  }
  return summary;
}

function entries(value: unknown): ConsumedCapacity[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.filter((e): e is ConsumedCapacity => typeof e === 'object' && e !== null);
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function firstNonSpace(text: string, from = 0): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

/** Index just after the object or array starting at `from`, strings skipped; `undefined` if unbalanced. */
function valueEnd(text: string, from: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
    if (depth === 0 && !inString) return undefined;
  }
  return undefined;
}
