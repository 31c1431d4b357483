import { type CidrBlock, ipInCidr, parseCidr } from './cidr.ts';

/**
 * The EventBridge event pattern language, as pure functions: the local bus uses it
 * for rules and archives, the local event source mappings for filter criteria.
 *
 * A pattern is a JSON object shaped like the events it matches. Every leaf is an
 * array of matchers, any of which may match (OR); every key must match (AND); `$or`
 * takes a list of sub-patterns. A matcher is a literal (string, number, boolean,
 * null: equality) or an object with one operator: `prefix`, `suffix`,
 * `equals-ignore-case`, `wildcard`, `anything-but`, `numeric`, `exists`, `cidr`.
 * When the event's value is an array, the leaf matches if any element matches.
 */

/** Thrown for a malformed pattern; named like the AWS error so API callers can map it. */
export class InvalidEventPatternError extends Error {
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidEventPatternException';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: unknown };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const NUMERIC_OPERATORS = new Set(['=', '>', '>=', '<', '<=']);

// ---- Validation -------------------------------------------------------------------

function fail(path: string, reason: string): never {
  throw new InvalidEventPatternError(`${path}: ${reason}`);
}

function requireString(path: string, value: unknown, what: string): string {
  if (typeof value !== 'string') fail(path, `${what} must be a string`);
  return value;
}

function requireStringOrStrings(path: string, value: unknown, what: string): void {
  if (Array.isArray(value)) {
    if (value.length === 0) fail(path, `${what} list must not be empty`);
    value.forEach((v, i) => requireString(`${path}[${i}]`, v, what));
  } else {
    requireString(path, value, what);
  }
}

/** Consecutive `*` and dangling or unknown escapes are rejected, as AWS does. */
function validateWildcard(path: string, value: unknown): void {
  const text = requireString(path, value, 'wildcard');
  if (text.includes('**')) fail(path, 'consecutive wildcard characters are not allowed');
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') continue;
    const next = text[i + 1];
    if (next !== '*' && next !== '\\') fail(path, 'wildcard escapes must be \\* or \\\\');
    i++;
  }
}

function validateAffix(path: string, value: unknown, operator: string): void {
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      fail(path, `${operator} takes a string or { "equals-ignore-case": string }`);
    }
    requireString(`${path}.equals-ignore-case`, value['equals-ignore-case'], operator);
    return;
  }
  requireString(path, value, operator);
}

function validateNumeric(path: string, value: unknown): void {
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 4)) {
    fail(path, 'numeric takes one or two [operator, number] pairs, e.g. [">", 0, "<=", 5]');
  }
  const pairs: [string, number][] = [];
  for (let i = 0; i < value.length; i += 2) {
    const operator: unknown = value[i];
    const operand: unknown = value[i + 1];
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator)) {
      fail(path, `unknown numeric operator ${JSON.stringify(operator)}`);
    }
    if (typeof operand !== 'number' || !Number.isFinite(operand)) {
      fail(path, `numeric operand after "${operator}" must be a number`);
    }
    pairs.push([operator, operand]);
  }
  const [first, second] = pairs;
  if (first && second) {
    const lower = [first, second].find(([op]) => op === '>' || op === '>=');
    const upper = [first, second].find(([op]) => op === '<' || op === '<=');
    if (!lower || !upper)
      fail(path, 'a numeric range needs one lower (> or >=) and one upper (< or <=) bound');
    if (lower[1] >= upper[1])
      fail(path, 'the lower bound of a numeric range must be below its upper bound');
  }
}

function validateAnythingBut(path: string, value: unknown): void {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return;
  if (Array.isArray(value)) {
    if (value.length === 0) fail(path, 'anything-but list must not be empty');
    const allStrings = value.every((v) => typeof v === 'string');
    const allNumbers = value.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!allStrings && !allNumbers)
      fail(path, 'anything-but list must hold only strings or only numbers');
    return;
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    const [key] = keys;
    if (keys.length !== 1 || key === undefined)
      fail(path, 'anything-but object takes exactly one operator');
    const inner = value[key];
    switch (key) {
      case 'prefix':
      case 'suffix':
        requireString(`${path}.${key}`, inner, key);
        return;
      case 'equals-ignore-case':
        requireStringOrStrings(`${path}.${key}`, inner, key);
        return;
      case 'wildcard':
        if (Array.isArray(inner)) {
          if (inner.length === 0) fail(`${path}.wildcard`, 'wildcard list must not be empty');
          inner.forEach((w, i) => validateWildcard(`${path}.wildcard[${i}]`, w));
        } else {
          validateWildcard(`${path}.wildcard`, inner);
        }
        return;
      default:
        fail(path, `anything-but does not support "${key}"`);
    }
  }
  fail(
    path,
    'anything-but takes a string, a number, a list of either, or a prefix/suffix/equals-ignore-case/wildcard object',
  );
}

function validateMatcher(path: string, matcher: unknown): void {
  if (matcher === null || ['string', 'number', 'boolean'].includes(typeof matcher)) {
    if (typeof matcher === 'number' && !Number.isFinite(matcher))
      fail(path, 'numbers must be finite');
    return;
  }
  if (Array.isArray(matcher)) fail(path, 'nested arrays are not allowed in a match list');
  if (!isObject(matcher)) fail(path, 'unsupported matcher');
  const keys = Object.keys(matcher);
  const [operator] = keys;
  if (keys.length !== 1 || operator === undefined) {
    fail(path, `a matcher object takes exactly one operator, got ${JSON.stringify(keys)}`);
  }
  const operand = matcher[operator];
  const at = `${path}.${operator}`;
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return validateAffix(at, operand, operator);
    case 'equals-ignore-case':
      requireString(at, operand, operator);
      return;
    case 'wildcard':
      return validateWildcard(at, operand);
    case 'anything-but':
      return validateAnythingBut(at, operand);
    case 'numeric':
      return validateNumeric(at, operand);
    case 'exists':
      if (typeof operand !== 'boolean') fail(at, 'exists must be true or false');
      return;
    case 'cidr':
      if (typeof operand !== 'string' || !parseCidr(operand))
        fail(at, 'cidr must be a CIDR block like 10.0.0.0/24');
      return;
    default:
      fail(path, `unrecognized match type "${operator}"`);
  }
}

function validateObject(path: string, pattern: JsonObject): void {
  for (const [key, value] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length === 0 || !value.every(isObject)) {
        fail(at, '$or takes a non-empty list of patterns');
      }
      value.forEach((sub, i) => validateObject(`${at}[${i}]`, sub));
    } else if (Array.isArray(value)) {
      if (value.length === 0) fail(at, 'empty arrays are not allowed');
      value.forEach((matcher, i) => validateMatcher(`${at}[${i}]`, matcher));
    } else if (isObject(value)) {
      validateObject(at, value);
    } else {
      fail(at, 'match values must be in an array (e.g. ["value"]) or be a nested pattern object');
    }
  }
}

/**
 * Checks a pattern's shape and operators; throws {@link InvalidEventPatternError}
 * naming the offending path when it is malformed.
 */
export function validateEventPattern(pattern: unknown): asserts pattern is object {
  if (!isObject(pattern)) throw new InvalidEventPatternError('the pattern must be a JSON object');
  validateObject('', pattern);
}

// ---- Matching ---------------------------------------------------------------------

const wildcardCache = new Map<string, RegExp>();
const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

function wildcardRegExp(wildcard: string): RegExp {
  let regex = wildcardCache.get(wildcard);
  if (!regex) {
    let source = '';
    for (let i = 0; i < wildcard.length; i++) {
      const char = wildcard[i]!;
      if (char === '\\') {
        source += escapeRegExp(wildcard[i + 1] ?? '\\');
        i++;
      } else {
        source += char === '*' ? '[\\s\\S]*' : escapeRegExp(char);
      }
    }
    regex = new RegExp(`^${source}$`);
    wildcardCache.set(wildcard, regex);
  }
  return regex;
}

const cidrCache = new Map<string, CidrBlock | undefined>();

function cidrBlock(text: string): CidrBlock | undefined {
  if (!cidrCache.has(text)) cidrCache.set(text, parseCidr(text));
  return cidrCache.get(text);
}

const sameIgnoringCase = (a: string, b: string) =>
  a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();

type Affix = (value: string, affix: string) => boolean;
const startsWith: Affix = (value, affix) => value.startsWith(affix);
const endsWith: Affix = (value, affix) => value.endsWith(affix);

function matchesAffix(value: Json, operand: unknown, test: Affix): boolean {
  if (typeof value !== 'string') return false;
  if (isObject(operand)) {
    const affix = String(operand['equals-ignore-case']);
    return test(value.toLowerCase(), affix.toLowerCase());
  }
  return test(value, String(operand));
}

function numericTest(value: number, operator: string, operand: number): boolean {
  switch (operator) {
    case '=':
      return value === operand;
    case '>':
      return value > operand;
    case '>=':
      return value >= operand;
    case '<':
      return value < operand;
    default:
      return value <= operand;
  }
}

function matchesAnythingBut(value: Json, operand: unknown): boolean {
  if (Array.isArray(operand)) return !operand.some((excluded) => excluded === value);
  if (!isObject(operand)) return operand !== value;
  const [key] = Object.keys(operand);
  const inner = operand[key ?? ''];
  const asList = (x: unknown) => (Array.isArray(x) ? x.map(String) : [String(x)]);
  // Only strings can start/end with or equal a string: any other value is "anything but" it.
  if (typeof value !== 'string') return true;
  switch (key) {
    case 'prefix':
      return !value.startsWith(String(inner));
    case 'suffix':
      return !value.endsWith(String(inner));
    case 'equals-ignore-case':
      return !asList(inner).some((excluded) => sameIgnoringCase(value, excluded));
    default:
      return !asList(inner).some((w) => wildcardRegExp(w).test(value));
  }
}

/** Whether one scalar event value satisfies one (non-`exists`) matcher. */
function matchesValue(matcher: unknown, value: Json): boolean {
  if (!isObject(matcher)) return matcher === value;
  const [operator] = Object.keys(matcher);
  const operand = matcher[operator ?? ''];
  switch (operator) {
    case 'prefix':
      return matchesAffix(value, operand, startsWith);
    case 'suffix':
      return matchesAffix(value, operand, endsWith);
    case 'equals-ignore-case':
      return typeof value === 'string' && sameIgnoringCase(value, String(operand));
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(String(operand)).test(value);
    case 'anything-but':
      return matchesAnythingBut(value, operand);
    case 'numeric': {
      if (typeof value !== 'number') return false;
      const pairs = operand as (string | number)[];
      for (let i = 0; i < pairs.length; i += 2) {
        if (!numericTest(value, pairs[i] as string, pairs[i + 1] as number)) return false;
      }
      return true;
    }
    case 'cidr': {
      const block = cidrBlock(String(operand));
      return typeof value === 'string' && block !== undefined && ipInCidr(value, block);
    }
    default:
      throw new InvalidEventPatternError(`unrecognized match type "${String(operator)}"`);
  }
}

/** The scalar values at a leaf: arrays are flattened, objects are not leaves. */
function leafValues(value: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(value)) {
    for (const element of value) leafValues(element, out);
  } else if (!isObject(value) && value !== undefined) {
    out.push(value as Json);
  }
  return out;
}

function matchesLeaf(matchers: unknown[], present: boolean, value: unknown): boolean {
  const values = present ? leafValues(value) : [];
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) {
      return matcher.exists === values.length > 0;
    }
    return values.some((v) => matchesValue(matcher, v));
  });
}

function matchesObject(pattern: JsonObject, value: unknown): boolean {
  // An array of objects matches a nested pattern when one of its elements does,
  // so that every field of that pattern is satisfied by the same element.
  if (Array.isArray(value)) {
    const candidates = value.filter(isObject);
    return candidates.length > 0
      ? candidates.some((element) => matchesObject(pattern, element))
      : matchesObject(pattern, undefined);
  }
  const fields = isObject(value) ? value : undefined;
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(expected as JsonObject[]).some((sub) => matchesObject(sub, value))) return false;
      continue;
    }
    const present = fields !== undefined && Object.hasOwn(fields, key);
    const actual = present ? fields[key] : undefined;
    const ok = Array.isArray(expected)
      ? matchesLeaf(expected, present, actual)
      : matchesObject(expected as JsonObject, actual);
    if (!ok) return false;
  }
  return true;
}

// Patterns are validated once, the first time they are matched.
const validated = new WeakSet<object>();

/**
 * Whether `event` matches the EventBridge `pattern`. Pure; throws
 * {@link InvalidEventPatternError} if the pattern is malformed.
 */
export function matchesPattern(pattern: object, event: unknown): boolean {
  if (!validated.has(pattern)) {
    validateEventPattern(pattern);
    validated.add(pattern);
  }
  return matchesObject(pattern as JsonObject, event);
}
