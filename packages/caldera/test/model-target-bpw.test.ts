// `targetBpw` on stories260K: ranks allocated per layer from cheap estimates, achieved bpw
// within the target, an impossible target rejected with the minimum achievable bpw.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CalderaError } from '@caldera/core';
import { loadTokenizer, openModel, readTextDocuments, tokenizeDocuments } from '@caldera/io';
import { type CalibrationStats, collectCalibration, LlamaModel } from '@caldera/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompressionPlan, compressModel, planToJson } from './imports';

const assets = fileURLToPath(new URL('../../../../shared/assets/', import.meta.url));
const MODEL = join(assets, 'models/stories260K/stories260K.bin');
const TOKENIZER = join(assets, 'models/stories260K/tok512.bin');
const TEXT = join(assets, 'text/tinystories/tinystories_validation_head.txt');
const SEQ = 64;

let dir: string;
let stats: CalibrationStats;
let firstRanks: number[] = [];
const PLAN: CompressionPlan = {
  defaults: { method: 'caldera', qBits: 2, lrBits: 4, iterations: 1, lplrRounds: 1 },
  targetBpw: 2.8,
  candidateRanks: [0, 8, 16],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-target-'));
  const tok = await loadTokenizer(TOKENIZER);
  const docs = (await readTextDocuments(TEXT, { split: 'blank-line' })).slice(0, 100);
  const stream = tokenizeDocuments(docs, tok);
  const calib = Array.from({ length: 4 }, (_, i) => stream.slice(i * SEQ, (i + 1) * SEQ));
  const source = await openModel(MODEL);
  stats = await collectCalibration(await LlamaModel.load(source), calib);
  await source.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('compressModel with targetBpw', () => {
  it('meets the budget with ranks that differ across layers', async () => {
    const source = await openModel(MODEL);
    const s = await compressModel(source, stats, PLAN, {
      outDir: join(dir, 'a'),
      tokenizerFiles: [TOKENIZER],
    }).finally(() => source.close());
    expect(s.targetBpw).toBe(2.8);
    expect(s.layers).toHaveLength(35);
    expect(s.linearBitsPerParameter).toBeLessThanOrEqual(2.8);
    expect(s.linearBitsPerParameter).toBeGreaterThan(2.3);
    const ranks = new Set(s.layers.map((l) => l.rank));
    expect(ranks.size).toBeGreaterThan(1);
    for (const r of ranks) expect([0, 8, 16]).toContain(r);
    firstRanks = s.layers.map((l) => l.rank);
  }, 60_000);

  it('resumes an interrupted run with the saved allocation, byte for byte', async () => {
    const source = await openModel(MODEL);
    const out = join(dir, 'r');
    const ctrl = new AbortController();
    let code = '';
    try {
      await compressModel(source, stats, PLAN, {
        outDir: out,
        tokenizerFiles: [TOKENIZER],
        signal: ctrl.signal,
        onProgress: (e) => {
          if (e.type === 'progress' && e.task === 'compress' && e.current === 5) ctrl.abort();
        },
      });
    } catch (e) {
      code = (e as CalderaError).code;
    }
    expect(code).toBe('ABORTED');
    const s = await compressModel(source, stats, PLAN, {
      outDir: out,
      resume: true,
      tokenizerFiles: [TOKENIZER],
    }).finally(() => source.close());
    expect(s.layers.filter((l) => l.resumed)).toHaveLength(5);
    expect(s.layers.map((l) => l.rank)).toEqual(firstRanks);
    const a = await readFile(join(dir, 'a', 'model.safetensors'));
    const b = await readFile(join(out, 'model.safetensors'));
    expect(b.equals(a)).toBe(true);
  }, 60_000);

  it('chooses the Q bits per layer too when they are candidates', async () => {
    const plan: CompressionPlan = { ...PLAN, candidateRanks: [0, 8], candidateQBits: [2, 3] };
    const source = await openModel(MODEL);
    const s = await compressModel(source, stats, plan, {
      outDir: join(dir, 'q'),
      tokenizerFiles: [TOKENIZER],
    }).finally(() => source.close());
    expect(s.linearBitsPerParameter).toBeLessThanOrEqual(2.8);
    // some layers store a 3-bit Q (≥ 3 bits/param), the others a 2-bit one
    const bits = s.layers.map((l) => l.bitsPerParameter);
    expect(bits.some((b) => b >= 3)).toBe(true);
    expect(bits.some((b) => b < 3)).toBe(true);
    expect(planToJson(plan)).toContain('"candidateQBits":[2,3]');
  }, 60_000);

  it('fingerprints the target and the candidates', () => {
    expect(planToJson(PLAN)).toContain('"targetBpw":2.8');
    expect(planToJson(PLAN)).toContain('"candidateRanks":[0,8,16]');
    expect(planToJson({ defaults: PLAN.defaults })).not.toContain('targetBpw');
  });

  it('rejects an impossible target naming the minimum bpw', async () => {
    const source = await openModel(MODEL);
    let err: unknown;
    try {
      await compressModel(
        source,
        stats,
        { ...PLAN, targetBpw: 1 },
        { outDir: join(dir, 'b') },
      ).finally(() => source.close());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CalderaError);
    expect((err as CalderaError).code).toBe('INVALID_OPTIONS');
    expect((err as CalderaError).message).toMatch(/minimum achievable 2\.\d{4} bits\/param/);
  }, 60_000);
});
