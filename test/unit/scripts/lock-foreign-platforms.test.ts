import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { platformOf } from '../../../scripts/lock-foreign-platforms.ts';

describe('platformOf', () => {
  it('reads os, cpu and libc from a platform package name', () => {
    expect(platformOf('@swc/core-darwin-arm64')).toEqual({ os: ['darwin'], cpu: ['arm64'] });
    expect(platformOf('@swc/core-linux-arm-gnueabihf')).toEqual({
      os: ['linux'],
      cpu: ['arm'],
      libc: ['glibc'],
    });
    expect(platformOf('@unrs/resolver-binding-linux-riscv64-musl')).toEqual({
      os: ['linux'],
      cpu: ['riscv64'],
      libc: ['musl'],
    });
    expect(platformOf('@swc/core-win32-ia32-msvc')).toEqual({ os: ['win32'], cpu: ['ia32'] });
  });

  it('does not guess for a name that names no platform', () => {
    expect(platformOf('@swc/counter')).toBeUndefined();
  });
});

describe('package-lock.json', () => {
  it('locks every optional dependency it names, so npm ci accepts it on any machine', () => {
    const lock = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', '..', 'package-lock.json'), 'utf8'),
    ) as { packages: Record<string, { optionalDependencies?: Record<string, string> }> };
    const missing = Object.values(lock.packages).flatMap((entry) =>
      Object.keys(entry.optionalDependencies ?? {}).filter(
        (name) => !lock.packages[`node_modules/${name}`],
      ),
    );
    expect(missing).toEqual([]);
  });
});
