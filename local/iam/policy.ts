/**
 * Identity-based IAM policy evaluation, as much of it as the local cloud needs to
 * refuse what a function's role does not allow: an explicit `Deny` wins, then any
 * `Allow` whose action and resource match, otherwise the request is denied.
 *
 * Not evaluated: `Condition` blocks (a conditional statement is taken as applying,
 * which can only make the local cloud more lenient than AWS, never stricter),
 * permission boundaries, session and resource-based policies, SCPs.
 */

export interface Statement {
  effect: 'Allow' | 'Deny';
  /** Action patterns (`dynamodb:Get*`), or with `notAction` the ones it does not cover. */
  actions: string[];
  notAction: boolean;
  /** Resource ARN patterns, or with `notResource` the ones it does not cover. */
  resources: string[];
  notResource: boolean;
}

/** One thing a request needs: an action on a resource (`*` when the action has none). */
export interface Access {
  action: string;
  resource: string;
}

/** Turns IAM's `*` and `?` wildcards into a regular expression. */
function patternRegex(pattern: string, ignoreCase: boolean): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
}

const compiled = new Map<string, RegExp>();

function matches(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern === '*') return true;
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = compiled.get(key);
  if (!regex) {
    regex = patternRegex(pattern, ignoreCase);
    compiled.set(key, regex);
  }
  return regex.test(value);
}

/** Whether a statement applies to an access: action names ignore case, ARNs do not. */
export function statementApplies(statement: Statement, access: Access): boolean {
  const actionListed = statement.actions.some((p) => matches(p, access.action, true));
  if (actionListed === statement.notAction) return false;
  const resourceListed = statement.resources.some((p) => matches(p, access.resource, false));
  return resourceListed !== statement.notResource;
}

/** Whether the statements allow the access: not denied explicitly, and allowed by one. */
export function isAllowed(statements: readonly Statement[], access: Access): boolean {
  let allowed = false;
  for (const statement of statements) {
    if (!statementApplies(statement, access)) continue;
    if (statement.effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}

const strings = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);

/**
 * The statements of a resolved policy document (every intrinsic already replaced by
 * its local value). A statement without a recognisable effect is dropped.
 */
export function statementsOf(document: unknown): Statement[] {
  if (typeof document !== 'object' || document === null) return [];
  const raw = (document as { Statement?: unknown }).Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const statements: Statement[] = [];
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const s = entry as Record<string, unknown>;
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') continue;
    const notAction = s.NotAction !== undefined;
    const notResource = s.NotResource !== undefined;
    statements.push({
      effect: s.Effect,
      actions: strings(notAction ? s.NotAction : s.Action),
      notAction,
      resources: strings(notResource ? s.NotResource : s.Resource),
      notResource,
    });
  }
  return statements;
}

/** The first access the statements do not allow, if any. */
export function firstDenied(
  statements: readonly Statement[],
  accesses: readonly Access[],
): Access | undefined {
  return accesses.find((access) => !isAllowed(statements, access));
}
