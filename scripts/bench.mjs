#!/usr/bin/env node
// `pnpm bench <package> [args…]` runs that package's `bench` script (e.g. `pnpm bench linalg --json`).
// With no package, runs every package's benchmarks in turn.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const [target, ...rest] = process.argv.slice(2);
const packages = readdirSync(join(root, 'packages')).filter((p) => {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', p, 'package.json'), 'utf8'));
  return Boolean(pkg.scripts?.bench);
});
const chosen = target && !target.startsWith('-') ? [target.replace(/^@caldera\//, '')] : packages;
const args = target?.startsWith('-') ? [target, ...rest] : rest;
for (const p of chosen) {
  if (!packages.includes(p)) {
    console.error(`bench: no package "${p}" with a bench script (have: ${packages.join(', ')})`);
    process.exit(2);
  }
  const r = spawnSync('npm', ['run', '--silent', 'bench', '--', ...args], {
    cwd: join(root, 'packages', p),
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
