import * as z from 'zod/mini';

/** Thrown at cold start when the function's configuration is wrong; names every bad variable. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

/**
 * Validates environment variables once, at module load, so a misconfigured function
 * fails on its first cold start with a message naming the variables, instead of
 * failing later on some request with an obscure SDK error.
 *
 * @param shape - zod schema per variable; use `z._default(...)` for optional ones.
 * @param source - where to read from (tests pass a plain object).
 * @returns the parsed, typed values.
 * @throws {@link EnvironmentError} listing each missing or invalid variable.
 *
 * @example
 * const env = loadEnv({ TABLE_NAME: z.string().check(z.minLength(1)) });
 */
export function loadEnv<TShape extends z.core.$ZodLooseShape>(
  shape: TShape,
  source: Record<string, string | undefined> = process.env,
): z.output<z.ZodMiniObject<TShape>> {
  const schema = z.object(shape);
  // Only the declared variables are validated; the rest of the environment is ignored.
  const picked = Object.fromEntries(Object.keys(shape).map((name) => [name, source[name]]));
  const result = z.safeParse(schema, picked);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.map(String).join('.') || '(environment)';
    const value = source[name];
    return value === undefined
      ? `${name} is required`
      : `${name}=${JSON.stringify(value)} is invalid: ${issue.message}`;
  });
  throw new EnvironmentError(`Invalid environment: ${problems.join('; ')}`);
}
