import { isCalderaError } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { DenseLinear } from '../src/linear/dense-linear';
import { LlamaModel } from '../src/model/llama-model';
import { randomModelSource, referenceForward, tinyConfig } from './helpers';

const TOKENS = [1, 5, 9, 33, 2, 17, 17, 4, 39, 0, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23];

function maxDiff(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  offA = 0,
  offB = 0,
): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[offA + i]! - b[offB + i]!));
  return m;
}

const variants = [
  { name: 'half RoPE, GQA, untied', over: {} },
  {
    name: 'interleaved RoPE, MHA, tied',
    over: { ropeStyle: 'interleaved' as const, numKvHeads: 4, tieWordEmbeddings: true },
  },
  {
    name: 'half RoPE, MQA, qkv bias (qwen2)',
    over: { numKvHeads: 1, attentionBias: true, modelType: 'qwen2' as const },
  },
];

describe('forward pass vs float64 reference', () => {
  for (const v of variants) {
    it(`${v.name}: batched prefill (chunked) and KV-cache decode match`, async () => {
      const src = randomModelSource(tinyConfig(v.over), 7);
      const model = await LlamaModel.load(src);
      const ref = referenceForward(src, TOKENS);
      const vocab = src.config.vocabSize;
      // prefill in chunks of 8 (GEMM path for full chunks, dot products for the tail)
      const all = new Float32Array(TOKENS.length * vocab);
      const s1 = model.createSession({ maxContext: 32, maxBatch: 8 });
      const last = s1.forward(TOKENS, {
        onLogits: (lg, rows, pos0) => all.set(lg.subarray(0, rows * vocab), pos0 * vocab),
      });
      expect(maxDiff(all, ref, all.length)).toBeLessThan(2e-4);
      expect(maxDiff(last, ref, vocab, 0, (TOKENS.length - 1) * vocab)).toBeLessThan(2e-4);
      // token-by-token decode
      const s2 = model.createSession({ maxContext: 32 });
      for (let t = 0; t < TOKENS.length; t++) {
        const lg = s2.step(TOKENS[t]!);
        expect(maxDiff(lg, ref, vocab, 0, t * vocab)).toBeLessThan(2e-4);
      }
      expect(s2.position).toBe(TOKENS.length);
    });
  }

  it('mixed prefill then decode equals the reference, and reset() restarts the sequence', async () => {
    const src = randomModelSource(tinyConfig(), 3);
    const model = await LlamaModel.load(src);
    const ref = referenceForward(src, TOKENS.slice(0, 12));
    const s = model.createSession({ maxContext: 16, maxBatch: 4 });
    s.forward(TOKENS.slice(0, 10));
    s.step(TOKENS[10]!);
    const lg = s.step(TOKENS[11]!);
    expect(maxDiff(lg, ref, 40, 0, 11 * 40)).toBeLessThan(2e-4);
    s.reset();
    const first = s.step(TOKENS[0]!);
    expect(maxDiff(first, ref, 40, 0, 0)).toBeLessThan(2e-4);
  });

  it('rejects bad tokens, context overflow and mis-shaped replacements', async () => {
    const model = await LlamaModel.load(randomModelSource(tinyConfig(), 1));
    const s = model.createSession({ maxContext: 4 });
    expect(() => s.forward([40])).toThrow(expect.objectContaining({ code: 'INVALID_TOKEN' }));
    expect(() => s.forward([1, 2, 3, 4, 5])).toThrow(
      expect.objectContaining({ code: 'CONTEXT_OVERFLOW' }),
    );
    let err: unknown;
    try {
      model.setLinear(0, 'q_proj', new DenseLinear(new Float32Array(4), 2, 2));
    } catch (e) {
      err = e;
    }
    expect(isCalderaError(err, 'SHAPE_MISMATCH')).toBe(true);
    expect(() => model.linear(9, 'q_proj')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('reports an absent tensor as MISSING_WEIGHT', async () => {
    const src = randomModelSource(tinyConfig(), 1);
    src.data.delete('model.norm.weight');
    const tensors = src.tensors().filter((t) => t.name !== 'model.norm.weight');
    await expect(LlamaModel.load({ ...src, tensors: () => tensors })).rejects.toMatchObject({
      code: 'MISSING_WEIGHT',
    });
  });

  it('counts weight bytes (4 per parameter for a dense model)', async () => {
    const c = tinyConfig();
    const model = await LlamaModel.load(randomModelSource(c, 1));
    const perLayer = 2 * 32 * 32 + 2 * 16 * 32 + 3 * 48 * 32;
    expect(model.weightBytes().linears).toBe(4 * c.numLayers * perLayer);
    expect(model.weightBytes().total).toBe(4 * (c.numLayers * (perLayer + 64) + 2 * 40 * 32 + 32));
  });
});
