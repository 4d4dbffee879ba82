/**
 * Next-token sampling: greedy, temperature, top-k, top-p (nucleus), seeded. All buffers are
 * allocated once per sampler.
 */
import { CalderaError, describeValue, Rng } from '@caldera/core';
import { argmax } from '../kernels/log-softmax';

/**
 * How to pick the next token.
 *
 * @example
 * ```ts
 * const greedy: SamplingOptions = { temperature: 0 };
 * const creative: SamplingOptions = { temperature: 0.8, topK: 40, topP: 0.95, seed: 7 };
 * ```
 */
export interface SamplingOptions {
  /** Softmax temperature; 0 (default) means greedy argmax. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 or absent: no limit). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (default 1). */
  topP?: number;
  /** Seed of the sampling random stream (default 0). */
  seed?: number;
}

/**
 * A seeded sampler over logits of one vocabulary size.
 *
 * @example
 * ```ts
 * const sampler = new Sampler(4, { temperature: 1, seed: 1 });
 * sampler.sample(Float32Array.of(0, 10, 0, 0)); // almost surely 1
 * ```
 */
export class Sampler {
  private readonly rng: Rng;
  private readonly probs: Float64Array;
  private readonly order: Int32Array;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;

  /**
   * @param vocabSize - logits per row
   * @param options - temperature, topK, topP, seed
   * @throws CalderaError `INVALID_ARGUMENT` for a negative temperature, topK, or topP
   *   outside (0, 1]
   */
  constructor(
    readonly vocabSize: number,
    options: SamplingOptions = {},
  ) {
    this.temperature = options.temperature ?? 0;
    this.topK = options.topK ?? 0;
    this.topP = options.topP ?? 1;
    if (!(this.temperature >= 0) || !Number.isFinite(this.temperature)) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `temperature must be ≥ 0, got ${describeValue(this.temperature)}`,
      );
    }
    if (!Number.isInteger(this.topK) || this.topK < 0) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `topK must be a non-negative integer, got ${describeValue(this.topK)}`,
      );
    }
    if (!(this.topP > 0 && this.topP <= 1)) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `topP must be in (0, 1], got ${describeValue(this.topP)}`,
      );
    }
    this.rng = new Rng(options.seed ?? 0);
    this.probs = new Float64Array(vocabSize);
    this.order = new Int32Array(vocabSize);
  }

  /**
   * Picks a token.
   *
   * @param logits - one row of `vocabSize` logits
   * @returns the token id
   */
  sample(logits: Float32Array): number {
    const n = this.vocabSize;
    if (this.temperature === 0 || this.topK === 1) return argmax(logits, 0, n);
    const probs = this.probs;
    const order = this.order;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) if (logits[i]! > max) max = logits[i]!;
    const invT = 1 / this.temperature;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp((logits[i]! - max) * invT);
      probs[i] = e;
      sum += e;
    }
    for (let i = 0; i < n; i++) probs[i]! /= sum;
    if (this.topK === 0 && this.topP === 1) return this.draw(probs, n);
    // Candidates: with top-p alone, tokens below (1 − p)/(n − 1) can never be in the nucleus.
    const cutoff = this.topK === 0 ? (1 - this.topP) / (n - 1) : 0;
    let count = 0;
    for (let i = 0; i < n; i++) if (probs[i]! >= cutoff) order[count++] = i;
    const view = order.subarray(0, count);
    view.sort((a, b) => probs[b]! - probs[a]! || a - b);
    if (this.topK > 0 && count > this.topK) count = this.topK;
    let mass = 0;
    let keep = 0;
    for (; keep < count; ) {
      mass += probs[order[keep]!]!;
      keep++;
      if (mass >= this.topP) break;
    }
    let u = this.rng.nextFloat() * mass;
    for (let i = 0; i < keep; i++) {
      u -= probs[order[i]!]!;
      if (u < 0) return order[i]!;
    }
    return order[keep - 1]!;
  }

  private draw(probs: Float64Array, n: number): number {
    let u = this.rng.nextFloat();
    for (let i = 0; i < n; i++) {
      u -= probs[i]!;
      if (u < 0) return i;
    }
    return argmax(probs, 0, n);
  }
}
