/**
 * The calibration statistics of one model: per block, the second moments of every distinct
 * linear input (qkv, o, up, down) and, optionally, of every projection's output (for LoRD's
 * output PCA).
 */
import { CalderaError, describeValue } from '@caldera/core';
import type { LlamaConfig } from '@caldera/io';
import { type LinearName, linearShape } from '../model/llama-weights';
import type { InputSite } from '../model/observer';
import { MomentAccumulator } from './moment-accumulator';

/**
 * The dimension of an input site.
 *
 * @param config - the model config
 * @param site - the input site
 * @returns its row length
 * @example
 * ```ts
 * inputSiteDim(config, 'down'); // config.intermediateSize
 * ```
 */
export function inputSiteDim(config: LlamaConfig, site: InputSite): number {
  if (site === 'down') return config.intermediateSize;
  if (site === 'o') return config.numHeads * config.headDim;
  return config.hiddenSize;
}

/**
 * The key of an input site's moments, e.g. `layers.3.input.qkv`.
 *
 * @param layer - block index
 * @param site - input site
 * @returns the key
 * @example
 * ```ts
 * inputKey(0, 'up'); // 'layers.0.input.up'
 * ```
 */
export function inputKey(layer: number, site: InputSite): string {
  return `layers.${layer}.input.${site}`;
}

/**
 * The key of a projection's output moments, e.g. `layers.3.output.q_proj`.
 *
 * @param layer - block index
 * @param name - the projection
 * @returns the key
 * @example
 * ```ts
 * outputKey(0, 'down_proj'); // 'layers.0.output.down_proj'
 * ```
 */
export function outputKey(layer: number, name: LinearName): string {
  return `layers.${layer}.output.${name}`;
}

/**
 * Moment accumulators by key, with how much data they have seen.
 *
 * @example
 * ```ts
 * const stats = await collectCalibration(model, windows);
 * const h = stats.inputMoment(0, 'qkv'); // hidden × hidden
 * ```
 */
export class CalibrationStats {
  /** Accumulators by key ({@link inputKey} / {@link outputKey}). */
  readonly entries = new Map<string, MomentAccumulator>();
  /** Windows processed so far (a resumed run skips that many). */
  windows = 0;
  /** Tokens processed so far. */
  tokens = 0;

  /**
   * @param config - the model the statistics belong to
   */
  constructor(readonly config: LlamaConfig) {}

  /**
   * Adds an empty accumulator for an input site.
   *
   * @param layer - block index
   * @param site - input site
   * @returns the accumulator
   */
  addInput(layer: number, site: InputSite): MomentAccumulator {
    const acc = new MomentAccumulator(inputSiteDim(this.config, site));
    this.entries.set(inputKey(layer, site), acc);
    return acc;
  }

  /**
   * Adds an empty accumulator for a projection's output.
   *
   * @param layer - block index
   * @param name - the projection
   * @returns the accumulator
   */
  addOutput(layer: number, name: LinearName): MomentAccumulator {
    const acc = new MomentAccumulator(linearShape(this.config, name)[0]);
    this.entries.set(outputKey(layer, name), acc);
    return acc;
  }

  /**
   * `H = E[xxᵀ]` of an input site (uncentred, not regularised).
   *
   * @param layer - block index
   * @param site - input site
   * @returns H (n × n, float64)
   * @throws CalderaError `INVALID_ARGUMENT` when that site was not collected or saw no rows
   */
  inputMoment(layer: number, site: InputSite): Float64Array {
    return this.get(inputKey(layer, site)).secondMoment();
  }

  /**
   * `E[yyᵀ]` of a projection's output.
   *
   * @param layer - block index
   * @param name - the projection
   * @returns the m × m second moment
   * @throws CalderaError `INVALID_ARGUMENT` when it was not collected
   */
  outputMoment(layer: number, name: LinearName): Float64Array {
    return this.get(outputKey(layer, name)).secondMoment();
  }

  /**
   * The accumulator of a key.
   *
   * @param key - an input or output key
   * @returns the accumulator
   * @throws CalderaError `INVALID_ARGUMENT` for an unknown key
   */
  get(key: string): MomentAccumulator {
    const acc = this.entries.get(key);
    if (!acc) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `no calibration statistics for ${describeValue(key)}`,
        {
          details: { key, available: [...this.entries.keys()] },
        },
      );
    }
    return acc;
  }
}
