// End to end on pycode-6m (issue #10), kept fast: one calibration (16×128 tokens of
// heldout_dev.txt), three compressions through `compressModel` — RTN 2-bit, LDLQ-only 2-bit and
// CALDERA rank 16 (Q 2-bit E8P, L/R 4-bit, one outer iteration and one LPLR round) — each
// reloaded with @caldera/runtime and evaluated on 8 held-out windows of 128 tokens right after
// the calibration windows. Asserted: CALDERA beats RTN 2-bit at equal or fewer bits, and beats
// LDLQ-only 2-bit in PPL by spending bits on L·R. The bits-matched comparison (CALDERA and LDLQ
// both allocated per layer under the same `targetBpw`, Q-bit candidates 2 and 3) is a
// benchmark, `pnpm --filter @caldera/caldera bench:pycode`: it takes minutes, and on this model
// CALDERA does not beat the bits-matched LDLQ (apps/docs/pages/measurements/sweep.md).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadTokenizer,
  makeWindows,
  openModel,
  readTextDocuments,
  tokenizeDocuments,
} from '@caldera/io';
import { collectCalibration, LlamaModel, perplexity } from '@caldera/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompressionPlan, compressModel, loadCompressedModel } from './imports';

const MODEL = fileURLToPath(
  new URL('../../../../shared/assets/models/pycode-6m/', import.meta.url),
);
const SEQ = 128;
const CALIB = 16;
const EVAL = 8;

const PLANS: Record<string, CompressionPlan> = {
  'rtn-2bit': { defaults: { method: 'rtn', qQuantizer: 'uniform', qBits: 2 } },
  'ldlq-2bit': { defaults: { method: 'ldlq', qBits: 2 } },
  'caldera-r16': {
    defaults: { method: 'caldera', rank: 16, qBits: 2, lrBits: 4, iterations: 1, lplrRounds: 1 },
  },
};

let dir: string;
let floatPpl: number;
const out: Record<string, { ppl: number; bpp: number; layers: number }> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-pycode-'));
  const tok = await loadTokenizer(join(MODEL, 'tokenizer.model'));
  const stream = tokenizeDocuments(await readTextDocuments(join(MODEL, 'heldout_dev.txt')), tok);
  const calib = makeWindows(stream, { seqLen: SEQ, count: CALIB, sampling: 'sequential' });
  const heldout = stream.slice(CALIB * SEQ, (CALIB + EVAL) * SEQ);
  const source = await openModel(MODEL);
  try {
    const floatModel = await LlamaModel.load(source);
    const stats = await collectCalibration(floatModel, calib);
    const ppl = async (m: LlamaModel) =>
      (await perplexity(m, heldout, { contextLength: SEQ, bos: 'prepend' })).perplexity;
    floatPpl = await ppl(floatModel);
    const lines = [`pycode-6m float32 ppl ${floatPpl.toFixed(3)} (${EVAL}×${SEQ} held out)`];
    for (const [name, plan] of Object.entries(PLANS)) {
      const t = performance.now();
      const s = await compressModel(source, stats, plan, {
        outDir: join(dir, name),
        tokenizerFiles: [join(MODEL, 'tokenizer.model')],
        threads: 2,
      });
      const p = await ppl(await loadCompressedModel(join(dir, name)));
      out[name] = { ppl: p, bpp: s.linearBitsPerParameter, layers: s.layers.length };
      lines.push(
        `${name}: ppl ${p.toFixed(3)}, linear bpp ${s.linearBitsPerParameter.toFixed(3)} (${((performance.now() - t) / 1000).toFixed(1)} s)`,
      );
    }
    console.log(lines.join('\n'));
  } finally {
    await source.close();
  }
}, 600_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pycode-6m end to end', () => {
  it('CALDERA rank 16 beats RTN 2-bit at equal or fewer bits', () => {
    const c = out['caldera-r16']!;
    const rtn = out['rtn-2bit']!;
    expect(c.bpp).toBeLessThanOrEqual(rtn.bpp);
    expect(c.ppl).toBeLessThan(rtn.ppl);
    expect(c.ppl).toBeGreaterThan(floatPpl);
  });

  it('CALDERA beats LDLQ-only 2-bit in PPL by spending bits on L·R', () => {
    const c = out['caldera-r16']!;
    const ldlq = out['ldlq-2bit']!;
    expect(c.ppl).toBeLessThan(ldlq.ppl);
    expect(c.bpp).toBeGreaterThan(ldlq.bpp);
  });

  it('compresses all 42 projections at the expected bits, between float and RTN in PPL', () => {
    const ldlq = out['ldlq-2bit']!;
    expect(ldlq.bpp).toBeGreaterThan(2);
    expect(ldlq.bpp).toBeLessThan(2.1);
    expect(ldlq.ppl).toBeGreaterThan(floatPpl);
    expect(ldlq.ppl).toBeLessThan(out['rtn-2bit']!.ppl);
    for (const o of Object.values(out)) {
      expect(Number.isFinite(o.ppl)).toBe(true);
      expect(o.layers).toBe(42);
    }
  });
});
