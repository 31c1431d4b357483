import path from 'node:path';

/** The repository root: bundling resolves entries, the lock file and tsconfig from here. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** Absolute path of a Lambda entry under `lambdas/`, e.g. `lambdaEntry('relay/handler.ts')`. */
export function lambdaEntry(relativePath: string): string {
  return path.join(PROJECT_ROOT, 'lambdas', relativePath);
}
