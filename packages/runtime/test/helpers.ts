/**
 * Test helpers: a tiny random Llama model held in memory as a `ModelSource`, and a plain
 * float64 reference forward pass (whole sequence, no cache) to test the runtime against.
 */
import { CalderaError, Rng } from '@caldera/core';
import type { LlamaConfig, ModelSource, RopeStyle, TensorInfo } from '@caldera/io';

/**
 * A small config.
 *
 * @param over - fields to override
 * @returns the config
 * @example
 * ```ts
 * tinyConfig({ ropeStyle: 'interleaved' });
 * ```
 */
export function tinyConfig(over: Partial<LlamaConfig> = {}): LlamaConfig {
  return {
    modelType: 'llama',
    hiddenSize: 32,
    intermediateSize: 48,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 8,
    vocabSize: 40,
    maxSeqLen: 64,
    ropeTheta: 10000,
    rmsNormEps: 1e-5,
    tieWordEmbeddings: false,
    ropeStyle: 'half' as RopeStyle,
    attentionBias: false,
    bosTokenId: 1,
    eosTokenId: 2,
    ...over,
  };
}

/**
 * An in-memory model with seeded Gaussian weights.
 *
 * @param config - the config
 * @param seed - the weight seed
 * @returns a ModelSource over a Map of tensors
 * @example
 * ```ts
 * const src = randomModelSource(tinyConfig(), 1);
 * ```
 */
export function randomModelSource(
  config: LlamaConfig,
  seed: number,
): ModelSource & { data: Map<string, Float32Array> } {
  const rng = new Rng(seed);
  const data = new Map<string, Float32Array>();
  const infos: TensorInfo[] = [];
  const add = (name: string, shape: number[], std: number, mean = 0) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = mean + std * rng.nextGaussian();
    data.set(name, a);
    infos.push({ name, dtype: 'F32', shape });
  };
  const c = config;
  const d = c.hiddenSize;
  const qw = c.numHeads * c.headDim;
  const kvw = c.numKvHeads * c.headDim;
  add('model.embed_tokens.weight', [c.vocabSize, d], 1);
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [d], 0.1, 1);
    add(`${p}.self_attn.q_proj.weight`, [qw, d], 0.3);
    add(`${p}.self_attn.k_proj.weight`, [kvw, d], 0.3);
    add(`${p}.self_attn.v_proj.weight`, [kvw, d], 0.3);
    if (c.attentionBias) {
      add(`${p}.self_attn.q_proj.bias`, [qw], 0.2);
      add(`${p}.self_attn.k_proj.bias`, [kvw], 0.2);
      add(`${p}.self_attn.v_proj.bias`, [kvw], 0.2);
    }
    add(`${p}.self_attn.o_proj.weight`, [d, qw], 0.2);
    add(`${p}.post_attention_layernorm.weight`, [d], 0.1, 1);
    add(`${p}.mlp.gate_proj.weight`, [c.intermediateSize, d], 0.2);
    add(`${p}.mlp.up_proj.weight`, [c.intermediateSize, d], 0.2);
    add(`${p}.mlp.down_proj.weight`, [d, c.intermediateSize], 0.2);
  }
  add('model.norm.weight', [d], 0.1, 1);
  if (!c.tieWordEmbeddings) add('lm_head.weight', [c.vocabSize, d], 0.3);
  return {
    location: 'memory',
    format: 'hf-safetensors',
    config: c,
    data,
    tensors: () => infos,
    readTensor: async (name) => {
      const t = data.get(name);
      if (!t) throw new CalderaError('TENSOR_NOT_FOUND', `no tensor ${name}`);
      return t.slice();
    },
    close: async () => {},
  };
}

function matT(x: Float64Array, rows: number, w: Float32Array, m: number, n: number): Float64Array {
  const y = new Float64Array(rows * m);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += x[r * n + j]! * w[i * n + j]!;
      y[r * m + i] = s;
    }
  return y;
}

function norm(
  x: Float64Array,
  rows: number,
  d: number,
  w: Float32Array,
  eps: number,
): Float64Array {
  const y = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let i = 0; i < d; i++) ss += x[r * d + i]! ** 2;
    const inv = 1 / Math.sqrt(ss / d + eps);
    for (let i = 0; i < d; i++) y[r * d + i] = x[r * d + i]! * inv * w[i]!;
  }
  return y;
}

function rope(
  x: Float64Array,
  rows: number,
  heads: number,
  hd: number,
  theta: number,
  style: RopeStyle,
): void {
  for (let r = 0; r < rows; r++)
    for (let h = 0; h < heads; h++)
      for (let j = 0; j < hd / 2; j++) {
        const ang = r * theta ** (-(2 * j) / hd);
        const base = r * heads * hd + h * hd;
        const ia = style === 'half' ? base + j : base + 2 * j;
        const ib = style === 'half' ? base + j + hd / 2 : base + 2 * j + 1;
        const a = x[ia]!;
        const b = x[ib]!;
        x[ia] = a * Math.cos(ang) - b * Math.sin(ang);
        x[ib] = a * Math.sin(ang) + b * Math.cos(ang);
      }
}

/**
 * Reference forward pass in float64: logits of every position (rows × vocab).
 *
 * @param src - the in-memory model
 * @param tokens - the sequence (positions 0…)
 * @returns the logits
 * @example
 * ```ts
 * const logits = referenceForward(src, [1, 5, 7]);
 * ```
 */
export function referenceForward(
  src: ReturnType<typeof randomModelSource>,
  tokens: number[],
): Float64Array {
  const c = src.config;
  const g = (n: string) => src.data.get(n)!;
  const T = tokens.length;
  const d = c.hiddenSize;
  const hd = c.headDim;
  const qw = c.numHeads * hd;
  const kvw = c.numKvHeads * hd;
  const f = c.intermediateSize;
  let x = new Float64Array(T * d);
  const emb = g('model.embed_tokens.weight');
  for (let t = 0; t < T; t++) for (let i = 0; i < d; i++) x[t * d + i] = emb[tokens[t]! * d + i]!;
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    const xn = norm(x, T, d, g(`${p}.input_layernorm.weight`), c.rmsNormEps);
    const q = matT(xn, T, g(`${p}.self_attn.q_proj.weight`), qw, d);
    const k = matT(xn, T, g(`${p}.self_attn.k_proj.weight`), kvw, d);
    const v = matT(xn, T, g(`${p}.self_attn.v_proj.weight`), kvw, d);
    if (c.attentionBias) {
      for (const [a, n, w] of [
        [q, 'q', qw],
        [k, 'k', kvw],
        [v, 'v', kvw],
      ] as const) {
        const b = g(`${p}.self_attn.${n}_proj.bias`);
        for (let t = 0; t < T; t++)
          for (let i = 0; i < w; i++) a[t * w + i] = a[t * w + i]! + b[i]!;
      }
    }
    rope(q, T, c.numHeads, hd, c.ropeTheta, c.ropeStyle);
    rope(k, T, c.numKvHeads, hd, c.ropeTheta, c.ropeStyle);
    const att = new Float64Array(T * qw);
    for (let t = 0; t < T; t++)
      for (let h = 0; h < c.numHeads; h++) {
        const kh = Math.floor(h / (c.numHeads / c.numKvHeads));
        const s = [];
        for (let j = 0; j <= t; j++) {
          let dot = 0;
          for (let e = 0; e < hd; e++) dot += q[t * qw + h * hd + e]! * k[j * kvw + kh * hd + e]!;
          s.push(dot / Math.sqrt(hd));
        }
        const mx = Math.max(...s);
        const ex = s.map((z) => Math.exp(z - mx));
        const sum = ex.reduce((a, b) => a + b, 0);
        for (let e = 0; e < hd; e++) {
          let acc = 0;
          for (let j = 0; j <= t; j++) acc += (ex[j]! / sum) * v[j * kvw + kh * hd + e]!;
          att[t * qw + h * hd + e] = acc;
        }
      }
    const o = matT(att, T, g(`${p}.self_attn.o_proj.weight`), d, qw);
    x = x.map((z, i) => z + o[i]!);
    const xn2 = norm(x, T, d, g(`${p}.post_attention_layernorm.weight`), c.rmsNormEps);
    const gt = matT(xn2, T, g(`${p}.mlp.gate_proj.weight`), f, d);
    const up = matT(xn2, T, g(`${p}.mlp.up_proj.weight`), f, d);
    const hdn = gt.map((z, i) => (z / (1 + Math.exp(-z))) * up[i]!);
    const dn = matT(hdn, T, g(`${p}.mlp.down_proj.weight`), d, f);
    x = x.map((z, i) => z + dn[i]!);
  }
  const xf = norm(x, T, d, g('model.norm.weight'), c.rmsNormEps);
  return matT(
    xf,
    T,
    g(c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight'),
    c.vocabSize,
    d,
  );
}

/** Path of the shared assets folder, from this file. */
export const ASSETS = new URL('../../../../shared/assets/', import.meta.url).pathname;
