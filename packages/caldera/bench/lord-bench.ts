/**
 * LoRD speed in @caldera/runtime: prefill and decode tokens/s of pycode-6m dense and with
 * LoRD (whitened SVD, per-layer ranks) at several parameter reductions, in one run, same
 * process, same prompt; the configurations are interleaved within each of `--repeats` rounds
 * and the best round of each is reported.
 *
 * Usage: `npx tsx --conditions=@caldera/source packages/caldera/bench/lord-bench.ts [--json]
 *   [--reductions 0.03,0.25,0.5] [--prefill 256] [--decode 128] [--repeats 3]`;
 * writes apps/docs/data/bench/lord.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import {
  loadHfModel,
  loadTokenizer,
  makeWindows,
  readTextDocuments,
  tokenizeDocuments,
} from '@caldera/io';
import { argmax, collectCalibration, LlamaModel } from '@caldera/runtime';
import { allocateLordRanks, analyzeLordModel, applyLord } from '../src/index';

const ROOT = new URL('../../../', import.meta.url).pathname;
const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : fallback;
};
const REDUCTIONS = opt('--reductions', '0.03,0.25,0.5').split(',').map(Number);
const PREFILL = Number(opt('--prefill', '256'));
const DECODE = Number(opt('--decode', '128'));
const REPEATS = Number(opt('--repeats', '3'));

function measureOnce(model: LlamaModel): { prefill: number; decode: number } {
  const vocab = model.config.vocabSize;
  const prompt = Array.from({ length: PREFILL }, (_, i) => 3 + ((i * 37) % (vocab - 3)));
  const s = model.createSession({ maxContext: PREFILL + DECODE + 1, maxBatch: 64 });
  let t = performance.now();
  let logits = s.forward(prompt);
  const prefill = PREFILL / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = 0; i < DECODE; i++) logits = s.step(argmax(logits, 0, vocab));
  return { prefill, decode: DECODE / ((performance.now() - t) / 1000) };
}

const dir = `${ROOT}models/pycode-6m`;
const source = await loadHfModel(dir);
const tokenizer = await loadTokenizer(dir);
const tokens = tokenizeDocuments(
  await readTextDocuments(`${dir}/heldout_sample.txt`, { split: 'none' }),
  tokenizer,
);
const model = await LlamaModel.load(source);
const stats = await collectCalibration(
  model,
  makeWindows(tokens, { seqLen: 256, count: 8, sampling: 'sequential' }),
);
const analysis = await analyzeLordModel(source, stats, { decomposition: 'whitened' });
const layers = analysis.entries.map((e) => e.analysis);
const rows: {
  model: string;
  reduction: number;
  linearParameters: number;
  prefillTokPerS: number;
  decodeTokPerS: number;
}[] = [];
const dense = layers.reduce((s, l) => s + l.m * l.n, 0);
const configs = [0, ...REDUCTIONS].map((r) => ({ r, a: allocateLordRanks(layers, r) }));
const best = configs.map(() => ({ prefill: 0, decode: 0 }));
// interleaved: every repeat runs every configuration once, so load changes hit all alike
for (let rep = 0; rep < REPEATS; rep++) {
  configs.forEach((c, i) => {
    applyLord(model, analysis, c.a.ranks);
    const m = measureOnce(model);
    best[i]!.prefill = Math.max(best[i]!.prefill, m.prefill);
    best[i]!.decode = Math.max(best[i]!.decode, m.decode);
  });
}
configs.forEach(({ r, a }, i) => {
  rows.push({
    model: r === 0 ? 'dense' : `lord ${Math.round(100 * r)} %`,
    reduction: a.reduction,
    linearParameters: r === 0 ? dense : a.parameters,
    prefillTokPerS: Math.round(best[i]!.prefill),
    decodeTokPerS: Math.round(best[i]!.decode),
  });
});
const base = rows[0]!;
const out = {
  bench: 'lord-speed',
  model: 'pycode-6m',
  prefillTokens: PREFILL,
  decodeTokens: DECODE,
  repeats: REPEATS,
  rows: rows.map((r) => ({
    ...r,
    prefillSpeedup: Number((r.prefillTokPerS / base.prefillTokPerS).toFixed(3)),
    decodeSpeedup: Number((r.decodeTokPerS / base.decodeTokPerS).toFixed(3)),
  })),
};
mkdirSync(`${ROOT}apps/docs/data/bench`, { recursive: true });
writeFileSync(`${ROOT}apps/docs/data/bench/lord.json`, `${JSON.stringify(out, null, 2)}\n`);
if (argv.includes('--json')) {
  for (const r of out.rows) console.log(JSON.stringify(r));
} else {
  console.log('model        reduction  linear params  prefill tok/s  decode tok/s  (speed-up)');
  for (const r of out.rows) {
    console.log(
      `${r.model.padEnd(12)} ${(100 * r.reduction).toFixed(1).padStart(8)} % ${String(r.linearParameters).padStart(13)}  ${String(r.prefillTokPerS).padStart(13)}  ${String(r.decodeTokPerS).padStart(12)}  (${r.prefillSpeedup}× / ${r.decodeSpeedup}×)`,
    );
  }
}
await source.close();
