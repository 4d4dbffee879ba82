/**
 * LoRD measurements on pycode-6m: perplexity against parameter reduction for the three
 * decompositions (weight SVD, whitened SVD, output PCA), the largest reduction with < 1 %
 * perplexity increase, and LoRD + quantised factors (float16, uniform 8/4, E8P 4/2 bits).
 *
 * Calibration: 32 windows × 256 tokens of pycode-6m's held-out text (heldout_dev.txt) taken
 * after the part that `models/pycode-6m/heldout_sample.txt` covers; evaluation: the first
 * `--windows` 256-token windows of heldout_sample.txt (disjoint from the calibration).
 *
 * Usage: `npx tsx --conditions=@caldera/source apps/cli/bench/lord-measure.ts [--windows N]
 *   [--parts sweep,quant] [--reductions 0.01,0.02,…] [--pca-reductions …]
 *   [--quant-reductions 0.03,0.25] [--json]`; the sweep part writes
 *   apps/docs/data/bench/lord-sweep.json and apps/docs/pages/measurements/lord-ppl.svg, the
 *   quant part apps/docs/data/bench/lord-quant.json (every linear layer quantised: LoRD factors
 *   and the layers LoRD keeps dense alike; reduction 0 = the quantiser alone).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import {
  allocateLordRanks,
  analyzeLordModel,
  applyLord,
  type LordAnalysis,
  type QuantizerSpec,
  quantizeLordFactors,
  quantizeLordMatrix,
} from '@caldera/caldera';
import {
  loadHfModel,
  loadTokenizer,
  makeWindows,
  readTextDocuments,
  tokenizeDocuments,
} from '@caldera/io';
import { collectCalibration, DenseLinear, LlamaModel, perplexity } from '@caldera/runtime';
import { sweepSvg } from '../src/commands/sweep-plot';

const ROOT = new URL('../../../', import.meta.url).pathname;
const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : fallback;
};
const WINDOWS = Number(opt('--windows', '16'));
const REDUCTIONS = opt('--reductions', '0.01,0.02,0.03,0.05,0.1,0.2,0.3,0.4,0.5')
  .split(',')
  .map(Number);
const PCA_REDUCTIONS = opt('--pca-reductions', '0.02,0.05,0.1,0.25').split(',').map(Number);
const QUANT_REDUCTIONS = opt('--quant-reductions', '0.05,0.25').split(',').map(Number);
const log = (s: string) => process.stderr.write(`${s}\n`);
const PARTS = opt('--parts', 'sweep,quant').split(',');

const dir = `${ROOT}models/pycode-6m`;
const source = await loadHfModel(dir);
const tokenizer = await loadTokenizer(dir);
const tokensOf = async (p: string) =>
  tokenizeDocuments(await readTextDocuments(p, { split: 'none' }), tokenizer);
const evalTokens = await tokensOf(`${dir}/heldout_sample.txt`);
const dev = await tokensOf(`${ROOT}../shared/assets/models/pycode-6m/heldout_dev.txt`);
const calib = dev.subarray(evalTokens.length + 512);
const model = await LlamaModel.load(source);
const t0 = performance.now();
const stats = await collectCalibration(
  model,
  makeWindows(calib, { seqLen: 256, count: 32, sampling: 'sequential' }),
);
log(`calibrated on ${stats.tokens} tokens in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const pplOf = async () =>
  (await perplexity(model, evalTokens, { contextLength: 256, maxWindows: WINDOWS })).perplexity;
const densePpl = await pplOf();
log(`dense ppl ${densePpl.toFixed(4)}`);

interface Row {
  decomposition: string;
  requested: number;
  reduction: number;
  ppl: number;
  increasePct: number;
}
const rows: Row[] = [];
const analyses: Record<string, LordAnalysis> = {};
for (const d of ['whitened', 'svd', 'pca'] as const) {
  if (d !== 'whitened' && !PARTS.includes('sweep')) continue;
  const t = performance.now();
  const analysis = await analyzeLordModel(source, stats, { decomposition: d });
  analyses[d] = analysis;
  log(`${d}: analysed in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const layers = analysis.entries.map((e) => e.analysis);
  for (const r of !PARTS.includes('sweep') ? [] : d === 'pca' ? PCA_REDUCTIONS : REDUCTIONS) {
    const a = allocateLordRanks(layers, r);
    applyLord(model, analysis, a.ranks);
    const ppl = await pplOf();
    const row = {
      decomposition: d,
      requested: r,
      reduction: a.reduction,
      ppl,
      increasePct: 100 * (ppl / densePpl - 1),
    };
    rows.push(row);
    log(
      `${d} ${r}: reduction ${a.reduction.toFixed(4)} ppl ${ppl.toFixed(4)} (+${row.increasePct.toFixed(2)} %)`,
    );
  }
}
const best: Record<string, number> = {};
for (const d of ['whitened', 'svd', 'pca']) {
  const ok = rows.filter((r) => r.decomposition === d && r.increasePct < 1);
  best[d] = ok.length ? Math.max(...ok.map((r) => r.reduction)) : 0;
}

const SPECS: { name: string; spec: QuantizerSpec }[] = [
  { name: 'float16', spec: { family: 'float' } },
  { name: 'uniform8', spec: { family: 'uniform', bits: 8 } },
  { name: 'uniform4', spec: { family: 'uniform', bits: 4 } },
  { name: 'e8p4 (RVQ)', spec: { family: 'e8p', bits: 4 } },
  { name: 'e8p2', spec: { family: 'e8p', bits: 2 } },
];
const quant: {
  reduction: number;
  quantizer: string;
  bitsPerParameter: number;
  ppl: number;
  increasePct: number;
}[] = [];
const win = analyses.whitened!;
const winLayers = win.entries.map((e) => e.analysis);
for (const r of PARTS.includes('quant') ? [0, ...QUANT_REDUCTIONS] : []) {
  const a = allocateLordRanks(winLayers, r);
  for (const { name, spec } of SPECS) {
    let bits = 0;
    applyLord(model, win, a.ranks, (l, rr, m, k, n) => {
      const q = quantizeLordFactors(l, rr, m, k, n, spec);
      bits += q.bits;
      return q;
    });
    // layers kept dense are quantised with the same quantiser (rows of W, per-row scales)
    win.entries.forEach((e, i) => {
      if (a.ranks[i] !== null) return;
      const { m, n, weight } = e.analysis;
      const q = quantizeLordMatrix(weight, m, n, spec);
      bits += q.bits;
      model.setLinear(e.layer, e.linear, new DenseLinear(q.values, m, n));
    });
    const ppl = await pplOf();
    const row = {
      reduction: a.reduction,
      quantizer: name,
      bitsPerParameter: bits / a.denseParameters,
      ppl,
      increasePct: 100 * (ppl / densePpl - 1),
    };
    quant.push(row);
    log(`quant ${r} ${name}: ${row.bitsPerParameter.toFixed(3)} bpp, ppl ${ppl.toFixed(4)}`);
  }
}

const out = {
  model: 'pycode-6m (models/pycode-6m, float16)',
  calibrationTokens: stats.tokens,
  evalTokens: WINDOWS * 256,
  contextLength: 256,
  densePpl,
  sweep: rows,
  largestReductionUnder1Pct: best,
  quantization: quant,
};
mkdirSync(`${ROOT}apps/docs/data/bench`, { recursive: true });
if (PARTS.includes('sweep')) {
  const { quantization: _q, ...sweepOnly } = out;
  writeFileSync(
    `${ROOT}apps/docs/data/bench/lord-sweep.json`,
    `${JSON.stringify(sweepOnly, null, 2)}\n`,
  );
}
if (PARTS.includes('quant')) {
  const { sweep: _s, largestReductionUnder1Pct: _b, ...quantOnly } = out;
  writeFileSync(
    `${ROOT}apps/docs/data/bench/lord-quant.json`,
    `${JSON.stringify(quantOnly, null, 2)}\n`,
  );
}
if (PARTS.includes('sweep')) {
  const svg = sweepSvg(
    rows.map((r) => ({ series: r.decomposition, bpp: 100 * r.reduction, ppl: r.ppl })),
    densePpl,
    'pycode-6m: LoRD perplexity vs parameter reduction',
    'parameter reduction of the linear layers (%)',
  );
  writeFileSync(`${ROOT}apps/docs/pages/measurements/lord-ppl.svg`, svg);
}
if (argv.includes('--json')) console.log(JSON.stringify(out));
else {
  console.log(`dense ppl ${densePpl.toFixed(4)}`);
  for (const r of rows)
    console.log(
      `${r.decomposition}\t${(100 * r.reduction).toFixed(2)} %\t${r.ppl.toFixed(4)}\t+${r.increasePct.toFixed(2)} %`,
    );
  console.log(`largest reduction with < 1 % ppl increase: ${JSON.stringify(best)}`);
  for (const q of quant)
    console.log(
      `${(100 * q.reduction).toFixed(1)} %\t${q.quantizer}\t${q.bitsPerParameter.toFixed(3)} bpp\t${q.ppl.toFixed(4)}`,
    );
}
await source.close();
