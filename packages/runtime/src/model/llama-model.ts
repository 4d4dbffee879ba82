/**
 * A Llama-family decoder ready to run: config + weights, with sessions for inference and
 * accessors to swap projections for compressed {@link Linear} kinds.
 */
import { CalderaError, describeValue, type LongRunningOptions } from '@caldera/core';
import type { LlamaConfig, ModelSource } from '@caldera/io';
import type { Linear } from '../linear/linear';
import { InferenceSession, type SessionOptions } from './inference-session';
import {
  LINEAR_NAMES,
  type LinearName,
  type LlamaWeights,
  linearShape,
  loadLlamaWeights,
} from './llama-weights';

/**
 * A loaded model.
 *
 * @example
 * ```ts
 * const model = await LlamaModel.load(await loadHfModel('models/pycode-6m'));
 * const session = model.createSession({ maxContext: 256 });
 * const logits = session.forward([1, 593, 2168]);
 * ```
 */
export class LlamaModel {
  /**
   * @param config - the model config
   * @param weights - its weights (see {@link loadLlamaWeights})
   */
  constructor(
    readonly config: LlamaConfig,
    readonly weights: LlamaWeights,
  ) {}

  /**
   * Reads a model's weights from a source (dense float32 projections).
   *
   * @param source - the model
   * @param options - progress and abort signal
   * @returns the model
   * @throws CalderaError `MISSING_WEIGHT`, `ABORTED`
   * @example
   * ```ts
   * const model = await LlamaModel.load(await loadLlama2c('stories260K.bin'));
   * ```
   */
  static async load(source: ModelSource, options: LongRunningOptions = {}): Promise<LlamaModel> {
    return new LlamaModel(source.config, await loadLlamaWeights(source, options));
  }

  /**
   * Starts an inference context (KV cache and buffers allocated once).
   *
   * @param options - context and prefill chunk sizes
   * @returns the session
   * @example
   * ```ts
   * const s = model.createSession({ maxContext: 512 });
   * ```
   */
  createSession(options: SessionOptions = {}): InferenceSession {
    return new InferenceSession(this.config, this.weights, options);
  }

  /**
   * One projection of one block.
   *
   * @param layer - block index
   * @param name - the projection
   * @returns its layer
   * @throws CalderaError `INVALID_ARGUMENT` for a bad layer index
   * @example
   * ```ts
   * model.linear(0, 'q_proj').kind; // 'dense'
   * ```
   */
  linear(layer: number, name: LinearName): Linear {
    return this.block(layer).linears[name];
  }

  /**
   * Replaces one projection (e.g. with a compressed kind); shapes must match.
   *
   * @param layer - block index
   * @param name - the projection
   * @param linear - the new layer
   * @throws CalderaError `SHAPE_MISMATCH` when its shape differs; `INVALID_ARGUMENT` for a bad
   *   layer index
   * @example
   * ```ts
   * model.setLinear(0, 'q_proj', new UniformLinear(uniformQuantize(w, m, n, { bits: 4 })));
   * ```
   */
  setLinear(layer: number, name: LinearName, linear: Linear): void {
    const [m, n] = linearShape(this.config, name);
    if (linear.outFeatures !== m || linear.inFeatures !== n) {
      throw new CalderaError(
        'SHAPE_MISMATCH',
        `layer ${layer} ${name} is ${m}×${n}, the replacement is ${linear.outFeatures}×${linear.inFeatures}`,
      );
    }
    this.block(layer).linears[name] = linear;
  }

  /**
   * Bytes of weights held: embeddings, norms, head and every projection's resident storage
   * (the head is not counted twice when tied).
   *
   * @returns `{ total, linears }` in bytes (`linears`: the seven projections of every block)
   * @example
   * ```ts
   * model.weightBytes().linears; // 4 bytes per parameter for a dense model
   * ```
   */
  weightBytes(): { total: number; linears: number } {
    const w = this.weights;
    let linears = 0;
    let other = w.embed.byteLength + w.finalNorm.byteLength;
    for (const l of w.layers) {
      other += l.inputNorm.byteLength + l.postNorm.byteLength;
      other += (l.qBias?.byteLength ?? 0) + (l.kBias?.byteLength ?? 0) + (l.vBias?.byteLength ?? 0);
      for (const name of LINEAR_NAMES) linears += l.linears[name].residentBytes();
    }
    if (!this.config.tieWordEmbeddings) other += w.lmHead.residentBytes();
    return { total: linears + other, linears };
  }

  private block(layer: number) {
    const b = this.weights.layers[layer];
    if (!Number.isInteger(layer) || b === undefined) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `layer index ${describeValue(layer)} not in [0, ${this.weights.layers.length})`,
      );
    }
    return b;
  }
}
