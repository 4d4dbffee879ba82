// compressModel on worker threads: identical bytes, bounded weights in memory, atomic output.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCalderaError, type ProgressEvent } from '@caldera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CompressionPlan,
  compressModel,
  createNodeLayerPool,
  type LayerPool,
  partialDirOf,
} from './imports';
import { tinySource, tinyStats } from './model-fixtures';

const PLAN: CompressionPlan = {
  defaults: { method: 'caldera', rank: 4, iterations: 2, lplrRounds: 2 },
  rules: [{ pattern: /v_proj/, method: 'ldlq' }],
};

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isCalderaError(e) ? e.code : String(e);
  }
}

async function sameFiles(a: string, b: string): Promise<void> {
  for (const f of ['model.safetensors', 'config.json']) {
    expect(Buffer.compare(await readFile(join(a, f)), await readFile(join(b, f)))).toBe(0);
  }
}

let dir: string;
// One pool of 2 worker threads for the whole file (starting workers from the TypeScript
// sources takes seconds); compressModel's close() of it is a no-op.
let workers: LayerPool;
let shared: LayerPool;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-parallel-'));
  workers = createNodeLayerPool(2);
  shared = { threads: 2, run: (t, s) => workers.run(t, s), close: async () => {} };
});
afterAll(async () => {
  await workers.close();
  await rm(dir, { recursive: true, force: true });
});

describe('compressModel with threads', () => {
  it('writes the same bytes on 2 worker threads as on 1, holding at most 2 weights', async () => {
    const one = join(dir, 'one');
    const two = join(dir, 'two');
    const s1 = await compressModel(tinySource(), tinyStats(), PLAN, { outDir: one });
    expect(s1.threads).toBe(1);
    expect(s1.maxWeightsHeld).toBe(1);
    // Instrumented reader: every weight read must come after all but `threads - 1` of the
    // earlier layers finished, i.e. at most `threads` source weights are held at once.
    const src = tinySource();
    let finished = 0;
    let compressing = false;
    const lag: number[] = [];
    const read = src.readTensor;
    const jobsRead: string[] = [];
    src.readTensor = async (name) => {
      if (compressing && /_proj\.weight$/.test(name)) {
        jobsRead.push(name);
        lag.push(jobsRead.length - 1 - finished);
      }
      return read(name);
    };
    const events: ProgressEvent[] = [];
    const s2 = await compressModel(src, tinyStats(), PLAN, {
      outDir: two,
      pool: shared,
      onProgress: (e) => {
        events.push(e);
        if (e.type === 'start' && e.task === 'compress') compressing = true;
        if (e.type === 'progress' && e.task === 'compress') finished = e.current;
      },
    });
    expect(s2.threads).toBe(2);
    expect(s2.layers.map((l) => l.name)).toEqual(s1.layers.map((l) => l.name));
    expect(s2.maxWeightsHeld).toBeLessThanOrEqual(2);
    expect(Math.max(...lag)).toBeLessThanOrEqual(1);
    expect(lag.length).toBe(14);
    expect(events.filter((e) => e.type === 'progress' && e.task === 'compress')).toHaveLength(14);
    expect(s2.memory.rssBytes).toBeGreaterThan(1e6);
    expect(s2.memory.heapUsedBytes).toBeGreaterThan(0);
    expect(s2.peakRssBytes).toBe(s2.memory.rssBytes);
    await sameFiles(one, two);
  });

  it('keeps CalderaError codes across the thread boundary', async () => {
    {
      const r = workers.run({
        name: 'w',
        m: 8,
        n: 8,
        settings: { method: 'caldera', lrBits: 5 as 4 },
        w: new Float32Array(64),
        h: new Float64Array(64),
      });
      expect(await codeOf(r)).toBe('INVALID_OPTIONS');
    }
    expect(() => createNodeLayerPool(0)).toThrow(/threads must be an integer/);
  });

  it('runs on a pool given by the caller (the browser plug-in point)', async () => {
    let tasks = 0;
    const inner = createNodeLayerPool(1);
    const pool: LayerPool = {
      threads: 3,
      run: (task, signal) => {
        tasks++;
        return inner.run(task, signal);
      },
      close: () => inner.close(),
    };
    const out = join(dir, 'custom');
    const s = await compressModel(tinySource(), tinyStats(), PLAN, { outDir: out, pool });
    expect(tasks).toBe(14);
    expect(s.threads).toBe(3);
    await sameFiles(join(dir, 'one'), out);
  });
});

describe('compressModel output folder', () => {
  it('appears only when complete and replaces an earlier checkpoint', async () => {
    const out = join(dir, 'atomic');
    const ctrl = new AbortController();
    const seen: boolean[] = [];
    const first = compressModel(tinySource(), tinyStats(), PLAN, {
      outDir: out,
      signal: ctrl.signal,
      pool: shared,
      onProgress: (e) => {
        if (e.type === 'progress' && e.task === 'compress') {
          seen.push(existsSync(out));
          if (e.current === 6) ctrl.abort();
        }
      },
    });
    expect(await codeOf(first)).toBe('ABORTED');
    expect(seen.every((x) => !x)).toBe(true);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(partialDirOf(out), 'manifest.json'))).toBe(true);
    const s = await compressModel(tinySource(), tinyStats(), PLAN, {
      outDir: out,
      resume: true,
      pool: shared,
    });
    expect(s.layers.filter((l) => l.resumed).length).toBeGreaterThanOrEqual(6);
    await sameFiles(join(dir, 'one'), out);
    expect(existsSync(partialDirOf(out))).toBe(false);
    // an existing checkpoint is replaced in one step
    const again = await compressModel(tinySource(), tinyStats(), PLAN, { outDir: out });
    expect(again.layers.some((l) => l.resumed)).toBe(false);
    await sameFiles(join(dir, 'one'), out);
  });

  it('refuses to replace a folder that is not a checkpoint', async () => {
    const out = join(dir, 'precious');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'keep me');
    const r = compressModel(tinySource(), tinyStats(), PLAN, { outDir: out });
    expect(await codeOf(r)).toBe('INVALID_ARGUMENT');
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});
