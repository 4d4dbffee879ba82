/**
 * One inference context of a model: its KV cache, rotary table and every activation buffer,
 * all allocated once. Prefill runs in chunks of up to `maxBatch` rows (batched through
 * GEMM); decode runs one token at a time without allocating.
 */
import { CalderaError, describeValue } from '@caldera/core';
import type { LlamaConfig } from '@caldera/io';
import { type AttentionShape, causalAttention } from '../kernels/attention';
import { addBias, addInPlace, swiglu } from '../kernels/elementwise';
import { rmsNorm } from '../kernels/rms-norm';
import { applyRope, buildRopeTable, type RopeTable } from '../kernels/rope';
import { KvCache } from './kv-cache';
import type { LlamaWeights } from './llama-weights';
import type { ForwardObserver } from './observer';

/**
 * Options of {@link InferenceSession}.
 *
 * @example
 * ```ts
 * const o: SessionOptions = { maxContext: 256, maxBatch: 64 };
 * ```
 */
export interface SessionOptions {
  /** Positions the KV cache holds (default: the model's `maxSeqLen`, at most 2048). */
  maxContext?: number;
  /** Rows per prefill chunk (default 64). */
  maxBatch?: number;
}

/**
 * Options of {@link InferenceSession.forward}.
 *
 * @example
 * ```ts
 * const o: ForwardOptions = { onLogits: (logits, rows, pos0) => console.log(rows, pos0) };
 * ```
 */
export interface ForwardOptions {
  /**
   * Receives the logits of every position, chunk by chunk (`rows × vocab`, row r at position
   * `pos0 + r`); the buffer is reused after the call returns. When absent only the last
   * position's logits are computed.
   */
  onLogits?: (logits: Float32Array, rows: number, pos0: number) => void;
  /** Activation hooks (calibration). */
  observer?: ForwardObserver;
}

const NO_OPTIONS: ForwardOptions = Object.freeze({});

/**
 * A KV-cached forward pass over one token sequence.
 *
 * @example
 * ```ts
 * const session = model.createSession({ maxContext: 128 });
 * let logits = session.forward([1, 403, 407]); // prefill
 * logits = session.step(argmax(logits, 0, logits.length)); // one decode step
 * ```
 */
export class InferenceSession {
  readonly maxContext: number;
  readonly maxBatch: number;
  private pos = 0;
  private readonly cache: KvCache;
  private readonly rope: RopeTable;
  private readonly x: Float32Array;
  private readonly xn: Float32Array;
  private readonly q: Float32Array;
  private readonly k: Float32Array;
  private readonly v: Float32Array;
  private readonly att: Float32Array;
  private readonly proj: Float32Array;
  private readonly gate: Float32Array;
  private readonly up: Float32Array;
  private readonly scores: Float64Array;
  private readonly chunkLogits: Float32Array;
  private readonly last: Float32Array;
  private readonly one = new Int32Array(1);
  private readonly shape: AttentionShape;

  /**
   * @param config - the model config
   * @param weights - the model weights (shared, not copied)
   * @param options - context and batch sizes
   * @throws CalderaError `INVALID_ARGUMENT` for a non-positive size
   */
  constructor(
    readonly config: LlamaConfig,
    private readonly weights: LlamaWeights,
    options: SessionOptions = {},
  ) {
    this.maxContext = options.maxContext ?? Math.min(config.maxSeqLen, 2048);
    this.maxBatch = Math.min(options.maxBatch ?? 64, this.maxContext);
    for (const [k, v] of [
      ['maxContext', this.maxContext],
      ['maxBatch', this.maxBatch],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new CalderaError(
          'INVALID_ARGUMENT',
          `InferenceSession: ${k} must be a positive integer, got ${describeValue(v)}`,
        );
      }
    }
    const c = config;
    const b = this.maxBatch;
    const qw = c.numHeads * c.headDim;
    const kvw = c.numKvHeads * c.headDim;
    this.cache = new KvCache(c.numLayers, this.maxContext, kvw);
    this.rope = buildRopeTable(c.headDim, this.maxContext, c.ropeTheta);
    this.x = new Float32Array(b * c.hiddenSize);
    this.xn = new Float32Array(b * c.hiddenSize);
    this.proj = new Float32Array(b * c.hiddenSize);
    this.q = new Float32Array(b * qw);
    this.att = new Float32Array(b * qw);
    this.k = new Float32Array(b * kvw);
    this.v = new Float32Array(b * kvw);
    this.gate = new Float32Array(b * c.intermediateSize);
    this.up = new Float32Array(b * c.intermediateSize);
    this.scores = new Float64Array(this.maxContext);
    this.shape = { heads: c.numHeads, kvHeads: c.numKvHeads, headDim: c.headDim };
    this.chunkLogits = new Float32Array(b * c.vocabSize);
    this.last = new Float32Array(c.vocabSize);
  }

  /** Tokens currently in the cache (the position of the next token). */
  get position(): number {
    return this.pos;
  }

  /**
   * Forgets the sequence (the cache is overwritten from position `to`).
   *
   * @param to - new position, 0 (default) … current position
   * @throws CalderaError `INVALID_ARGUMENT` when `to` is outside [0, position]
   */
  reset(to = 0): void {
    if (!Number.isInteger(to) || to < 0 || to > this.pos) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `InferenceSession.reset: position ${describeValue(to)} not in [0, ${this.pos}]`,
      );
    }
    this.pos = to;
  }

  /**
   * Appends one token and returns the next-token logits (see {@link InferenceSession.forward}).
   *
   * @param token - the token id
   * @returns the logits buffer (vocab values, reused by the next call)
   * @throws CalderaError `INVALID_TOKEN`, `CONTEXT_OVERFLOW`
   */
  step(token: number): Float32Array {
    this.one[0] = token;
    return this.forward(this.one);
  }

  /**
   * Appends tokens to the sequence, running them through the model in chunks.
   *
   * @param tokens - token ids
   * @param options - per-position logits callback, activation observer
   * @returns the logits after the last token (vocab values; a buffer reused by the next call)
   * @throws CalderaError `INVALID_TOKEN` for an id outside the vocabulary; `CONTEXT_OVERFLOW`
   *   when the cache would exceed `maxContext`; `INVALID_ARGUMENT` for no tokens
   */
  forward(tokens: ArrayLike<number>, options: ForwardOptions = NO_OPTIONS): Float32Array {
    const n = tokens.length;
    const vocab = this.config.vocabSize;
    if (n === 0) throw new CalderaError('INVALID_ARGUMENT', 'InferenceSession.forward: no tokens');
    if (this.pos + n > this.maxContext) {
      throw new CalderaError(
        'CONTEXT_OVERFLOW',
        `${n} more tokens at position ${this.pos} exceed the session's context of ${this.maxContext}`,
        { details: { position: this.pos, tokens: n, maxContext: this.maxContext } },
      );
    }
    for (let i = 0; i < n; i++) {
      const t = tokens[i]!;
      if (!Number.isInteger(t) || t < 0 || t >= vocab) {
        throw new CalderaError(
          'INVALID_TOKEN',
          `token ${describeValue(t)} at index ${i} is not in [0, ${vocab})`,
          {
            details: { index: i, token: t },
          },
        );
      }
    }
    for (let s = 0; s < n; s += this.maxBatch) {
      const rows = Math.min(this.maxBatch, n - s);
      this.chunk(tokens, s, rows, options, s + rows === n);
    }
    return this.last;
  }

  private chunk(
    tokens: ArrayLike<number>,
    start: number,
    rows: number,
    options: ForwardOptions,
    final: boolean,
  ): void {
    const c = this.config;
    const w = this.weights;
    const d = c.hiddenSize;
    const f = c.intermediateSize;
    const qw = c.numHeads * c.headDim;
    const kvw = c.numKvHeads * c.headDim;
    const pos0 = this.pos;
    const x = this.x;
    const xn = this.xn;
    const q = this.q;
    const k = this.k;
    const v = this.v;
    const att = this.att;
    const proj = this.proj;
    const gate = this.gate;
    const up = this.up;
    const obs = options.observer;
    for (let r = 0; r < rows; r++) {
      copy(w.embed, tokens[start + r]! * d, x, r * d, d);
    }
    for (let l = 0; l < c.numLayers; l++) {
      const lw = w.layers[l]!;
      const lin = lw.linears;
      rmsNorm(x, lw.inputNorm, rows, d, c.rmsNormEps, xn);
      obs?.linearInput?.(l, 'qkv', xn, rows, d);
      lin.q_proj.forward(xn, rows, q);
      lin.k_proj.forward(xn, rows, k);
      lin.v_proj.forward(xn, rows, v);
      if (obs?.linearOutput) {
        obs.linearOutput(l, 'q_proj', q, rows, qw);
        obs.linearOutput(l, 'k_proj', k, rows, kvw);
        obs.linearOutput(l, 'v_proj', v, rows, kvw);
      }
      if (lw.qBias) addBias(q, lw.qBias, rows, qw);
      if (lw.kBias) addBias(k, lw.kBias, rows, kvw);
      if (lw.vBias) addBias(v, lw.vBias, rows, kvw);
      applyRope(q, rows, c.numHeads, c.headDim, pos0, this.rope, c.ropeStyle);
      applyRope(k, rows, c.numKvHeads, c.headDim, pos0, this.rope, c.ropeStyle);
      const kc = this.cache.keys[l]!;
      const vc = this.cache.values[l]!;
      copy(k, 0, kc, pos0 * kvw, rows * kvw);
      copy(v, 0, vc, pos0 * kvw, rows * kvw);
      causalAttention(q, rows, kc, vc, pos0, this.shape, this.scores, att);
      obs?.linearInput?.(l, 'o', att, rows, qw);
      lin.o_proj.forward(att, rows, proj);
      obs?.linearOutput?.(l, 'o_proj', proj, rows, d);
      addInPlace(x, proj, rows * d);
      rmsNorm(x, lw.postNorm, rows, d, c.rmsNormEps, xn);
      obs?.linearInput?.(l, 'up', xn, rows, d);
      lin.gate_proj.forward(xn, rows, gate);
      lin.up_proj.forward(xn, rows, up);
      if (obs?.linearOutput) {
        obs.linearOutput(l, 'gate_proj', gate, rows, f);
        obs.linearOutput(l, 'up_proj', up, rows, f);
      }
      swiglu(gate, up, rows * f, gate);
      obs?.linearInput?.(l, 'down', gate, rows, f);
      lin.down_proj.forward(gate, rows, proj);
      obs?.linearOutput?.(l, 'down_proj', proj, rows, d);
      addInPlace(x, proj, rows * d);
    }
    this.pos = pos0 + rows;
    const vocab = c.vocabSize;
    if (options.onLogits) {
      rmsNorm(x, w.finalNorm, rows, d, c.rmsNormEps, xn);
      w.lmHead.forward(xn, rows, this.chunkLogits);
      options.onLogits(this.chunkLogits, rows, pos0);
      if (final) copy(this.chunkLogits, (rows - 1) * vocab, this.last, 0, vocab);
    } else if (final) {
      copy(x, (rows - 1) * d, proj, 0, d);
      rmsNorm(proj, w.finalNorm, 1, d, c.rmsNormEps, xn);
      w.lmHead.forward(xn, 1, this.last);
    }
  }
}

function copy(src: Float32Array, so: number, dst: Float32Array, dOff: number, n: number): void {
  for (let i = 0; i < n; i++) dst[dOff + i] = src[so + i]!;
}
