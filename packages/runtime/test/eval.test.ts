import { readFileSync } from 'node:fs';
import { loadHfModel, loadTokenizer } from '@caldera/io';
import { describe, expect, it } from 'vitest';
import { compareModels } from '../src/eval/compare-models';
import { evalWindows } from '../src/eval/eval-windows';
import { perplexity } from '../src/eval/perplexity';
import { LlamaModel } from '../src/model/llama-model';
import { ASSETS, randomModelSource, referenceForward, tinyConfig } from './helpers';

const STREAM = Array.from({ length: 50 }, (_, i) => (i * 7 + 3) % 40);

function refNll(
  src: ReturnType<typeof randomModelSource>,
  input: number[],
): { sum: number; n: number } {
  const lg = referenceForward(src, input);
  const v = src.config.vocabSize;
  let sum = 0;
  for (let i = 0; i + 1 < input.length; i++) {
    let mx = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < v; k++) mx = Math.max(mx, lg[i * v + k]!);
    let z = 0;
    for (let k = 0; k < v; k++) z += Math.exp(lg[i * v + k]! - mx);
    sum += mx + Math.log(z) - lg[i * v + input[i + 1]!]!;
  }
  return { sum, n: input.length - 1 };
}

describe('evaluation windows', () => {
  it('cuts non-overlapping windows, with or without BOS prepended', () => {
    const w = evalWindows(STREAM, 16, {}, 1);
    expect(w.map((x) => x.start)).toEqual([0, 16, 32]);
    expect(Array.from(w[1]!.input)).toEqual(STREAM.slice(16, 32));
    const b = evalWindows(STREAM, 16, { bos: 'prepend', maxWindows: 2 }, 1);
    expect(b.map((x) => x.start)).toEqual([0, 15]);
    expect(Array.from(b[1]!.input)).toEqual([1, ...STREAM.slice(15, 30)]);
    expect(() => evalWindows(STREAM.slice(0, 5), 16, {}, 1)).toThrow(
      expect.objectContaining({ code: 'DATASET_TOO_SHORT' }),
    );
  });
});

describe('perplexity and model comparison', () => {
  it('perplexity equals the reference NLL over the windows', async () => {
    const src = randomModelSource(tinyConfig(), 4);
    const model = await LlamaModel.load(src);
    const events: string[] = [];
    const r = await perplexity(model, STREAM, {
      contextLength: 16,
      onProgress: (e) => events.push(e.type),
    });
    let sum = 0;
    let n = 0;
    for (let w = 0; w < 3; w++) {
      const x = refNll(src, STREAM.slice(16 * w, 16 * w + 16));
      sum += x.sum;
      n += x.n;
    }
    expect(r.tokens).toBe(45);
    expect(r.windows).toBe(3);
    expect(Math.abs(r.meanNll - sum / n)).toBeLessThan(1e-5);
    expect(r.perplexity).toBeCloseTo(Math.exp(r.meanNll), 10);
    expect(events[0]).toBe('start');
    expect(events.at(-1)).toBe('done');
  });

  it('a model compared with itself has KL 0 and full top-1 agreement; another model does not', async () => {
    const a = await LlamaModel.load(randomModelSource(tinyConfig(), 4));
    const b = await LlamaModel.load(randomModelSource(tinyConfig(), 5));
    const same = await compareModels(a, a, STREAM, { contextLength: 16 });
    expect(same.klDivergence).toBeLessThan(1e-9);
    expect(same.top1Agreement).toBe(1);
    expect(same.meanNll).toBeCloseTo(same.baseMeanNll, 10);
    const ppl = await perplexity(a, STREAM, { contextLength: 16 });
    expect(same.meanNll).toBeCloseTo(ppl.meanNll, 6);
    const diff = await compareModels(b, a, STREAM, { contextLength: 16, bos: 'prepend' });
    expect(diff.tokens).toBe(45);
    expect(diff.klDivergence).toBeGreaterThan(0.01);
    expect(diff.top1Agreement).toBeLessThan(1);
  });

  it('honours an AbortSignal', async () => {
    const a = await LlamaModel.load(randomModelSource(tinyConfig(), 4));
    const ac = new AbortController();
    ac.abort();
    await expect(
      perplexity(a, STREAM, { contextLength: 16, signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('pycode-6m on a slice of its held-out text has a perplexity near its training figure', async () => {
    const src = await loadHfModel(`${ASSETS}models/pycode-6m`);
    const model = await LlamaModel.load(src);
    await src.close();
    const tok = await loadTokenizer(`${ASSETS}models/pycode-6m`);
    const text = readFileSync(`${ASSETS}models/pycode-6m/heldout_dev.txt`, 'utf8').slice(0, 12000);
    const ids = tok.encode(text, { bos: true });
    const r = await perplexity(model, ids, { contextLength: 256, maxWindows: 4 });
    expect(r.tokens).toBe(4 * 255);
    expect(r.perplexity).toBeGreaterThan(5);
    expect(r.perplexity).toBeLessThan(40);
  });
});
