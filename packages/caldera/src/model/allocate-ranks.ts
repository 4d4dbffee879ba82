/**
 * Rank allocation under a global bit budget: pick one option (rank) per layer so that the
 * summed absolute data-aware error is lowest while the total stored bits stay within
 * `budget · Σ params`.
 *
 * Objective: the sum over layers of the absolute weighted squared error tr(ΔHΔᵀ) (not the
 * relative error): absolute errors of different layers are additive contributions to the
 * output distortion, so they are comparable across layers, whereas relative errors of a
 * small-norm and a large-norm layer are not.
 *
 * The fast path is the classic Lagrangian / convex-hull greedy: per layer, keep the lower
 * convex hull of (bits, error); start from each layer's cheapest option; take hull steps in
 * order of decreasing error reduction per bit while they fit. It is exact whenever the
 * budget lands on a hull breakpoint (the Lagrangian solutions); between breakpoints it keeps
 * filling with smaller steps that still fit. Between breakpoints the greedy can be far from the
 * optimum when options differ by large bit steps (e.g. a 3-bit instead of a 2-bit Q), so a
 * multiple-choice knapsack dynamic program on a grid of {@link KNAPSACK_GRID} bit units (each
 * option's extra bits rounded up, so its result always fits) runs as well, and the lower-error
 * allocation of the two is returned. {@link allocateRanksExhaustive} is the plain reference for
 * tiny instances.
 */
import { CalderaError, describeValue } from '@caldera/core';

/**
 * One choice for a layer.
 *
 * @example
 * ```ts
 * const o: RankOption = { rank: 8, bits: 12_000, error: 0.4 };
 * ```
 */
export interface RankOption {
  rank: number;
  /** Bits of Q at this option, when the allocator also chooses Q's precision. */
  qBits?: number;
  /** Bits of L and R at this option, when the allocator also chooses their precision. */
  lrBits?: number;
  /** Total stored bits of the layer at this rank. */
  bits: number;
  /** Absolute weighted squared error tr(ΔHΔᵀ) at this rank. */
  error: number;
}

/**
 * The candidates of one layer.
 *
 * @example
 * ```ts
 * const c: LayerCandidates = { layer: 'q', params: 4096, options: [{ rank: 0, bits: 8192, error: 1 }] };
 * ```
 */
export interface LayerCandidates {
  layer: string;
  /** m·n. */
  params: number;
  options: readonly RankOption[];
}

/**
 * The chosen option index per layer and the totals.
 *
 * @example
 * ```ts
 * const a: RankAllocation = { choice: [0], ranks: [16], chosen: [{ rank: 16, bits: 1e5, error: 3.2 }],
 *   bits: 1e5, error: 3.2, bitsPerParameter: 2.5 };
 * ```
 */
export interface RankAllocation {
  /** Index into each layer's `options`. */
  choice: number[];
  /** The chosen ranks. */
  ranks: number[];
  /** The chosen options (rank, and Q / L·R bits where they were candidates). */
  chosen: RankOption[];
  /** Total bits. */
  bits: number;
  /** Total error. */
  error: number;
  /** bits / Σ params. */
  bitsPerParameter: number;
}

function validate(layers: readonly LayerCandidates[], budget: number): number {
  if (!(Number.isFinite(budget) && budget > 0)) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `target bits per parameter must be a positive number, got ${describeValue(budget)}`,
    );
  }
  let params = 0;
  for (const l of layers) {
    if (l.options.length === 0) {
      throw new CalderaError('INVALID_OPTIONS', `layer ${l.layer} has no rank options`);
    }
    params += l.params;
  }
  return params;
}

function cheapest(opts: readonly RankOption[]): number {
  let best = 0;
  for (let i = 1; i < opts.length; i++) {
    const o = opts[i]!;
    const b = opts[best]!;
    if (o.bits < b.bits || (o.bits === b.bits && o.error < b.error)) best = i;
  }
  return best;
}

function summarize(
  layers: readonly LayerCandidates[],
  choice: number[],
  params: number,
): RankAllocation {
  let bits = 0;
  let error = 0;
  const chosen = choice.map((c, i) => layers[i]!.options[c]!);
  for (const o of chosen) {
    bits += o.bits;
    error += o.error;
  }
  const ranks = chosen.map((o) => o.rank);
  return { choice, ranks, chosen, bits, error, bitsPerParameter: params > 0 ? bits / params : 0 };
}

function checkFeasible(
  layers: readonly LayerCandidates[],
  budget: number,
  params: number,
): number[] {
  const choice = layers.map((l) => cheapest(l.options));
  const min = summarize(layers, choice, params);
  if (min.bits > budget * params) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `target ${budget} bits/param is below the minimum achievable ${min.bitsPerParameter.toFixed(4)} bits/param`,
      { details: { target: budget, minimum: min.bitsPerParameter } },
    );
  }
  return choice;
}

/**
 * Indices of the lower convex hull of a layer's (bits, error) points, from the cheapest
 * option on, with strictly decreasing error and decreasing slope magnitude.
 *
 * @param opts - the options
 * @returns option indices along the hull
 * @example
 * ```ts
 * lowerHull([{ rank: 0, bits: 1, error: 4 }, { rank: 8, bits: 2, error: 3.9 }, { rank: 16, bits: 3, error: 1 }]); // [0, 2]
 * ```
 */
export function lowerHull(opts: readonly RankOption[]): number[] {
  const order = opts
    .map((_, i) => i)
    .sort((a, b) => opts[a]!.bits - opts[b]!.bits || opts[a]!.error - opts[b]!.error);
  const hull: number[] = [];
  for (const i of order) {
    const p = opts[i]!;
    if (hull.length > 0) {
      const last = opts[hull[hull.length - 1]!]!;
      if (p.error >= last.error) continue; // dominated: costs at least as much, no better
    }
    while (hull.length >= 2) {
      const a = opts[hull[hull.length - 2]!]!;
      const b = opts[hull[hull.length - 1]!]!;
      // b lies on or above segment a→p: drop it
      const cross =
        (b.bits - a.bits) * (p.error - a.error) - (b.error - a.error) * (p.bits - a.bits);
      if (cross <= 0) hull.pop();
      else break;
    }
    hull.push(i);
  }
  return hull;
}

/**
 * Greedy convex-hull allocation (Lagrangian), refined by a knapsack program on a bit grid:
 * exact whenever the budget equals the bits of a Lagrangian solution; otherwise a feasible
 * allocation that never exceeds the budget and is within the grid's rounding of the optimum.
 *
 * @param layers - per-layer candidates
 * @param budget - bits per parameter over all the layers' parameters
 * @returns the allocation
 * @throws CalderaError `INVALID_OPTIONS` for an empty option list, a non-positive budget, or
 *   a budget below the cheapest option everywhere (the message names the minimum bpw)
 * @example
 * ```ts
 * const a = allocateRanks([{ layer: 'a', params: 4, options: [{ rank: 0, bits: 8, error: 2 },
 *   { rank: 1, bits: 16, error: 1 }] }], 4); // a.ranks = [1]
 * ```
 */
export function allocateRanks(layers: readonly LayerCandidates[], budget: number): RankAllocation {
  const params = validate(layers, budget);
  checkFeasible(layers, budget, params);
  const hulls = layers.map((l) => lowerHull(l.options));
  const pos = hulls.map(() => 0);
  const choice = hulls.map((h) => h[0]!);
  let bits = 0;
  for (let i = 0; i < layers.length; i++) bits += layers[i]!.options[choice[i]!]!.bits;
  const limit = budget * params;
  const stuck = hulls.map(() => false);
  for (;;) {
    let best = -1;
    let bestSlope = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < layers.length; i++) {
      if (stuck[i] || pos[i]! + 1 >= hulls[i]!.length) continue;
      const a = layers[i]!.options[hulls[i]![pos[i]!]!]!;
      const b = layers[i]!.options[hulls[i]![pos[i]! + 1]!]!;
      const slope = (a.error - b.error) / (b.bits - a.bits);
      if (slope > bestSlope) {
        bestSlope = slope;
        best = i;
      }
    }
    if (best < 0) break;
    const a = layers[best]!.options[hulls[best]![pos[best]!]!]!;
    const next = hulls[best]![pos[best]! + 1]!;
    const b = layers[best]!.options[next]!;
    if (bits + (b.bits - a.bits) <= limit) {
      bits += b.bits - a.bits;
      pos[best]!++;
      choice[best] = next;
    } else {
      stuck[best] = true;
    }
  }
  const greedy = summarize(layers, choice, params);
  const dp = knapsack(layers, limit);
  if (dp === null) return greedy;
  const exact = summarize(layers, dp, params);
  return exact.error < greedy.error * (1 - 1e-12) && exact.bits <= limit ? exact : greedy;
}

/**
 * Bit units of the knapsack grid of {@link allocateRanks}: each option's bits above its layer's
 * cheapest are rounded up to units of (budget − Σ cheapest) / KNAPSACK_GRID, so the program
 * loses at most (layers / KNAPSACK_GRID) of the spare bits to rounding.
 *
 * @example
 * ```ts
 * KNAPSACK_GRID; // 20000
 * ```
 */
export const KNAPSACK_GRID = 20_000;

/** Multiple-choice knapsack on the bit grid: the chosen option per layer, or null. */
function knapsack(layers: readonly LayerCandidates[], limit: number): number[] | null {
  const mins = layers.map((l) => l.options[cheapest(l.options)]!.bits);
  const spare = limit - mins.reduce((a, b) => a + b, 0);
  if (!(spare > 0)) return null;
  const unit = spare / KNAPSACK_GRID;
  const g = KNAPSACK_GRID;
  let prev: Float64Array = new Float64Array(g + 1); // min error of the layers so far within ≤ u units
  const picks: Int32Array[] = [];
  for (let i = 0; i < layers.length; i++) {
    const opts = layers[i]!.options;
    const cand = lowerFront(opts)
      .map((j) => ({ j, c: Math.ceil((opts[j]!.bits - mins[i]!) / unit), e: opts[j]!.error }))
      .filter((o) => o.c <= g);
    const next = new Float64Array(g + 1).fill(Number.POSITIVE_INFINITY);
    const pick = new Int32Array(g + 1).fill(-1);
    for (const { j, c, e } of cand) {
      for (let u = c; u <= g; u++) {
        const v = prev[u - c]! + e;
        if (v < next[u]!) {
          next[u] = v;
          pick[u] = j;
        }
      }
    }
    picks.push(pick);
    prev = next;
  }
  if (!Number.isFinite(prev[g]!)) return null;
  const choice = new Array<number>(layers.length);
  let u = g;
  for (let i = layers.length - 1; i >= 0; i--) {
    const j = picks[i]![u]!;
    choice[i] = j;
    u -= Math.ceil((layers[i]!.options[j]!.bits - mins[i]!) / unit);
  }
  return choice;
}

/** Options not dominated by a cheaper-or-equal one with lower-or-equal error. */
function lowerFront(opts: readonly RankOption[]): number[] {
  const order = opts
    .map((_, i) => i)
    .sort((a, b) => opts[a]!.bits - opts[b]!.bits || opts[a]!.error - opts[b]!.error);
  const out: number[] = [];
  for (const i of order) {
    if (out.length === 0 || opts[i]!.error < opts[out[out.length - 1]!]!.error) out.push(i);
  }
  return out;
}

/**
 * Plain exhaustive reference over every combination (tiny instances only).
 *
 * @param layers - per-layer candidates
 * @param budget - bits per parameter
 * @param restrict - optional per-layer allowed option indices (e.g. the hull)
 * @returns the exact optimum (ties: first found)
 * @throws CalderaError `INVALID_OPTIONS` as {@link allocateRanks}
 * @example
 * ```ts
 * allocateRanksExhaustive(layers, 2.5).error;
 * ```
 */
export function allocateRanksExhaustive(
  layers: readonly LayerCandidates[],
  budget: number,
  restrict?: readonly (readonly number[])[],
): RankAllocation {
  const params = validate(layers, budget);
  checkFeasible(layers, budget, params);
  const allowed = layers.map((l, i) => restrict?.[i] ?? l.options.map((_, j) => j));
  const limit = budget * params;
  let best: number[] | null = null;
  let bestErr = Number.POSITIVE_INFINITY;
  const cur: number[] = [];
  const rec = (i: number, bits: number, err: number): void => {
    if (bits > limit) return;
    if (i === layers.length) {
      if (err < bestErr) {
        bestErr = err;
        best = [...cur];
      }
      return;
    }
    for (const j of allowed[i]!) {
      const o = layers[i]!.options[j]!;
      cur.push(j);
      rec(i + 1, bits + o.bits, err + o.error);
      cur.pop();
    }
  };
  rec(0, 0, 0);
  if (best === null) {
    throw new CalderaError('INVALID_OPTIONS', `no allocation fits ${budget} bits/param`);
  }
  return summarize(layers, best, params);
}
