/**
 * HumanEval pass@1 of pycode-6m: greedy completion of all 164 problems (128 tokens, the usual
 * stop sequences), each checked with its tests in the Python sandbox.
 *
 * Usage: `npm run humaneval -- [--json] [--limit N] [--max-tokens N] [--concurrency N]`
 */
import { loadHfModel, loadTokenizer } from '@caldera/io';
import { completeWithModel, evaluateHumanEval } from '../src/code-eval/evaluate-humaneval';
import { loadHumanEval } from '../src/code-eval/humaneval-dataset';
import { LlamaModel } from '../src/model/llama-model';

const ASSETS = new URL('../../../../shared/assets/', import.meta.url).pathname;
const argv = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const maxTokens = arg('--max-tokens', 128);
const concurrency = arg('--concurrency', 2);
const all = await loadHumanEval(`${ASSETS}text/humaneval/HumanEval.jsonl`);
const problems = all.slice(0, arg('--limit', all.length));
const dir = `${ASSETS}models/pycode-6m`;
const src = await loadHfModel(dir);
const model = await LlamaModel.load(src);
await src.close();
const tokenizer = await loadTokenizer(dir);
const t = performance.now();
const r = await evaluateHumanEval(problems, completeWithModel(model, tokenizer, { maxTokens }), {
  concurrency,
  timeoutMs: 5000,
  onProgress: (e) => {
    if (e.type === 'progress' && !argv.includes('--json') && e.current % 20 === 0) {
      process.stderr.write(`${e.current}/${e.total} (passed ${e.metrics?.passed ?? 0})\n`);
    }
  },
});
const seconds = (performance.now() - t) / 1000;
const sum = (f: (x: (typeof r.results)[number]) => number) =>
  r.results.reduce((s, x) => s + f(x), 0) / 1000;
const out = {
  model: 'pycode-6m',
  problems: r.total,
  maxTokens,
  passed: r.passed,
  passAt1: r.passAt1,
  passedTasks: r.results.filter((x) => x.passed).map((x) => x.taskId),
  timedOut: r.results.filter((x) => x.timedOut).length,
  seconds: Number(seconds.toFixed(1)),
  generateSeconds: Number(sum((x) => x.completeMs).toFixed(1)),
  checkSeconds: Number(sum((x) => x.checkMs).toFixed(1)),
};
if (argv.includes('--json')) console.log(JSON.stringify(out, null, 2));
else {
  console.log(
    `pycode-6m HumanEval: pass@1 = ${(100 * r.passAt1).toFixed(2)} % (${r.passed}/${r.total}), ` +
      `maxTokens ${maxTokens}, ${out.seconds} s (generation ${out.generateSeconds} s, checks ${out.checkSeconds} s)`,
  );
  if (out.passedTasks.length > 0) console.log(`passed: ${out.passedTasks.join(', ')}`);
}
