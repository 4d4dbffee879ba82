#!/usr/bin/env node
// Typechecks every workspace package, builds every library with tsup and lints its package
// exports with publint --strict. Runs the tools directly (two at a time) instead of nested
// `pnpm run`s, whose concurrent dependency checks race on pnpm's workspace state file.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const dirs = ['packages', 'apps'].flatMap((group) =>
  existsSync(join(root, group))
    ? readdirSync(join(root, group))
        .map((d) => join(root, group, d))
        .filter((d) => existsSync(join(d, 'package.json')))
    : [],
);
const libraries = dirs.filter((d) => d.includes('/packages/'));

function runStep(label, cmd, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('close', (code) => resolve({ label, code, output }));
  });
}

async function pool(tasks, width) {
  const results = [];
  let next = 0;
  async function worker() {
    while (next < tasks.length) {
      const task = tasks[next++];
      results.push(await task());
    }
  }
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

const name = (d) => d.slice(root.length);
const tasks = [
  ...dirs.map((d) => () => runStep(`typecheck ${name(d)}`, bin('tsc'), ['--noEmit', '-p', '.'], d)),
  ...libraries.map((d) => async () => {
    const built = await runStep(`build ${name(d)}`, bin('tsup'), ['--silent'], d);
    if (built.code !== 0) return built;
    return runStep(`publint ${name(d)}`, bin('publint'), ['--strict', '--pack', 'false'], d);
  }),
];
const results = await pool(tasks, 2);
let failed = 0;
for (const r of results) {
  if (r.code === 0) {
    console.log(`ok    ${r.label}`);
  } else {
    failed++;
    console.log(`FAIL  ${r.label}\n${r.output}`);
  }
}
console.log(
  `package checks (typecheck, build, publint): ${results.length - failed} ok, ${failed} failing`,
);
process.exit(failed === 0 ? 0 : 1);
