import { readFileSync } from 'node:fs';
import { loadLlama2c, loadTokenizer } from '@caldera/io';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../src/generate/generate';
import { Sampler } from '../src/generate/sampler';
import { StopMatcher } from '../src/generate/stop-matcher';
import { LlamaModel } from '../src/model/llama-model';
import { ASSETS, randomModelSource, tinyConfig } from './helpers';

const golden = JSON.parse(readFileSync(`${ASSETS}golden/stories260K_greedy.json`, 'utf8')) as {
  greedy_tokens: number[];
  greedy_text: string;
};

describe('Sampler', () => {
  const logits = Float32Array.of(1, 3, 2, 0.5, 2.5);
  it('greedy picks the argmax; topK 1 too', () => {
    expect(new Sampler(5).sample(logits)).toBe(1);
    expect(new Sampler(5, { temperature: 2, topK: 1, seed: 3 }).sample(logits)).toBe(1);
  });

  it('is reproducible for a seed and follows the softmax', () => {
    const a = new Sampler(5, { temperature: 1, seed: 11 });
    const b = new Sampler(5, { temperature: 1, seed: 11 });
    const counts = new Array(5).fill(0);
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const t = a.sample(logits);
      expect(b.sample(logits)).toBe(t);
      counts[t]++;
    }
    const z = Array.from(logits).reduce((s, v) => s + Math.exp(v), 0);
    for (let k = 0; k < 5; k++)
      expect(Math.abs(counts[k] / n - Math.exp(logits[k]!) / z)).toBeLessThan(0.015);
  });

  it('top-k and top-p restrict the support', () => {
    const k2 = new Sampler(5, { temperature: 1, topK: 2, seed: 1 });
    const p = new Sampler(5, { temperature: 1, topP: 0.5, seed: 1 }); // p(1) ≈ 0.43, p(4) ≈ 0.26
    const seenK = new Set<number>();
    const seenP = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      seenK.add(k2.sample(logits));
      seenP.add(p.sample(logits));
    }
    expect([...seenK].sort()).toEqual([1, 4]);
    expect([...seenP].sort()).toEqual([1, 4]);
  });

  it('rejects bad options', () => {
    expect(() => new Sampler(5, { topP: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => new Sampler(5, { temperature: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('StopMatcher', () => {
  it('holds back possible prefixes and cuts at the first stop string', () => {
    const m = new StopMatcher(['END', '\n\n']);
    expect(m.push('abc E')).toEqual({ text: 'abc ', stopped: false });
    expect(m.push('Nx')).toEqual({ text: 'ENx', stopped: false });
    expect(m.push('y\n')).toEqual({ text: 'y', stopped: false });
    expect(m.push('\nz')).toEqual({ text: '', stopped: true });
    expect(m.flush()).toBe('');
  });
});

describe('generate with stories260K', () => {
  let model: LlamaModel;
  let tokenizer: Awaited<ReturnType<typeof loadTokenizer>>;
  beforeAll(async () => {
    const src = await loadLlama2c(`${ASSETS}models/stories260K/stories260K.bin`);
    model = await LlamaModel.load(src);
    await src.close();
    tokenizer = await loadTokenizer(`${ASSETS}models/stories260K/tok512.bin`);
  });

  it('greedy generation streams the golden tokens and text', async () => {
    const streamed: string[] = [];
    const r = await generate(model, [1], {
      maxTokens: 120,
      tokenizer,
      onToken: (e) => streamed.push(e.text),
    });
    expect([1, ...r.tokens]).toEqual(golden.greedy_tokens);
    expect(r.text).toBe(golden.greedy_text);
    expect(streamed.join('')).toBe(golden.greedy_text);
    expect(r.finishReason).toBe('length');
  });

  it('stops at a stop string and cuts the text before it', async () => {
    const r = await generate(model, 'Once upon a time', {
      tokenizer,
      maxTokens: 100,
      stop: ['Lily'],
    });
    expect(r.finishReason).toBe('stop');
    expect(r.text).toBe(', there was a little girl named ');
  });

  it('seeded sampling is reproducible and differs across seeds', async () => {
    const o = { tokenizer, maxTokens: 30, temperature: 1, topP: 0.9 };
    const a = await generate(model, [1], { ...o, seed: 5 });
    const b = await generate(model, [1], { ...o, seed: 5 });
    const c = await generate(model, [1], { ...o, seed: 6 });
    expect(b.tokens).toEqual(a.tokens);
    expect(c.tokens).not.toEqual(a.tokens);
  });

  it('stops at the context limit and honours an AbortSignal', async () => {
    const r = await generate(model, [1], { maxTokens: 50, maxContext: 10 });
    expect(r.finishReason).toBe('context');
    expect(r.tokens).toHaveLength(10);
    const ac = new AbortController();
    const run = generate(model, [1], {
      maxTokens: 100,
      onToken: (e) => {
        if (e.index === 3) ac.abort();
      },
      signal: ac.signal,
    });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('a text prompt needs a tokenizer', async () => {
    const tiny = await LlamaModel.load(randomModelSource(tinyConfig(), 1));
    await expect(generate(tiny, 'hello')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
