// `targetBpw` versus a uniform rank at about the same bits/param on stories260K: achieved
// bpw and held-out perplexity. Run: npx tsx --conditions=@caldera/source bench/target-bpw-bench.ts [targets…]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTokenizer, openModel, readTextDocuments, tokenizeDocuments } from '@caldera/io';
import { collectCalibration, LlamaModel, perplexity } from '@caldera/runtime';
import { type CompressionPlan, compressModel, loadCompressedModel } from '../src/index';

const assets = fileURLToPath(new URL('../../../../shared/assets/', import.meta.url));
const MODEL = join(assets, 'models/stories260K/stories260K.bin');
const TOKENIZER = join(assets, 'models/stories260K/tok512.bin');
const TEXT = join(assets, 'text/tinystories/tinystories_validation_head.txt');
const SEQ = 128;

const dir = await mkdtemp(join(tmpdir(), 'caldera-tbpw-'));
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
console.log(`float ppl ${(await ppl(floatModel)).toFixed(3)}`);
const base = { method: 'caldera', qBits: 2, lrBits: 4, iterations: 2, lplrRounds: 3 } as const;
const run = async (name: string, plan: CompressionPlan) => {
  const t = performance.now();
  const s = await compressModel(source, stats, plan, {
    outDir: join(dir, name),
    tokenizerFiles: [TOKENIZER],
  });
  const p = await ppl(await loadCompressedModel(join(dir, name)));
  const ranks = s.layers.map((l) => l.rank).join(',');
  console.log(
    `${name}: linear bpp ${s.linearBitsPerParameter.toFixed(3)}, ppl ${p.toFixed(3)}, ${((performance.now() - t) / 1000).toFixed(1)} s, ranks ${ranks}`,
  );
};
const args = process.argv.slice(2);
for (const a of args) {
  if (a.startsWith('r'))
    await run(`uniform-${a}`, { defaults: { ...base, rank: Number(a.slice(1)) } });
  else await run(`target-${a}`, { defaults: base, targetBpw: Number(a) });
}
await source.close();
await rm(dir, { recursive: true, force: true });
