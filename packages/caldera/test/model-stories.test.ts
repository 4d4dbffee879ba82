// End to end on stories260K: calibrate, compress (CALDERA rank 16, Q 2-bit E8P, L/R 4-bit;
// and RTN 2-bit as the baseline), reload, and compare perplexities with the float model.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTokenizer, openModel, readTextDocuments, tokenizeDocuments } from '@caldera/io';
import { collectCalibration, LlamaModel, perplexity } from '@caldera/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompressSummary, compressModel, loadCompressedModel } from './imports';

const assets = fileURLToPath(new URL('../../../../shared/assets/', import.meta.url));
const MODEL = join(assets, 'models/stories260K/stories260K.bin');
const TOKENIZER = join(assets, 'models/stories260K/tok512.bin');
const TEXT = join(assets, 'text/tinystories/tinystories_validation_head.txt');
const SEQ = 128;

let dir: string;
let floatPpl: number;
let caldera: { ppl: number; summary: CompressSummary };
let caldera32: { ppl: number; summary: CompressSummary };
let rtn: { ppl: number; summary: CompressSummary };
let ldlq: { ppl: number; summary: CompressSummary };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-stories-'));
  const tok = await loadTokenizer(TOKENIZER);
  const docs = (await readTextDocuments(TEXT, { split: 'blank-line' })).slice(0, 400);
  const stream = tokenizeDocuments(docs, tok);
  const calib = Array.from({ length: 16 }, (_, i) => stream.slice(i * SEQ, (i + 1) * SEQ));
  const heldout = stream.slice(16 * SEQ, 16 * SEQ + 24 * (SEQ - 1));
  const source = await openModel(MODEL);
  const floatModel = await LlamaModel.load(source);
  const stats = await collectCalibration(floatModel, calib);
  const ppl = async (m: LlamaModel) =>
    (await perplexity(m, heldout, { contextLength: SEQ, bos: 'prepend' })).perplexity;
  floatPpl = await ppl(floatModel);
  const run = async (name: string, defaults: Parameters<typeof compressModel>[2]['defaults']) => {
    const t = performance.now();
    const summary = await compressModel(
      source,
      stats,
      { defaults },
      {
        outDir: join(dir, name),
        tokenizerFiles: [TOKENIZER],
      },
    );
    const p = await ppl(await loadCompressedModel(join(dir, name)));
    console.log(
      `${name}: ppl ${p.toFixed(3)} (float ${floatPpl.toFixed(3)}), linear bpp ${summary.linearBitsPerParameter.toFixed(3)}, model bpp ${summary.modelBitsPerParameter.toFixed(3)}, bytes ${summary.bytesBefore} → ${summary.bytesAfter}, ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    return { ppl: p, summary };
  };
  caldera = await run('caldera', {
    method: 'caldera',
    rank: 16,
    qBits: 2,
    lrBits: 4,
    iterations: 2,
    lplrRounds: 3,
  });
  caldera32 = await run('caldera-r32', {
    method: 'caldera',
    rank: 32,
    qBits: 2,
    lrBits: 4,
    iterations: 2,
    lplrRounds: 3,
  });
  rtn = await run('rtn', { method: 'rtn', qQuantizer: 'uniform', qBits: 2 });
  ldlq = await run('ldlq', { method: 'ldlq', qBits: 2 });
  await source.close();
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stories260K end to end', () => {
  it('CALDERA lands between the float model and RTN 2-bit in perplexity', () => {
    expect(Number.isFinite(caldera.ppl)).toBe(true);
    expect(caldera.ppl).toBeGreaterThan(floatPpl);
    expect(caldera.ppl).toBeLessThan(rtn.ppl);
    // LDLQ alone (2-bit E8P with RHT) also sits between them, above CALDERA
    expect(ldlq.ppl).toBeGreaterThan(caldera.ppl);
    expect(ldlq.ppl).toBeLessThan(rtn.ppl);
  });

  it('CALDERA rank 32 spends more bits than rank 16 and lands below RTN 2-bit', () => {
    expect(caldera32.summary.linearBitsPerParameter).toBeGreaterThan(
      caldera.summary.linearBitsPerParameter,
    );
    expect(caldera32.ppl).toBeGreaterThan(floatPpl);
    expect(caldera32.ppl).toBeLessThan(rtn.ppl);
  });

  it('reports honest sizes', () => {
    expect(caldera.summary.layers).toHaveLength(35);
    expect(caldera.summary.linearBitsPerParameter).toBeGreaterThan(2);
    expect(caldera.summary.bytesAfter).toBeLessThan(caldera.summary.bytesBefore / 2);
  });
});
