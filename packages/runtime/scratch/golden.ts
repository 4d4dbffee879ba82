import { loadLlama2c, loadHfModel } from '@caldera/io';
import { readFileSync } from 'node:fs';
import { LlamaModel } from '../src/model/llama-model';
import { argmax, logSumExp } from '../src/kernels/log-softmax';
const A = '/work/shared/assets/';
const g = JSON.parse(readFileSync(A + 'golden/stories260K_greedy.json', 'utf8'));
const m = await LlamaModel.load(await loadLlama2c(A + 'models/stories260K/stories260K.bin'));
const s = m.createSession({ maxContext: 512 });
let logits = s.forward([1]);
console.log(Array.from(logits.slice(0, 4)), g.logits_pos0_first16.slice(0, 4));
const toks = [1];
let maxlp = 0;
for (let i = 0; i < 120; i++) {
  const t = argmax(logits, 0, logits.length);
  if (i < 32) maxlp = Math.max(maxlp, Math.abs(logits[t]! - logSumExp(logits, 0, logits.length) - g.logprob_of_next_token[i]));
  toks.push(t);
  if (i < 119) logits = s.step(t);
}
console.log('match', JSON.stringify(toks) === JSON.stringify(g.greedy_tokens), maxlp);
const p = JSON.parse(readFileSync(A + 'golden/pycode6m_forward.json', 'utf8'));
const m2 = await LlamaModel.load(await loadHfModel(A + 'models/pycode-6m'));
const s2 = m2.createSession({ maxContext: 256 });
let err = 0; let nll = 0;
s2.forward(p.ids, { onLogits: (lg, rows, pos0) => { for (let r = 0; r < rows; r++) { const i = pos0 + r; if (i + 1 >= p.ids.length) break; const lp = lg[r * 4096 + p.ids[i + 1]]! - logSumExp(lg, r * 4096, 4096); nll -= lp; err = Math.max(err, Math.abs(lp - p.logprob_of_next_token[i])); } } });
console.log('pycode max lp err', err, nll / 60, p.mean_nll);
const s3 = m2.createSession({ maxContext: 256 });
const prompt = p.greedy_ids.slice(0, 14);
let lg = s3.forward(prompt);
const out = [...prompt];
for (let i = 0; i < 40; i++) { const t = argmax(lg, 0, 4096); out.push(t); lg = s3.step(t); }
console.log('greedy match', JSON.stringify(out) === JSON.stringify(p.greedy_ids));
