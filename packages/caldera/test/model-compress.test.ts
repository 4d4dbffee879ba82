import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCalderaError, type ProgressEvent } from '@caldera/core';
import { CalibrationStats } from '@caldera/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompressedCheckpoint,
  type CompressionPlan,
  compressModel,
  loadCompressedModel,
  partialDirOf,
  planToJson,
  resolveLayer,
} from './imports';
import { TINY_CONFIG, tinySource, tinyStats } from './model-fixtures';

const PLAN: CompressionPlan = {
  defaults: { method: 'caldera', rank: 4, iterations: 2, lplrRounds: 2 },
  rules: [
    { pattern: 'layers\\.0\\.self_attn\\.k_proj', keep: true },
    { pattern: /v_proj/, method: 'ldlq' },
  ],
};

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isCalderaError(e) ? e.code : String(e);
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-compress-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveLayer', () => {
  it('applies the first matching rule over the defaults', () => {
    const plan: CompressionPlan = {
      defaults: { method: 'caldera', rank: 16 },
      rules: [
        { pattern: /down_proj/, rank: 32 },
        { pattern: /mlp/, method: 'rtn' },
        { pattern: 'layers\\.3\\.', keep: true },
      ],
    };
    expect(resolveLayer(plan, 'model.layers.0.mlp.down_proj.weight')).toEqual({
      method: 'caldera',
      rank: 32,
    });
    expect(resolveLayer(plan, 'model.layers.3.mlp.up_proj.weight')).toEqual({
      method: 'rtn',
      rank: 16,
    });
    expect(resolveLayer(plan, 'model.layers.3.self_attn.q_proj.weight')).toBe('keep');
    expect(planToJson(plan)).toContain('"/down_proj/"');
    expect(() =>
      resolveLayer({ defaults: { method: 'rtn' }, rules: [{ pattern: '(' }] }, 'x'),
    ).toThrow(/not a valid regular expression/);
  });
});

describe('compressModel', () => {
  it('writes a checkpoint with a summary, keeping what the plan keeps', async () => {
    const out = join(dir, 'full');
    const events: ProgressEvent[] = [];
    const src = tinySource();
    const s = await compressModel(src, tinyStats(), PLAN, {
      outDir: out,
      onProgress: (e) => events.push(e),
    });
    expect(s.layers).toHaveLength(13);
    expect(s.layers.every((l) => !l.resumed && Number.isFinite(l.dataAwareError))).toBe(true);
    expect(s.layers.find((l) => l.name.includes('v_proj'))!.method).toBe('ldlq');
    const lp = s.layers.reduce((a, l) => a + l.bitsPerParameter * paramsOf(l.name), 0);
    expect(s.linearParameters).toBe(s.layers.reduce((a, l) => a + paramsOf(l.name), 0));
    expect(s.linearBitsPerParameter).toBeCloseTo(lp / s.linearParameters, 10);
    expect(s.totalParameters).toBe(
      src.tensors().reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0),
    );
    expect(s.bytesBefore).toBe(4 * s.totalParameters);
    expect(s.bytesAfter).toBe((await stat(join(out, 'model.safetensors'))).size);
    expect(s.bytesAfter).toBeLessThan(s.bytesBefore); // tiny: headers weigh a lot
    expect(s.modelBitsPerParameter).toBeCloseTo((8 * s.bytesAfter) / s.totalParameters, 10);
    expect(existsSync(partialDirOf(out))).toBe(false);
    expect(s.peakRssBytes).toBeGreaterThan(1e6);
    const perLayer = events.filter((e) => e.type === 'progress' && e.task === 'compress');
    expect(perLayer).toHaveLength(13);
    expect(perLayer[0]).toMatchObject({ metrics: { bpp: s.layers[0]!.bitsPerParameter } });
    const model = await loadCompressedModel(out);
    expect(model.linear(0, 'k_proj').kind).toBe('dense');
    expect(model.linear(1, 'k_proj').kind).toBe('caldera');
    const ckpt = await CompressedCheckpoint.open(out);
    try {
      expect(ckpt.isCompressed('model.layers.0.self_attn.k_proj.weight')).toBe(false);
      // kept tensors are float16 by default
      const k = await ckpt.readKept('model.layers.0.self_attn.k_proj.weight');
      const orig = await src.readTensor('model.layers.0.self_attn.k_proj.weight');
      for (let i = 0; i < k.length; i++) expect(Math.abs(k[i]! - orig[i]!)).toBeLessThan(1e-3);
    } finally {
      await ckpt.close();
    }
  });

  it('resumes after an abort and writes the same bytes as an uninterrupted run', async () => {
    const full = join(dir, 'full');
    const out = join(dir, 'resumed');
    const ctrl = new AbortController();
    const first = compressModel(tinySource(), tinyStats(), PLAN, {
      outDir: out,
      signal: ctrl.signal,
      onProgress: (e) => {
        if (e.type === 'progress' && e.task === 'compress' && e.current === 5) ctrl.abort();
      },
    });
    expect(await codeOf(first)).toBe('ABORTED');
    expect(existsSync(out)).toBe(false); // the output folder appears only when complete
    const partial = (await readdir(partialDirOf(out))).sort();
    expect(partial).toHaveLength(6); // manifest + 5 layers
    expect(partial).toContain('manifest.json');
    // another plan cannot resume these partial results
    const other: CompressionPlan = { ...PLAN, defaults: { ...PLAN.defaults, rank: 3 } };
    expect(
      await codeOf(compressModel(tinySource(), tinyStats(), other, { outDir: out, resume: true })),
    ).toBe('RESUME_MISMATCH');
    const s = await compressModel(tinySource(), tinyStats(), PLAN, { outDir: out, resume: true });
    expect(s.layers.filter((l) => l.resumed)).toHaveLength(5);
    for (const f of ['model.safetensors', 'config.json']) {
      expect(Buffer.compare(await readFile(join(out, f)), await readFile(join(full, f)))).toBe(0);
    }
  });

  it('never leaves a folder that reads as a checkpoint when writing fails', async () => {
    const out = join(dir, 'notok');
    const r = compressModel(tinySource(), tinyStats(), PLAN, {
      outDir: out,
      tokenizerFiles: [join(dir, 'no-such-tokenizer.model')],
    });
    expect(await codeOf(r)).toBe('FILE_NOT_FOUND');
    expect(existsSync(join(out, 'config.json'))).toBe(false);
    expect(await codeOf(loadCompressedModel(out))).toBe('FILE_NOT_FOUND');
  });

  it('names a missing Hessian', async () => {
    const stats = new CalibrationStats(TINY_CONFIG);
    stats.addInput(0, 'qkv');
    expect(
      await codeOf(compressModel(tinySource(), stats, PLAN, { outDir: join(dir, 'nocal') })),
    ).toBe('MISSING_CALIBRATION');
  });
});

function paramsOf(name: string): number {
  if (/gate_proj|up_proj|down_proj/.test(name)) return 32 * 16;
  if (/k_proj|v_proj/.test(name)) return 8 * 16;
  return 16 * 16;
}
