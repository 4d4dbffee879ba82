/**
 * Hooks into the forward pass for calibration: the inputs of every distinct linear input
 * site and the outputs of every projection.
 */
import type { LinearName } from './llama-weights';

/**
 * The distinct inputs of a block's projections: q/k/v share `qkv`, gate/up share `up`,
 * `o` and `down` have their own.
 *
 * @example
 * ```ts
 * const site: InputSite = 'qkv';
 * ```
 */
export type InputSite = 'qkv' | 'o' | 'up' | 'down';

/**
 * Every {@link InputSite}, in block order.
 *
 * @example
 * ```ts
 * INPUT_SITES.indexOf('down'); // 3
 * ```
 */
export const INPUT_SITES: readonly InputSite[] = ['qkv', 'o', 'up', 'down'];

/**
 * Which input site feeds a projection.
 *
 * @param name - the projection
 * @returns its input site
 * @example
 * ```ts
 * inputSiteOf('gate_proj'); // 'up'
 * ```
 */
export function inputSiteOf(name: LinearName): InputSite {
  switch (name) {
    case 'q_proj':
    case 'k_proj':
    case 'v_proj':
      return 'qkv';
    case 'o_proj':
      return 'o';
    case 'gate_proj':
    case 'up_proj':
      return 'up';
    case 'down_proj':
      return 'down';
  }
}

/**
 * Receives activations during a forward pass. Buffers are reused: read them inside the call.
 * Rows are row-major with `dim` values each; only the first `rows` rows are valid.
 *
 * @example
 * ```ts
 * const observer: ForwardObserver = {
 *   linearInput: (layer, site, x, rows, dim) => console.log(layer, site, rows, dim),
 * };
 * ```
 */
export interface ForwardObserver {
  /** The input of a site (after the norm for `qkv`/`up`, attention output for `o`, SwiGLU for `down`). */
  linearInput?(layer: number, site: InputSite, x: Float32Array, rows: number, dim: number): void;
  /** The output `W x` of a projection (before bias and RoPE). */
  linearOutput?(layer: number, name: LinearName, y: Float32Array, rows: number, dim: number): void;
}
