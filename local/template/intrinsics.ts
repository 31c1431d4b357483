/**
 * CloudFormation intrinsic functions, resolved the way CloudFormation would at deploy
 * time, against local physical names and ARNs. Pure: every lookup goes through the
 * {@link IntrinsicEnv} passed in.
 */

/** Where intrinsics look things up. */
export interface IntrinsicEnv {
  region: string;
  accountId: string;
  partition: string;
  stackName: string;
  urlSuffix: string;
  /** Template parameters, already given their values (defaults or overrides). */
  parameters: Record<string, unknown>;
  mappings: Record<string, Record<string, Record<string, unknown>>>;
  /** Raw condition definitions from the template. */
  conditions: Record<string, unknown>;
  /** The value of `Ref` for a resource (throws for unknown ids). */
  ref(logicalId: string): unknown;
  /** The value of `Fn::GetAtt` for a resource attribute. */
  getAtt(logicalId: string, attribute: string): unknown;
}

/** What `AWS::NoValue` resolves to: removed from the enclosing object or array. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** Raised for an intrinsic the local cloud cannot resolve (the message says which and where). */
export class IntrinsicError extends Error {
  override name = 'IntrinsicError';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pseudoParameter(name: string, env: IntrinsicEnv): unknown {
  switch (name) {
    case 'AWS::Region':
      return env.region;
    case 'AWS::AccountId':
      return env.accountId;
    case 'AWS::Partition':
      return env.partition;
    case 'AWS::StackName':
      return env.stackName;
    case 'AWS::StackId':
      return `arn:${env.partition}:cloudformation:${env.region}:${env.accountId}:stack/${env.stackName}/00000000-0000-0000-0000-000000000000`;
    case 'AWS::URLSuffix':
      return env.urlSuffix;
    case 'AWS::NotificationARNs':
      return [];
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      return undefined;
  }
}

function refOf(name: string, env: IntrinsicEnv): unknown {
  const pseudo = pseudoParameter(name, env);
  if (pseudo !== undefined) return pseudo;
  if (name in env.parameters) return env.parameters[name];
  return env.ref(name);
}

function asString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new IntrinsicError(`${where} expects a string, got ${JSON.stringify(value)}`);
}

function asList(value: unknown, where: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new IntrinsicError(`${where} expects a list, got ${JSON.stringify(value)}`);
}

/** `${Name}`, `${Res.Attr}` and `${!Literal}` in an Fn::Sub template. */
function substitute(
  template: string,
  variables: Record<string, unknown>,
  env: IntrinsicEnv,
): string {
  return template.replace(/\$\{([^}]*)\}/g, (_match, expr: string) => {
    if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
    const name = expr.trim();
    if (name in variables) return asString(variables[name], `Fn::Sub variable ${name}`);
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) {
      return asString(env.getAtt(name.slice(0, dot), name.slice(dot + 1)), `Fn::Sub \${${name}}`);
    }
    return asString(refOf(name, env), `Fn::Sub \${${name}}`);
  });
}

/** Evaluates a named condition of the template (Fn::Equals/And/Or/Not/Condition). */
export function evaluateCondition(
  name: string,
  env: IntrinsicEnv,
  seen: Set<string> = new Set(),
): boolean {
  if (seen.has(name)) throw new IntrinsicError(`Condition ${name} refers to itself`);
  if (!(name in env.conditions)) throw new IntrinsicError(`Unknown condition ${name}`);
  return evaluateConditionExpr(env.conditions[name], env, new Set([...seen, name]));
}

function evaluateConditionExpr(expr: unknown, env: IntrinsicEnv, seen: Set<string>): boolean {
  if (isObject(expr)) {
    const [key, arg] = Object.entries(expr)[0] ?? [];
    switch (key) {
      case 'Condition':
        return evaluateCondition(asString(arg, 'Condition'), env, seen);
      case 'Fn::Equals': {
        const [a, b] = asList(arg, 'Fn::Equals').map((v) => resolveIntrinsics(v, env));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::And':
        return asList(arg, 'Fn::And').every((c) => evaluateConditionExpr(c, env, seen));
      case 'Fn::Or':
        return asList(arg, 'Fn::Or').some((c) => evaluateConditionExpr(c, env, seen));
      case 'Fn::Not':
        return !evaluateConditionExpr(asList(arg, 'Fn::Not')[0], env, seen);
    }
  }
  if (typeof expr === 'boolean') return expr;
  if (expr === 'true' || expr === 'false') return expr === 'true';
  throw new IntrinsicError(`Unsupported condition expression ${JSON.stringify(expr)}`);
}

function resolveFunction(key: string, arg: unknown, env: IntrinsicEnv): unknown {
  switch (key) {
    case 'Ref':
      return refOf(asString(arg, 'Ref'), env);
    case 'Fn::GetAtt': {
      const [id, ...attr] =
        typeof arg === 'string'
          ? arg.split('.')
          : asList(resolveIntrinsics(arg, env), 'Fn::GetAtt');
      return env.getAtt(
        asString(id, 'Fn::GetAtt'),
        attr.map((a) => asString(a, 'Fn::GetAtt')).join('.'),
      );
    }
    case 'Fn::Join': {
      const [sep, parts] = asList(arg, 'Fn::Join');
      const values = asList(resolveIntrinsics(parts, env), 'Fn::Join');
      return values.map((v) => asString(v, 'Fn::Join')).join(asString(sep, 'Fn::Join'));
    }
    case 'Fn::Sub': {
      if (typeof arg === 'string') return substitute(arg, {}, env);
      const [template, vars] = asList(arg, 'Fn::Sub');
      const variables = resolveIntrinsics(vars ?? {}, env);
      if (!isObject(variables)) throw new IntrinsicError('Fn::Sub variables must be an object');
      return substitute(asString(template, 'Fn::Sub'), variables, env);
    }
    case 'Fn::Select': {
      const [index, list] = asList(arg, 'Fn::Select');
      const values = asList(resolveIntrinsics(list, env), 'Fn::Select');
      const i = Number(resolveIntrinsics(index, env));
      if (!Number.isInteger(i) || i < 0 || i >= values.length) {
        throw new IntrinsicError(`Fn::Select index ${String(index)} out of range`);
      }
      return values[i];
    }
    case 'Fn::Split': {
      const [sep, source] = asList(arg, 'Fn::Split');
      return asString(resolveIntrinsics(source, env), 'Fn::Split').split(
        asString(sep, 'Fn::Split'),
      );
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = asList(arg, 'Fn::If');
      const chosen = evaluateCondition(asString(condition, 'Fn::If'), env) ? whenTrue : whenFalse;
      return resolveIntrinsics(chosen, env);
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = asList(resolveIntrinsics(arg, env), 'Fn::FindInMap').map((v) =>
        asString(v, 'Fn::FindInMap'),
      );
      const value = env.mappings[map ?? '']?.[top ?? '']?.[second ?? ''];
      if (value === undefined)
        throw new IntrinsicError(`Fn::FindInMap ${map}/${top}/${second} not found`);
      return value;
    }
    case 'Fn::GetAZs':
      return ['a', 'b', 'c'].map((zone) => `${env.region}${zone}`);
    case 'Fn::Base64':
      return Buffer.from(asString(resolveIntrinsics(arg, env), 'Fn::Base64')).toString('base64');
    case 'Fn::ToJsonString':
      return JSON.stringify(resolveIntrinsics(arg, env));
    case 'Fn::Length':
      return asList(resolveIntrinsics(arg, env), 'Fn::Length').length;
    case 'Condition':
      return evaluateCondition(asString(arg, 'Condition'), env);
    default:
      return undefined;
  }
}

const FUNCTIONS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Join',
  'Fn::Sub',
  'Fn::Select',
  'Fn::Split',
  'Fn::If',
  'Fn::FindInMap',
  'Fn::GetAZs',
  'Fn::Base64',
  'Fn::ToJsonString',
  'Fn::Length',
]);

/**
 * Resolves every intrinsic function in a value (deeply). `AWS::NoValue` removes
 * the property or list element that holds it. Unsupported functions (for example
 * `Fn::ImportValue`) raise an {@link IntrinsicError} naming the function.
 */
export function resolveIntrinsics(value: unknown, env: IntrinsicEnv): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => resolveIntrinsics(v, env)).filter((v) => v !== NO_VALUE);
  }
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  const [only] = keys;
  if (keys.length === 1 && only !== undefined) {
    if (FUNCTIONS.has(only)) return resolveFunction(only, value[only], env);
    if (only.startsWith('Fn::'))
      throw new IntrinsicError(`${only} is not supported by the local cloud`);
  }
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const resolved = resolveIntrinsics(v, env);
    if (resolved !== NO_VALUE) result[key] = resolved;
  }
  return result;
}
