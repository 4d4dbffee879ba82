/**
 * Orchestration of `targetBpw`: per layer, cheap CALDERA/LoRD estimates at a few candidate
 * ranks (one outer iteration, one LPLR round) — and, when asked, at a few precisions of Q and
 * of L·R — give an error-versus-bits curve; the curves go to {@link allocateRanks}; the chosen
 * option (rank, Q bits, L·R bits) then replaces those of the layer's settings. With Q-bit
 * candidates the option set contains the Q-only (rank 0) mixed-precision LDLQ allocations, so
 * at a given budget the summed calibrated error is at most theirs (up to the greedy's gap
 * between hull breakpoints).
 */
import {
  CalderaError,
  describeValue,
  type LongRunningOptions,
  throwIfAborted,
} from '@caldera/core';
import {
  allocateRanks,
  type LayerCandidates,
  type RankAllocation,
  type RankOption,
} from './allocate-ranks';
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
 * Options of {@link allocateJobRanks}: besides progress and abort, the precisions the
 * allocator may choose per layer (absent: the layer's own `qBits` / `lrBits`).
 *
 * @example
 * ```ts
 * const o: AllocateJobOptions = { candidateQBits: [2, 3], candidateLrBits: [4] };
 * ```
 */
export interface AllocateJobOptions extends LongRunningOptions {
  /** Bits of Q tried per layer (2, 3, 4; E8P or uniform by the layer's `qQuantizer`). */
  candidateQBits?: readonly number[];
  /** Bits of L and R tried per layer with rank > 0 (2, 3, 4 or 16). */
  candidateLrBits?: readonly number[];
}

/**
 * Validates candidate bit widths against the allowed ones.
 *
 * @param what - `'Q'` or `'L·R'`, for the message
 * @param bits - the candidates
 * @param allowed - the allowed widths
 * @returns sorted unique widths
 * @throws CalderaError `INVALID_OPTIONS` for an empty list or a width not allowed
 * @example
 * ```ts
 * checkCandidateBits('Q', [3, 2, 2], [2, 3, 4]); // [2, 3]
 * ```
 */
export function checkCandidateBits(
  what: string,
  bits: readonly number[],
  allowed: readonly number[],
): number[] {
  if (bits.length === 0 || !bits.every((b) => allowed.includes(b))) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `candidate ${what} bits must be among ${allowed.join(', ')}, got ${describeValue(bits)}`,
    );
  }
  return [...new Set(bits)].sort((a, b) => a - b);
}

type Candidate = Pick<RankOption, 'rank' | 'qBits' | 'lrBits'>;

/** The (rank, Q bits, L·R bits) combinations tried for one job; rank 0 ignores L·R bits. */
function candidateOptions(
  job: RankJob,
  ranks: readonly number[],
  qChoices: readonly number[] | undefined,
  lrChoices: readonly number[] | undefined,
): Candidate[] {
  const method = job.settings.method;
  const ranked = method === 'caldera' || method === 'lord';
  const cap = Math.min(job.m, job.n);
  const tried = ranked
    ? [...new Set(ranks.map((r) => Math.min(r, cap)))]
    : [job.settings.rank ?? 0];
  const qs: readonly (number | undefined)[] =
    method === 'lord' ? [undefined] : (qChoices ?? [undefined]);
  const lrs: readonly (number | undefined)[] =
    method === 'caldera' ? (lrChoices ?? [undefined]) : [undefined];
  const out: Candidate[] = [];
  for (const rank of tried) {
    for (const qBits of qs) {
      for (const lrBits of rank > 0 ? lrs : [undefined]) {
        out.push({
          rank,
          ...(qBits !== undefined ? { qBits } : {}),
          ...(lrBits !== undefined ? { lrBits } : {}),
        });
      }
    }
  }
  return out;
}

/** The settings an option changes: rank (caldera, lord), Q bits, L·R bits where chosen. */
function overrideOf(s: LayerSettings, o: Candidate): Partial<LayerSettings> {
  const ranked = s.method === 'caldera' || s.method === 'lord';
  return {
    ...(ranked ? { rank: o.rank } : {}),
    ...(o.qBits !== undefined ? { qBits: o.qBits as 2 | 3 | 4 } : {}),
    ...(o.lrBits !== undefined ? { lrBits: o.lrBits as 2 | 3 | 4 | 16 } : {}),
  };
}

/**
 * The per-job setting overrides of an allocation (what replaces each layer's rank and, where
 * they were candidates, Q and L·R bits), in job order; JSON-serializable for resume.
 *
 * @param jobs - the jobs given to {@link allocateJobRanks}
 * @param allocation - its result
 * @returns one override per job
 * @example
 * ```ts
 * allocationOverrides(jobs, a).forEach((o, i) => { jobs[i].settings = { ...jobs[i].settings, ...o }; });
 * ```
 */
export function allocationOverrides(
  jobs: readonly RankJob[],
  allocation: RankAllocation,
): Partial<LayerSettings>[] {
  return jobs.map((job, i) => overrideOf(job.settings, allocation.chosen[i]!));
}

/**
 * Estimates every layer's error-versus-bits curve and allocates ranks under a budget.
 * Layers whose method has no rank (`rtn`, `ldlq`) get one option (their own cost), or one per
 * candidate Q precision. Apply the result with {@link allocationOverrides}.
 *
 * @param jobs - the weights to compress
 * @param targetBpw - bits per parameter over all the jobs' parameters
 * @param candidateRanks - ranks to try (capped by min(m, n))
 * @param readTensor - reads W
 * @param hessianOf - H of a job
 * @param options - Q / L·R bit candidates, progress (task `allocate`) and abort signal
 * @returns the allocation (ranks and chosen options in job order)
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
  options: AllocateJobOptions = {},
): Promise<RankAllocation> {
  const { onProgress, signal } = options;
  const ranks = checkCandidateRanks(candidateRanks);
  const qChoices =
    options.candidateQBits === undefined
      ? undefined
      : checkCandidateBits('Q', options.candidateQBits, [2, 3, 4]);
  const lrChoices =
    options.candidateLrBits === undefined
      ? undefined
      : checkCandidateBits('L·R', options.candidateLrBits, [2, 3, 4, 16]);
  const layers: LayerCandidates[] = [];
  onProgress?.({ type: 'start', task: 'allocate', total: jobs.length, unit: 'layers' });
  for (let i = 0; i < jobs.length; i++) {
    throwIfAborted(signal, 'allocateJobRanks');
    const job = jobs[i]!;
    const w = await readTensor(job.name);
    const h = hessianOf(job);
    const norm2 = weightedNorm2(w, job.m, job.n, h);
    const opts = candidateOptions(job, ranks, qChoices, lrChoices).map((o) => {
      throwIfAborted(signal, 'allocateJobRanks');
      const d = decomposeLayer(
        { ...job.settings, ...overrideOf(job.settings, o), iterations: 1, lplrRounds: 1 },
        w,
        job.m,
        job.n,
        h,
      );
      return {
        ...o,
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
