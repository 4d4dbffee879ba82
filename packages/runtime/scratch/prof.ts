import { loadHfModel, loadTokenizer, getBackend } from '@caldera/io';
import * as la from '@caldera/linalg';
import { readFileSync } from 'node:fs';
import { LlamaModel } from '../src/model/llama-model';
import { perplexity } from '../src/eval/perplexity';
const A = '/work/shared/assets/';
const src = await loadHfModel(A + 'models/pycode-6m');
const model = await LlamaModel.load(src); await src.close();
const tok = await loadTokenizer(A + 'models/pycode-6m');
let t = performance.now();
const text = readFileSync(A + 'models/pycode-6m/heldout_dev.txt', 'utf8').slice(0, 12000);
const ids = tok.encode(text, { bos: true });
console.log('encode ms', performance.now() - t, ids.length, la.getBackend().name);
for (let k = 0; k < 3; k++) {
t = performance.now();
const r = await perplexity(model, ids, { contextLength: 256, maxWindows: 4 });
console.log('ppl ms', performance.now() - t, r.perplexity);
}
const s = model.createSession({ maxContext: 512 });
s.forward(ids.slice(0, 16));
t = performance.now();
for (let i = 0; i < 100; i++) s.step(5);
console.log('decode tok/s', 100 / ((performance.now() - t) / 1000));
