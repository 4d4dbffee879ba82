/**
 * Runtime benchmark: prefill and decode tokens/s and memory for stories260K and pycode-6m
 * (float32), and pycode-6m with compressed projections (uniform 4-bit, groups of 64; CALDERA
 * 2-bit Q + 4-bit rank-32 factors), in one run, with each variant's held-out perplexity on a
 * few 256-token windows.
 *
 * Usage: `npm run bench -- [--json] [--decode N] [--prefill N] [--repeats N]`
 */
import { readFileSync } from 'node:fs';
import { loadHfModel, loadLlama2c, loadTokenizer, type ModelSource } from '@caldera/io';
import { getBackend } from '@caldera/linalg';
import { uniformQuantize } from '@caldera/quant';
import { perplexity } from '../src/eval/perplexity';
import { argmax } from '../src/kernels/log-softmax';
import { UniformLinear } from '../src/linear/uniform-linear';
import { LlamaModel } from '../src/model/llama-model';
import { LINEAR_NAMES } from '../src/model/llama-weights';
import { compressCalderaForBench } from './caldera-variant';

const ASSETS = new URL('../../../../shared/assets/', import.meta.url).pathname;
const argv = process.argv.slice(2);
const json = argv.includes('--json');
const num = (flag: string, d: number) => {
  const i = argv.indexOf(flag);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const PREFILL = num('--prefill', 256);
const DECODE = num('--decode', 128);
const REPEATS = num('--repeats', 3);

interface Row {
  model: string;
  variant: string;
  prefillTokens: number;
  prefillTokPerS: number;
  decodeTokens: number;
  decodeTokPerS: number;
  linearWeightBytes: number;
  linearWeightRatio: number;
  peakRssMiB: number;
  /** Perplexity on the first `PPL_WINDOWS` 256-token windows of pycode-6m's held-out text. */
  heldoutPpl?: number;
}

function measure(model: LlamaModel): { prefill: number; decode: number } {
  const vocab = model.config.vocabSize;
  const prompt = Array.from({ length: PREFILL }, (_, i) => 3 + ((i * 37) % (vocab - 3)));
  let prefill = 0;
  let decode = 0;
  for (let r = 0; r < REPEATS; r++) {
    const s = model.createSession({ maxContext: PREFILL + DECODE + 1, maxBatch: 64 });
    let t = performance.now();
    let logits = s.forward(prompt);
    prefill = Math.max(prefill, PREFILL / ((performance.now() - t) / 1000));
    t = performance.now();
    for (let i = 0; i < DECODE; i++) logits = s.step(argmax(logits, 0, vocab));
    decode = Math.max(decode, DECODE / ((performance.now() - t) / 1000));
  }
  return { prefill, decode };
}

async function load(src: ModelSource): Promise<LlamaModel> {
  try {
    return await LlamaModel.load(src);
  } finally {
    await src.close();
  }
}

const PPL_WINDOWS = num('--ppl-windows', 4);
const tokenizer = await loadTokenizer(`${ASSETS}models/pycode-6m`);
const heldout = tokenizer.encode(
  readFileSync(`${ASSETS}models/pycode-6m/heldout_dev.txt`, 'utf8').slice(0, 4000 * PPL_WINDOWS),
  {
    bos: true,
  },
);

const rows: Row[] = [];
async function record(
  name: string,
  variant: string,
  model: LlamaModel,
  floatLinearBytes: number,
): Promise<void> {
  const m = measure(model);
  const ppl =
    name === 'pycode-6m' && PPL_WINDOWS > 0
      ? await perplexity(model, heldout, { contextLength: 256, maxWindows: PPL_WINDOWS })
      : undefined;
  const bytes = model.weightBytes().linears;
  rows.push({
    model: name,
    variant,
    prefillTokens: PREFILL,
    prefillTokPerS: Math.round(m.prefill),
    decodeTokens: DECODE,
    decodeTokPerS: Math.round(m.decode),
    linearWeightBytes: bytes,
    linearWeightRatio: Number((bytes / floatLinearBytes).toFixed(4)),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(ppl ? { heldoutPpl: Number(ppl.perplexity.toFixed(3)) } : {}),
  });
}

const stories = await load(await loadLlama2c(`${ASSETS}models/stories260K/stories260K.bin`));
await record('stories260K', 'float32', stories, stories.weightBytes().linears);
const pycode = await load(await loadHfModel(`${ASSETS}models/pycode-6m`));
const floatBytes = pycode.weightBytes().linears;
await record('pycode-6m', 'float32', pycode, floatBytes);

const uniform = await load(await loadHfModel(`${ASSETS}models/pycode-6m`));
for (let l = 0; l < uniform.config.numLayers; l++) {
  for (const name of LINEAR_NAMES) {
    const w = uniform.linear(l, name);
    const q = uniformQuantize(w.toDense(), w.outFeatures, w.inFeatures, { bits: 4, groupSize: 64 });
    uniform.setLinear(l, name, new UniformLinear(q));
  }
}
await record('pycode-6m', 'uniform4-g64', uniform, floatBytes);

const caldera = await compressCalderaForBench(
  await load(await loadHfModel(`${ASSETS}models/pycode-6m`)),
);
await record('pycode-6m', caldera.variant, caldera.model, floatBytes);

const meta = { backend: getBackend().name, node: process.version, repeats: REPEATS };
if (json) {
  console.log(JSON.stringify({ bench: 'runtime', ...meta, results: rows }, null, 2));
} else {
  console.log(`runtime bench (backend ${meta.backend}, best of ${REPEATS})`);
  console.table(rows);
}
