// Completes package-lock.json with the platform builds this machine's registry does not
// serve (`npm run lock:platforms` after any install that changes the lock).
//
// Packages such as @swc/core and unrs-resolver (jest) ship one optional package per
// OS/CPU. The registry reachable here serves only the linux-x64 ones, so npm leaves the
// others out of the lock, and `npm ci` then refuses the lock on every machine ("Missing:
// @swc/core-darwin-arm64@ from lock file"). Each missing optional package gets an entry
// with its exact version (from the parent's pin) and the os/cpu/libc it is built for,
// read from its name: `npm ci` skips it where the platform does not match, and fetches
// it where it does (a Mac, Windows) from a registry that has it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

const OSES = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony'];
const CPUS = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64'];

/** os, cpu and libc of a platform package, from its name (e.g. `core-linux-arm-gnueabihf`). */
export function platformOf(name: string): Pick<LockEntry, 'os' | 'cpu' | 'libc'> | undefined {
  const parts = name.split('/').pop()!.split('-');
  const os = parts.find((p) => OSES.includes(p));
  const cpu = parts.find((p) => CPUS.includes(p));
  if (!os || !cpu) return undefined;
  const libc = parts.some((p) => p.startsWith('musl'))
    ? ['musl']
    : os === 'linux' && parts.some((p) => p.startsWith('gnu'))
      ? ['glibc']
      : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
}

function main(): void {
  const path = join(import.meta.dirname, '..', 'package-lock.json');
  const lock = JSON.parse(readFileSync(path, 'utf8')) as { packages: Record<string, LockEntry> };
  let added = 0;
  for (const [key, entry] of Object.entries(lock.packages)) {
    for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
      const childKey = `node_modules/${name}`;
      if (lock.packages[childKey]) continue;
      const platform = platformOf(name);
      if (!platform || !/^\d+\.\d+\.\d+/.test(range)) {
        throw new Error(`${key}: cannot lock optional dependency ${name}@${range}`);
      }
      lock.packages[childKey] = {
        version: range,
        ...(entry.dev ? { dev: true } : {}),
        optional: true,
        ...platform,
      };
      added++;
    }
  }
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) =>
      a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1,
    ),
  );
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`added ${added} platform packages to package-lock.json`);
}

if (process.argv[1] === import.meta.filename) main();
