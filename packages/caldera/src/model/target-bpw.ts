/**
 * Orchestration of `targetBpw`: per layer, cheap CALDERA/LoRD estimates at a few candidate
 * ranks (one outer iteration, one LPLR round) give an error-versus-bits curve; the curves go
 * to {@link allocateRanks}; the chosen rank then replaces the layer's rank in its settings.
 */
import {
  CalderaError,
  describeValue,
  type LongRunningOptions,
  throwIfAborted,
} from '@caldera/core';
import { allocateRanks, type LayerCandidates, type RankAllocation } from './allocate-ranks';
import { decomposeLayer, type LayerSettings } from './plan';

/**
 * The default candidate ranks of `targetBpw`.
 *
 * @example
 * ```ts
 * DEFAULT_CANDIDATE_RANKS; // [0, 8, 16, 32, 64]
 * ```
 */
export const DEFAULT_CANDIDATE_RANKS: readonly number[] = [0, 8, 16, 32, 64];

/**
 * One weight to allocate a rank to.
 *
 * @example
 * ```ts
 * const j: RankJob = { name: 'w', m: 64, n: 64, settings: { method: 'caldera' } };
 * ```
 */
export interface RankJob {
  name: string;
  m: number;
  n: number;
  settings: LayerSettings;
}

/**
 * tr(W H Wᵀ) for W m×n (row-major) and H n×n.
 *
 * @param w - W
 * @param m - rows
 * @param n - columns
 * @param h - H
 * @returns the weighted squared norm
 * @example
 * ```ts
 * weightedNorm2(new Float32Array([1, 2]), 1, 2, new Float64Array([1, 0, 0, 1])); // 5
 * ```
 */
export function weightedNorm2(
  w: ArrayLike<number>,
  m: number,
  n: number,
  h: ArrayLike<number>,
): number {
  let total = 0;
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let a = 0; a < n; a++) {
      const wa = w[o + a]!;
      if (wa === 0) continue;
      let s = 0;
      for (let b = 0; b < n; b++) s += h[a * n + b]! * w[o + b]!;
      total += wa * s;
    }
  }
  return total;
}

/**
 * Validates candidate ranks (non-negative integers, at least one).
 *
 * @param ranks - the ranks
 * @returns sorted unique ranks
 * @throws CalderaError `INVALID_OPTIONS` for an empty list or a bad rank
 * @example
 * ```ts
 * checkCandidateRanks([16, 0, 8]); // [0, 8, 16]
 * ```
 */
export function checkCandidateRanks(ranks: readonly number[]): number[] {
  if (ranks.length === 0 || !ranks.every((r) => Number.isInteger(r) && r >= 0)) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `candidate ranks must be non-negative integers, got ${describeValue(ranks)}`,
    );
  }
  return [...new Set(ranks)].sort((a, b) => a - b);
}

/**
 * Estimates every layer's error-versus-bits curve and allocates ranks under a budget.
 * Layers whose method has no rank (`rtn`, `ldlq`) get one option (their own cost).
 *
 * @param jobs - the weights to compress
 * @param targetBpw - bits per parameter over all the jobs' parameters
 * @param candidateRanks - ranks to try (capped by min(m, n))
 * @param readTensor - reads W
 * @param hessianOf - H of a job
 * @param options - progress (task `allocate`) and abort signal
 * @returns the allocation (ranks in job order)
 * @throws CalderaError `INVALID_OPTIONS` for bad candidates or an impossible budget; `ABORTED`;
 *   solver errors
 * @example
 * ```ts
 * const a = await allocateJobRanks(jobs, 3, [0, 8, 16], (n) => source.readTensor(n), (j) => h);
 * ```
 */
export async function allocateJobRanks<J extends RankJob>(
  jobs: readonly J[],
  targetBpw: number,
  candidateRanks: readonly number[],
  readTensor: (name: string) => Promise<Float32Array>,
  hessianOf: (job: J) => Float64Array,
  options: LongRunningOptions = {},
): Promise<RankAllocation> {
  const { onProgress, signal } = options;
  const ranks = checkCandidateRanks(candidateRanks);
  const layers: LayerCandidates[] = [];
  onProgress?.({ type: 'start', task: 'allocate', total: jobs.length, unit: 'layers' });
  for (let i = 0; i < jobs.length; i++) {
    throwIfAborted(signal, 'allocateJobRanks');
    const job = jobs[i]!;
    const w = await readTensor(job.name);
    const h = hessianOf(job);
    const norm2 = weightedNorm2(w, job.m, job.n, h);
    const ranked = job.settings.method === 'caldera' || job.settings.method === 'lord';
    const cap = Math.min(job.m, job.n);
    const tried = ranked
      ? [...new Set(ranks.map((r) => Math.min(r, cap)))]
      : [job.settings.rank ?? 0];
    const opts = tried.map((rank) => {
      const d = decomposeLayer(
        { ...job.settings, rank, iterations: 1, lplrRounds: 1 },
        w,
        job.m,
        job.n,
        h,
      );
      return {
        rank,
        bits: d.bitsPerParameter * job.m * job.n,
        error: d.dataAwareError * d.dataAwareError * norm2,
      };
    });
    layers.push({ layer: job.name, params: job.m * job.n, options: opts });
    onProgress?.({
      type: 'progress',
      task: 'allocate',
      current: i + 1,
      total: jobs.length,
      unit: 'layers',
      message: job.name,
    });
  }
  const allocation = allocateRanks(layers, targetBpw);
  onProgress?.({ type: 'done', task: 'allocate' });
  return allocation;
}
