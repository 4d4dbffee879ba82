// A tiny synthetic Llama model held in memory, for the pipeline tests.
import { Rng } from '@caldera/core';
import type { LlamaConfig, ModelSource, TensorInfo } from '@caldera/io';
import { CalibrationStats, INPUT_SITES } from '@caldera/runtime';

/** Config of the synthetic model: hidden 16, 2 blocks, 2 heads (1 KV), ffn 32, vocab 32. */
export const TINY_CONFIG: LlamaConfig = {
  modelType: 'llama',
  hiddenSize: 16,
  intermediateSize: 32,
  numLayers: 2,
  numHeads: 2,
  numKvHeads: 1,
  headDim: 8,
  vocabSize: 32,
  maxSeqLen: 64,
  ropeTheta: 10000,
  rmsNormEps: 1e-5,
  tieWordEmbeddings: false,
  ropeStyle: 'half',
  attentionBias: false,
  bosTokenId: 1,
  eosTokenId: 2,
};

/**
 * A synthetic model with seeded Gaussian weights (norms 1).
 *
 * @param seed - the weights' seed
 * @returns an in-memory ModelSource
 */
export function tinySource(seed = 5): ModelSource & { reads: string[] } {
  const c = TINY_CONFIG;
  const rng = new Rng(seed);
  const tensors = new Map<string, { info: TensorInfo; data: Float32Array }>();
  const add = (name: string, shape: number[], norm = false) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (norm) data.fill(1);
    else for (let i = 0; i < data.length; i++) data[i] = 0.3 * rng.nextGaussian();
    tensors.set(name, { info: { name, dtype: 'F32', shape }, data });
  };
  add('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]);
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [16], true);
    add(`${p}.self_attn.q_proj.weight`, [16, 16]);
    add(`${p}.self_attn.k_proj.weight`, [8, 16]);
    add(`${p}.self_attn.v_proj.weight`, [8, 16]);
    add(`${p}.self_attn.o_proj.weight`, [16, 16]);
    add(`${p}.post_attention_layernorm.weight`, [16], true);
    add(`${p}.mlp.gate_proj.weight`, [32, 16]);
    add(`${p}.mlp.up_proj.weight`, [32, 16]);
    add(`${p}.mlp.down_proj.weight`, [16, 32]);
  }
  add('model.norm.weight', [16], true);
  add('lm_head.weight', [c.vocabSize, c.hiddenSize]);
  const reads: string[] = [];
  return {
    location: 'memory:tiny',
    format: 'hf-safetensors',
    config: c,
    reads,
    tensors: () => [...tensors.values()].map((t) => t.info),
    readTensor: async (name) => {
      reads.push(name);
      const t = tensors.get(name);
      if (!t) throw new Error(`no tensor ${name}`);
      return t.data.slice();
    },
    close: async () => {},
  };
}

/**
 * Seeded token windows over the synthetic vocabulary.
 *
 * @param count - windows
 * @param length - tokens per window
 * @param seed - seed
 * @returns the windows
 */
export function tinyWindows(count: number, length: number, seed = 9): Int32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const w = new Int32Array(length);
    for (let i = 0; i < length; i++) w[i] = rng.nextInt(32);
    return w;
  });
}

/**
 * Calibration statistics of seeded Gaussian inputs at every input site of the synthetic
 * model (no forward pass: the pinned bytes of the golden test depend on the solver and the
 * format only).
 *
 * @param rows - input rows per site
 * @param seed - seed
 * @returns the statistics
 */
export function tinyStats(rows = 48, seed = 11): CalibrationStats {
  const rng = new Rng(seed);
  const stats = new CalibrationStats(TINY_CONFIG);
  for (let l = 0; l < TINY_CONFIG.numLayers; l++) {
    for (const site of INPUT_SITES) {
      const acc = stats.addInput(l, site);
      const x = new Float32Array(rows * acc.n);
      for (let i = 0; i < x.length; i++) x[i] = rng.nextGaussian() * (1 + (i % acc.n) / acc.n);
      acc.add(x, rows);
    }
  }
  return stats;
}
