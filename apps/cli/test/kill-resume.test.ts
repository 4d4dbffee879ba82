// `caldera compress` killed with SIGKILL mid-run, then rerun with --resume: finished layers are
// skipped, the output folder never exists half-written, and the bytes equal an uninterrupted run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assets, cli, root, stories } from './cli-harness';

const text = `${assets}/text/tinystories/tinystories_validation_head.txt`;
const ARGS = ['--data', text, '--rank', '8', '--iterations', '1', '--lplr', '2'];
const CAL = ['--samples', '4', '--seq', '64', '--json'];
const KILL_AFTER = 8;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-kill-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI in a child process; SIGKILLs it after `killAfter` finished layers. */
function runChild(
  args: string[],
  killAfter?: number,
): Promise<{ code: number | null; signal: string | null; finished: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@caldera/source', '--import', 'tsx', 'apps/cli/src/bin.ts', ...args],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let finished = 0;
    let out = '';
    let buffer = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      buffer += b.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const e = JSON.parse(line);
        if (e.type === 'progress' && e.task === 'compress') finished = e.current;
      }
      if (killAfter !== undefined && finished >= killAfter) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, finished, out }));
  });
}

describe('caldera compress --resume after SIGKILL', () => {
  it('skips the finished layers and writes the same bytes as an uninterrupted run', async () => {
    const full = join(dir, 'full');
    const ref = await cli('compress', stories, '-o', full, ...ARGS, ...CAL, '--threads', '1');
    expect(ref.code).toBe(0);

    const out = join(dir, 'killed');
    const partial = `${out}.partial`;
    const killed = await runChild(
      ['compress', stories, '-o', out, ...ARGS, ...CAL, '--threads', '2', '--resume'],
      KILL_AFTER,
    );
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.finished).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(existsSync(out)).toBe(false); // never half-written: the folder does not exist yet
    const stored = (await readdir(partial)).filter((f) => f.endsWith('.weight.safetensors'));
    expect(stored.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(stored.length).toBeLessThan(35);

    const resumed = await runChild([
      ...['compress', stories, '-o', out, ...ARGS, ...CAL, '--resume', '--threads', '1'],
    ]);
    expect(resumed.code).toBe(0);
    const s = JSON.parse(resumed.out);
    const skipped = s.layers.filter((l: { resumed: boolean }) => l.resumed);
    expect(skipped).toHaveLength(stored.length);
    expect(skipped.map((l: { name: string }) => `${l.name}.safetensors`).sort()).toEqual(
      stored.sort(),
    );
    for (const f of ['model.safetensors', 'config.json', 'tok512.bin']) {
      expect(Buffer.compare(await readFile(join(out, f)), await readFile(join(full, f)))).toBe(0);
    }
    expect(existsSync(partial)).toBe(false);
  }, 120_000);
});
