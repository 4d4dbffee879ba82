import { readFileSync } from 'node:fs';
import { loadHfModel, loadLlama2c } from '@caldera/io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmax, logSumExp } from '../src/kernels/log-softmax';
import { LlamaModel } from '../src/model/llama-model';
import { ASSETS } from './helpers';

const stories = JSON.parse(readFileSync(`${ASSETS}golden/stories260K_greedy.json`, 'utf8')) as {
  greedy_tokens: number[];
  logprob_of_next_token: number[];
  logits_pos0_first16: number[];
};
const pycode = JSON.parse(readFileSync(`${ASSETS}golden/pycode6m_forward.json`, 'utf8')) as {
  ids: number[];
  logprob_of_next_token: number[];
  mean_nll: number;
  top5_pos0: number[];
  greedy_ids: number[];
};

describe('stories260K (llama2.c, interleaved RoPE, tied head)', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    const src = await loadLlama2c(`${ASSETS}models/stories260K/stories260K.bin`);
    try {
      model = await LlamaModel.load(src);
    } finally {
      await src.close();
    }
  });

  it('reproduces the first 16 logits at position 0', () => {
    const logits = model.createSession({ maxContext: 8 }).forward([1]);
    for (let i = 0; i < 16; i++)
      expect(Math.abs(logits[i]! - stories.logits_pos0_first16[i]!)).toBeLessThan(1e-4);
  });

  it('reproduces all 120 greedy tokens and the log-probabilities of the first 32', () => {
    const s = model.createSession({ maxContext: 128 });
    let logits = s.forward([1]);
    const tokens = [1];
    for (let i = 0; i < 120; i++) {
      const t = argmax(logits, 0, logits.length);
      if (i < 32) {
        const lp = logits[t]! - logSumExp(logits, 0, logits.length);
        expect(Math.abs(lp - stories.logprob_of_next_token[i]!)).toBeLessThan(1e-4);
      }
      tokens.push(t);
      if (i < 119) logits = s.step(t);
    }
    expect(tokens).toEqual(stories.greedy_tokens);
  });
});

describe('pycode-6m (Hugging Face layout, half-rotation RoPE, GQA)', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    const src = await loadHfModel(`${ASSETS}models/pycode-6m`);
    try {
      model = await LlamaModel.load(src);
    } finally {
      await src.close();
    }
  });
  afterAll(() => undefined);

  it('reproduces every next-token log-probability (batched prefill) and the mean NLL', () => {
    const ids = pycode.ids;
    const lps: number[] = [];
    const vocab = model.config.vocabSize;
    let top5: number[] = [];
    model.createSession({ maxContext: 64, maxBatch: 32 }).forward(ids, {
      onLogits: (lg, rows, pos0) => {
        for (let r = 0; r < rows; r++) {
          const i = pos0 + r;
          if (i === 0)
            top5 = Array.from(lg.subarray(0, vocab))
              .map((v, k) => [v, k] as const)
              .sort((a, b) => b[0] - a[0])
              .slice(0, 5)
              .map((p) => p[1]);
          if (i + 1 < ids.length)
            lps.push(lg[r * vocab + ids[i + 1]!]! - logSumExp(lg, r * vocab, vocab));
        }
      },
    });
    expect(lps).toHaveLength(pycode.logprob_of_next_token.length);
    for (let i = 0; i < lps.length; i++)
      expect(Math.abs(lps[i]! - pycode.logprob_of_next_token[i]!)).toBeLessThan(1e-4);
    expect(Math.abs(-lps.reduce((a, b) => a + b, 0) / lps.length - pycode.mean_nll)).toBeLessThan(
      1e-5,
    );
    expect(top5).toEqual(pycode.top5_pos0);
  });

  it('reproduces the 40 greedy tokens after the class prompt', () => {
    const prompt = pycode.greedy_ids.slice(0, pycode.greedy_ids.length - 40);
    const s = model.createSession({ maxContext: 64 });
    let logits = s.forward(prompt);
    const out = [...prompt];
    for (let i = 0; i < 40; i++) {
      const t = argmax(logits, 0, logits.length);
      out.push(t);
      if (i < 39) logits = s.step(t);
    }
    expect(out).toEqual(pycode.greedy_ids);
  });
});
