/**
 * Compression plans: an ordered list of rules (first match wins) mapping weight names to
 * per-layer settings, and the translation of those settings into a {@link decompose} call.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { type DecomposeOptions, decompose } from '../decompose';
import type { QuantizerSpec } from '../quantizer';
import type { Decomposition, MethodName } from '../result';

/**
 * The whole-model methods: `caldera` (Q + L·R), `ldlq` (Q alone by LDLQ with RHT), `rtn`
 * (round to nearest, no rotation) and `lord` (data-aware low-rank only, the whitened SVD).
 *
 * @example
 * ```ts
 * const m: PlanMethod = 'caldera';
 * ```
 */
export type PlanMethod = 'caldera' | 'ldlq' | 'rtn' | 'lord';

/**
 * Settings of one layer.
 *
 * @example
 * ```ts
 * const s: LayerSettings = { method: 'caldera', rank: 16, qQuantizer: 'e8p', qBits: 2, lrBits: 4 };
 * ```
 */
export interface LayerSettings {
  method: PlanMethod;
  /** Rank of L·R (`caldera`, `lord`; default 16). */
  rank?: number;
  /** Family of Q (default `'e8p'`; `rtn` defaults to `'uniform'`). */
  qQuantizer?: 'e8p' | 'uniform';
  /** Bits of Q (default 2). */
  qBits?: 2 | 3 | 4 | 8;
  /** Group size of a uniform Q (default 64, clipped to the row length). */
  qGroupSize?: number;
  /** Bits of L and R: 2, 3, 4 (E8 family) or 16 (float16; default 4). */
  lrBits?: 2 | 3 | 4 | 16;
  /** CALDERA outer iterations (solver default when absent). */
  iterations?: number;
  /** CALDERA LPLR rounds (solver default when absent). */
  lplrRounds?: number;
  /** RHT/SVD seed (default 42). */
  seed?: number;
}

/**
 * One rule of a plan: a pattern tested against the weight name (a string is a regular
 * expression source), then either `keep: true` (stored as is) or settings overriding the
 * plan's defaults.
 *
 * @example
 * ```ts
 * const r: PlanRule = { pattern: /down_proj/, rank: 32 };
 * const k: PlanRule = { pattern: 'layers\\.0\\.', keep: true };
 * ```
 */
export interface PlanRule extends Partial<LayerSettings> {
  pattern: RegExp | string;
  keep?: boolean;
}

/**
 * An ordered list of rules (first match wins) and the settings of unmatched linear layers.
 * Embeddings, norms and `lm_head` are always kept.
 *
 * @example
 * ```ts
 * const plan: CompressionPlan = { defaults: { method: 'caldera', rank: 16 }, rules: [] };
 * ```
 */
export interface CompressionPlan {
  defaults: LayerSettings;
  rules?: readonly PlanRule[];
  /**
   * Global budget in bits per parameter over the compressed layers: ranks are then chosen per
   * layer from cheap error-versus-rank estimates (overriding the rules' ranks of `caldera` and
   * `lord` layers) so the total fits at the lowest summed absolute data-aware error.
   */
  targetBpw?: number;
  /** Ranks tried per layer under `targetBpw` (default 0, 8, 16, 32, 64; capped by min(m, n)). */
  candidateRanks?: readonly number[];
  /**
   * Bits of Q tried per layer under `targetBpw` (2, 3, 4; default: each layer's own `qBits`):
   * the allocator then chooses Q's precision and the rank together (rank 0 with 3-bit Q is the
   * mixed-precision LDLQ, so those allocations are among the candidates).
   */
  candidateQBits?: readonly number[];
  /** Bits of L and R tried per layer under `targetBpw` (2, 3, 4, 16; default: own `lrBits`). */
  candidateLrBits?: readonly number[];
}

function regexOf(p: RegExp | string): RegExp {
  if (p instanceof RegExp) return p;
  try {
    return new RegExp(p);
  } catch (cause) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `plan pattern ${describeValue(p)} is not a valid regular expression`,
      { cause },
    );
  }
}

/**
 * The settings of one weight under a plan (first matching rule over the defaults).
 *
 * @param plan - the plan
 * @param weightName - e.g. `model.layers.0.mlp.down_proj.weight`
 * @returns the settings, or `'keep'`
 * @throws CalderaError `INVALID_OPTIONS` for a bad pattern
 * @example
 * ```ts
 * resolveLayer({ defaults: { method: 'rtn' }, rules: [{ pattern: /q_proj/, keep: true }] },
 *   'model.layers.0.self_attn.q_proj.weight'); // 'keep'
 * ```
 */
export function resolveLayer(plan: CompressionPlan, weightName: string): LayerSettings | 'keep' {
  for (const rule of plan.rules ?? []) {
    if (!regexOf(rule.pattern).test(weightName)) continue;
    if (rule.keep) return 'keep';
    const { pattern: _p, keep: _k, ...over } = rule;
    return { ...plan.defaults, ...over };
  }
  return { ...plan.defaults };
}

/**
 * A canonical JSON form of a plan (regular expressions as `/source/flags`), for fingerprints
 * and reports.
 *
 * @param plan - the plan
 * @returns a JSON string
 * @example
 * ```ts
 * planToJson({ defaults: { method: 'rtn' } }); // '{"defaults":{"method":"rtn"},"rules":[]}'
 * ```
 */
export function planToJson(plan: CompressionPlan): string {
  const rules = (plan.rules ?? []).map((r) => ({
    ...r,
    pattern: r.pattern instanceof RegExp ? `/${r.pattern.source}/${r.pattern.flags}` : r.pattern,
  }));
  return JSON.stringify({
    defaults: plan.defaults,
    rules,
    ...(plan.targetBpw !== undefined ? { targetBpw: plan.targetBpw } : {}),
    ...(plan.candidateRanks !== undefined ? { candidateRanks: plan.candidateRanks } : {}),
    ...(plan.candidateQBits !== undefined ? { candidateQBits: plan.candidateQBits } : {}),
    ...(plan.candidateLrBits !== undefined ? { candidateLrBits: plan.candidateLrBits } : {}),
  });
}

function lrSpec(bits: number): QuantizerSpec {
  if (bits === 16) return { family: 'float' };
  if (bits === 2 || bits === 3 || bits === 4) return { family: 'e8p', bits };
  throw new CalderaError(
    'INVALID_OPTIONS',
    `lrBits must be 2, 3, 4 or 16, got ${describeValue(bits)}`,
  );
}

function qSpec(s: LayerSettings, n: number): QuantizerSpec {
  const family = s.qQuantizer ?? (s.method === 'rtn' ? 'uniform' : 'e8p');
  const bits = s.qBits ?? 2;
  if (family === 'e8p') {
    if (bits !== 2 && bits !== 3 && bits !== 4) {
      throw new CalderaError(
        'INVALID_OPTIONS',
        `E8P Q needs 2, 3 or 4 bits, got ${describeValue(bits)}`,
      );
    }
    return { family: 'e8p', bits };
  }
  if (family !== 'uniform') {
    throw new CalderaError('INVALID_OPTIONS', `unknown Q quantizer ${describeValue(family)}`);
  }
  return { family: 'uniform', bits, groupSize: Math.min(n, s.qGroupSize ?? 64) };
}

/**
 * Decomposes one weight with a layer's settings.
 *
 * @param s - the settings
 * @param w - W (m×n)
 * @param m - rows
 * @param n - columns
 * @param h - the input Hessian (n×n)
 * @returns the decomposition
 * @throws CalderaError `INVALID_OPTIONS` for an unknown method or bad bits; solver errors
 * @example
 * ```ts
 * const d = decomposeLayer({ method: 'rtn', qBits: 2 }, w, 64, 64, h);
 * ```
 */
export function decomposeLayer(
  s: LayerSettings,
  w: Float32Array,
  m: number,
  n: number,
  h: Float64Array,
): Decomposition {
  const seed = s.seed ?? 42;
  const rank = Math.min(s.rank ?? 16, m, n);
  let method: MethodName;
  let options: DecomposeOptions;
  switch (s.method) {
    case 'caldera':
      method = 'caldera';
      options = {
        rank,
        qQuantizer: qSpec(s, n),
        lrQuantizer: lrSpec(s.lrBits ?? 4),
        seed,
        ...(s.iterations !== undefined ? { iterations: s.iterations } : {}),
        ...(s.lplrRounds !== undefined ? { lplrRounds: s.lplrRounds } : {}),
      };
      break;
    case 'ldlq':
      method = 'ldlq';
      options = { qQuantizer: qSpec(s, n), seed };
      break;
    case 'rtn':
      method = 'rtn';
      options = { quantizer: qSpec(s, n), seed };
      break;
    case 'lord':
      method = 'whitened-svd';
      options = { rule: { rank } };
      break;
    default:
      throw new CalderaError('INVALID_OPTIONS', `unknown method ${describeValue(s.method)}`);
  }
  return decompose(method, w, m, n, h, options);
}
