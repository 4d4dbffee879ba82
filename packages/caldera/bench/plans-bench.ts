// Whole-model plans on pycode-6m, compressed through the library (`compressModel`), reloaded by
// @caldera/runtime and evaluated on held-out windows right after the calibration windows of
// heldout_dev.txt (SEQ=128 NCAL=16 NEV=16 by default). Without PLANS it runs the issue #10
// acceptance table (`pnpm --filter @caldera/caldera bench:pycode`, see ACCEPTANCE below and
// apps/docs/pages/measurements/sweep.md); PLANS='{"name": CompressionPlan, …}' runs others, e.g.
//   PLANS='{"t":{"defaults":{"method":"caldera"},"targetBpw":2.25,"candidateQBits":[2,3]}}' \
//     npx tsx --conditions=@caldera/source bench/plans-bench.ts
// LAYERS=1 prints each layer's rank and bits; every plan is also compared with REF (default
// `ldlq-target` when present) by the paired per-window difference in mean NLL ± one standard
// error.
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
import { type CompressionPlan, compressModel, loadCompressedModel } from '../src/index';

const A = fileURLToPath(new URL('../../../../shared/assets/models/pycode-6m/', import.meta.url));
const SEQ = Number(process.env.SEQ ?? 128);
const NCAL = Number(process.env.NCAL ?? 16);
const NEV = Number(process.env.NEV ?? 16);
const tok = await loadTokenizer(join(A, 'tokenizer.model'));
const stream = tokenizeDocuments(await readTextDocuments(join(A, 'heldout_dev.txt')), tok);
const calib = makeWindows(stream, { seqLen: SEQ, count: NCAL, sampling: 'sequential' });
const heldout = stream.slice(NCAL * SEQ, (NCAL + NEV) * SEQ);
const source = await openModel(A);
const floatModel = await LlamaModel.load(source);
const stats = await collectCalibration(floatModel, calib);
/** Held-out PPL, and the mean NLL of each window (from the running PPL of the progress events). */
const evaluate = async (m: LlamaModel) => {
  const running: number[] = [];
  const r = await perplexity(m, heldout, {
    contextLength: SEQ,
    bos: 'prepend',
    onProgress: (e) => {
      if (e.type === 'progress' && e.metrics?.ppl !== undefined) running.push(e.metrics.ppl);
    },
  });
  // equal windows: cumulative NLL after window w is w·(tokens/windows)·ln(ppl_w)
  const per = r.tokens % r.windows === 0 ? r.tokens / r.windows : Number.NaN;
  const windowNll = running.map(
    (p, w) => (w + 1) * Math.log(p) - w * Math.log(running[w - 1] ?? 1),
  );
  return { ppl: r.perplexity, windowNll: Number.isNaN(per) ? [] : windowNll };
};
const ppl = async (m: LlamaModel) => (await evaluate(m)).ppl;
console.log(`float32 ppl ${(await ppl(floatModel)).toFixed(3)}`);
const nlls: Record<string, number[]> = {};
const dir = await mkdtemp(join(tmpdir(), 'caldera-plans-'));
// Without PLANS: the issue #10 acceptance table at the budget B (default 2.495 bits/param, the
// bits of the hand-matched LDLQ): every baseline, and CALDERA and LDLQ each allocated per layer
// under the same budget (`targetBpw` with Q-bit candidates 2 and 3; CALDERA also with L·R-bit
// candidates 2, 3, 4).
const B = Number(process.env.BUDGET ?? 2.495);
const ACCEPTANCE: Record<string, CompressionPlan> = {
  'ldlq-2bit': { defaults: { method: 'ldlq', qBits: 2 } },
  'rtn-2bit': { defaults: { method: 'rtn', qQuantizer: 'uniform', qBits: 2 } },
  'caldera-r16': { defaults: { method: 'caldera', rank: 16, qBits: 2, lrBits: 4 } },
  'ldlq-matched': {
    defaults: { method: 'ldlq', qBits: 2 },
    rules: [{ pattern: 'mlp\\.(down|up)_proj', qBits: 3 }],
  },
  'ldlq-target': { defaults: { method: 'ldlq' }, targetBpw: B, candidateQBits: [2, 3] },
  'caldera-target': {
    defaults: { method: 'caldera' },
    targetBpw: B,
    candidateRanks: [0, 8, 16, 32],
    candidateQBits: [2, 3],
  },
  'caldera-target-lr': {
    defaults: { method: 'caldera' },
    targetBpw: B,
    candidateRanks: [0, 8, 16, 32],
    candidateQBits: [2, 3],
    candidateLrBits: [2, 3, 4],
  },
  'ldlq-3bit': { defaults: { method: 'ldlq', qBits: 3 } },
};
const plans =
  process.env.PLANS === undefined
    ? ACCEPTANCE
    : (JSON.parse(process.env.PLANS) as Record<string, CompressionPlan>);
for (const [name, plan] of Object.entries(plans)) {
  const t = performance.now();
  const s = await compressModel(source, stats, plan, {
    outDir: join(dir, name),
    tokenizerFiles: [join(A, 'tokenizer.model')],
    threads: 2,
  });
  const ev = await evaluate(await loadCompressedModel(join(dir, name)));
  const p = ev.ppl;
  nlls[name] = ev.windowNll;
  console.log(
    `${name}: ppl ${p.toFixed(3)}, linear bpp ${s.linearBitsPerParameter.toFixed(4)}, ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  if (process.env.LAYERS === '1') {
    for (const l of s.layers) {
      console.log(
        `  ${l.name} rank ${l.rank} bpp ${l.bitsPerParameter.toFixed(3)} err ${l.dataAwareError.toFixed(4)}`,
      );
    }
  }
}
// paired per-window differences against REF (default: the LDLQ allocated under the budget)
const ref = process.env.REF ?? (nlls['ldlq-target'] ? 'ldlq-target' : Object.keys(nlls)[0]);
const base = ref === undefined ? undefined : nlls[ref];
if (base !== undefined && base.length > 1) {
  for (const [name, v] of Object.entries(nlls)) {
    if (name === ref || v.length !== base.length) continue;
    const d = v.map((x, i) => x - base[i]!);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
    console.log(
      `${name} − ${ref}: mean NLL ${mean >= 0 ? '+' : ''}${mean.toFixed(5)} ± ${(sd / Math.sqrt(d.length)).toFixed(5)} nats/token (paired over ${d.length} windows, ± one standard error)`,
    );
  }
}
await source.close();
await rm(dir, { recursive: true, force: true });
