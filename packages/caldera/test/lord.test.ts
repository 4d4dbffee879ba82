// LoRD: per-layer error curves, rank allocation under a parameter budget, the perplexity
// budget search and the checkpoint, on synthetic layers and on stories260K.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@caldera/core';
import { loadTokenizer, openModel, readTextDocuments, tokenizeDocuments } from '@caldera/io';
import { collectCalibration, LlamaModel, loadLordModel, perplexity } from '@caldera/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allocateLordRanks,
  analyzeLordLayer,
  breakEvenRank,
  compressLord,
  type LordLayerAnalysis,
  lordFactors,
  quantizeLordFactors,
} from '../src/index';

const assets = fileURLToPath(new URL('../../../../shared/assets/', import.meta.url));
const MODEL = join(assets, 'models/stories260K/stories260K.bin');
const TOKENIZER = join(assets, 'models/stories260K/tok512.bin');
const TEXT = join(assets, 'text/tinystories/tinystories_validation_head.txt');

function problem(m: number, n: number, seed: number) {
  const rng = new Rng(seed);
  const w = Float32Array.from({ length: m * n }, () => rng.nextGaussian());
  // correlated inputs: H = AᵀA / t with a few dominant directions
  const t = 4 * n;
  const x = new Float64Array(t * n);
  for (let i = 0; i < t; i++) {
    for (let j = 0; j < n; j++) x[i * n + j] = rng.nextGaussian() * (j < 4 ? 5 : 0.3);
  }
  const h = new Float64Array(n * n);
  for (let i = 0; i < t; i++)
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) h[a * n + b]! += (x[i * n + a]! * x[i * n + b]!) / t;
  return { w, h };
}

function directError(a: LordLayerAnalysis, k: number, h: Float64Array): number {
  const { l, r } = lordFactors(a, k);
  const { m, n } = a;
  let e = 0;
  for (let i = 0; i < m; i++) {
    const d = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += l[i * k + t]! * r[t * n + j]!;
      d[j] = a.weight[i * n + j]! - s;
    }
    for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) e += d[p]! * h[p * n + q]! * d[q]!;
  }
  return e;
}

describe('LoRD layer analysis', () => {
  const { w, h } = problem(24, 16, 3);
  const an = {
    svd: analyzeLordLayer('w', w, 24, 16, h, 'svd'),
    whitened: analyzeLordLayer('w', w, 24, 16, h, 'whitened'),
    pca: analyzeLordLayer('w', w, 24, 16, h, 'pca'),
  };

  it('error curves match tr(ΔHΔᵀ) of the factors and decrease with the rank', () => {
    expect(breakEvenRank(24, 16)).toBe(9);
    for (const a of Object.values(an)) {
      expect(a.maxRank).toBe(9);
      for (const k of [1, 4, 9]) {
        const direct = directError(a, k, h);
        expect(Math.abs(a.errors[k]! - direct)).toBeLessThan(1e-7 * direct);
        expect(a.errors[k]!).toBeLessThan(a.errors[k - 1]!);
      }
    }
  });

  it('the whitened basis is data-optimal: never worse than the weight SVD; PCA equals it', () => {
    for (let k = 1; k <= 9; k++) {
      expect(an.whitened.errors[k]!).toBeLessThanOrEqual(an.svd.errors[k]! * (1 + 1e-9));
      expect(an.pca.errors[k]!).toBeCloseTo(an.whitened.errors[k]!, 4);
    }
    expect(an.whitened.errors[4]!).toBeLessThan(0.5 * an.svd.errors[4]!);
  });

  it('rejects unknown decompositions and bad ranks', () => {
    expect(() => analyzeLordLayer('w', w, 24, 16, h, 'qr' as 'svd')).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    expect(() => lordFactors(an.svd, 10)).toThrow(
      expect.objectContaining({ code: 'RANK_TOO_LARGE' }),
    );
  });

  it('quantized factors: 8 bits ≈ float, 4 bits coarser, E8P 2 bits coarsest; bits counted', () => {
    const a = analyzeLordLayer('w', w, 24, 16, h, 'whitened');
    const f = lordFactors(a, 8);
    const err = (q: { l: Float32Array; r: Float32Array }) => {
      let s = 0;
      for (let i = 0; i < f.l.length; i++) s += (q.l[i]! - f.l[i]!) ** 2;
      for (let i = 0; i < f.r.length; i++) s += (q.r[i]! - f.r[i]!) ** 2;
      return s;
    };
    const u8 = quantizeLordFactors(f.l, f.r, 24, 8, 16, { family: 'uniform', bits: 8 });
    const u4 = quantizeLordFactors(f.l, f.r, 24, 8, 16, { family: 'uniform', bits: 4 });
    const e2 = quantizeLordFactors(f.l, f.r, 24, 8, 16, { family: 'e8p', bits: 2 });
    expect(err(u8)).toBeLessThan(err(u4));
    expect(err(u4)).toBeLessThan(err(e2));
    expect(u8.bits).toBeGreaterThan(8 * 8 * 40);
    expect(u4.bits).toBeLessThan(u8.bits);
  });
});

describe('LoRD rank allocation', () => {
  const layers = [problem(48, 32, 1), problem(64, 32, 2), problem(32, 32, 5)].map((p, i) =>
    analyzeLordLayer(`l${i}`, p.w, p.w.length / 32, 32, p.h, 'whitened'),
  );

  it('meets the parameter budget closely, with error growing with the reduction', () => {
    let last = -1;
    for (const r of [0.1, 0.3, 0.5]) {
      const a = allocateLordRanks(layers, r);
      expect(a.reduction).toBeGreaterThanOrEqual(r);
      expect(a.reduction).toBeLessThan(r + 0.03);
      expect(a.error).toBeGreaterThan(last);
      last = a.error;
    }
    expect(allocateLordRanks(layers, 0).ranks).toEqual([null, null, null]);
  });

  it('rejects reductions outside [0, 1) or above the reachable maximum', () => {
    for (const r of [-0.1, 1, 1.5, Number.NaN, 0.99]) {
      expect(() => allocateLordRanks(layers, r)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      );
    }
  });
});

describe('compressLord on stories260K', () => {
  let dir: string;
  let calib: Int32Array[];
  let heldout: Int32Array;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'caldera-lord-'));
    const tok = await loadTokenizer(TOKENIZER);
    const docs = (await readTextDocuments(TEXT, { split: 'blank-line' })).slice(0, 200);
    const stream = tokenizeDocuments(docs, tok);
    calib = Array.from({ length: 8 }, (_, i) => stream.slice(i * 128, (i + 1) * 128));
    heldout = stream.slice(8 * 128, 8 * 128 + 12 * 127);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a perplexity budget picks a reduction that meets it; the folder reloads to the same ppl', async () => {
    const source = await openModel(MODEL);
    const out = join(dir, 'budget');
    const s = await compressLord(
      source,
      { windows: calib },
      {
        outDir: out,
        dtype: 'F32',
        pplBudget: { percent: 5, tokens: heldout, contextLength: 128, steps: 9 },
      },
    );
    expect(s.requestedReduction).toBeGreaterThan(0);
    expect(s.ppl!).toBeLessThanOrEqual(s.densePpl! * 1.05);
    expect(s.search!.some((p) => p.ppl > s.densePpl! * 1.05)).toBe(true);
    const lord = await loadLordModel(out);
    const p = (await perplexity(lord, heldout, { contextLength: 128 })).perplexity;
    expect(p).toBeCloseTo(s.ppl!, 3);
    const dense = await LlamaModel.load(source);
    const stats = await collectCalibration(dense, calib);
    await expect(
      compressLord(source, stats, { outDir: join(dir, 'x'), parameterReduction: 1.2 }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await source.close();
  }, 60_000);
});
