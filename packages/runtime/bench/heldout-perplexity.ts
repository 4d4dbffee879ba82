/**
 * Perplexity of pycode-6m on its whole held-out text (`heldout_dev.txt`), tokenised with the
 * SentencePiece tokenizer from @caldera/io as one document (BOS first), at 256-token
 * non-overlapping windows — the setting of `training.json` (valid_ppl 16.8) — in both BOS
 * modes of `perplexity`.
 *
 * Usage: `npm run ppl -- [--json] [--windows N] [--bos none|prepend]` (default: both modes)
 */
import { readFileSync } from 'node:fs';
import { loadHfModel, loadTokenizer } from '@caldera/io';
import { perplexity } from '../src/eval/perplexity';
import { LlamaModel } from '../src/model/llama-model';

const ASSETS = new URL('../../../../shared/assets/', import.meta.url).pathname;
const argv = process.argv.slice(2);
const wi = argv.indexOf('--windows');
const maxWindows = wi >= 0 ? Number(argv[wi + 1]) : undefined;
const src = await loadHfModel(`${ASSETS}models/pycode-6m`);
const model = await LlamaModel.load(src);
await src.close();
const tokenizer = await loadTokenizer(`${ASSETS}models/pycode-6m`);
const text = readFileSync(`${ASSETS}models/pycode-6m/heldout_dev.txt`, 'utf8');
const ids = tokenizer.encode(text, { bos: true });
const results = [];
const bi = argv.indexOf('--bos');
const modes = bi >= 0 ? [argv[bi + 1] as 'none' | 'prepend'] : (['none', 'prepend'] as const);
for (const bos of modes) {
  const t = performance.now();
  const r = await perplexity(model, ids, { contextLength: 256, bos, maxWindows });
  results.push({ bos, ...r, seconds: Number(((performance.now() - t) / 1000).toFixed(1)) });
}
const training = JSON.parse(readFileSync(`${ASSETS}models/pycode-6m/training.json`, 'utf8')) as {
  valid_ppl: number;
};
const out = {
  model: 'pycode-6m',
  streamTokens: ids.length,
  contextLength: 256,
  trainingValidPpl: training.valid_ppl,
  results,
};
if (argv.includes('--json')) console.log(JSON.stringify(out, null, 2));
else {
  console.log(
    `pycode-6m held-out: ${ids.length} tokens, 256-token windows (training.json valid_ppl ${training.valid_ppl.toFixed(2)})`,
  );
  console.table(results);
}
