/**
 * The per-layer loop of `compressModel`: keeps `pool.threads` layers in flight, reading each
 * weight only when a slot is free (so at most `threads` weights are in memory), saving each
 * result in the partial store as it finishes and skipping layers already stored there.
 * Results are keyed by weight name, so the order in which threads finish never changes the
 * checkpoint's bytes.
 */
import { existsSync } from 'node:fs';
import {
  CalderaError,
  isCalderaError,
  type LongRunningOptions,
  throwIfAborted,
} from '@caldera/core';
import type { InputSite } from '@caldera/runtime';
import type { LinearEntry } from './checkpoint-format';
import type { LayerJob } from './layer-jobs';
import type { LayerPool } from './layer-pool';
import { partialPath, readPartialEntry, writePartial } from './partial-store';

/**
 * What happened to one compressed weight.
 *
 * @example
 * ```ts
 * const r: LayerReport = { name: 'model.layers.0.mlp.up_proj.weight', method: 'caldera', rank: 16,
 *   bitsPerParameter: 2.9, dataAwareError: 0.2, seconds: 0.4, resumed: false };
 * ```
 */
export interface LayerReport {
  name: string;
  method: string;
  rank: number;
  bitsPerParameter: number;
  dataAwareError: number;
  seconds: number;
  resumed: boolean;
}

/**
 * Inputs of {@link runLayers}.
 *
 * @example
 * ```ts
 * const ctx: RunLayersContext = { jobs, pool, outDir: 'out', readTensor: (n) => source.readTensor(n),
 *   hessian, sample: () => meter.sample() };
 * ```
 */
export interface RunLayersContext extends LongRunningOptions {
  jobs: readonly LayerJob[];
  pool: LayerPool;
  /** The output folder (its partial store holds finished layers). */
  outDir: string;
  readTensor: (name: string) => Promise<Float32Array>;
  hessian: (layer: number, site: InputSite) => Float64Array;
  /** Called after each layer (e.g. a memory meter's `sample`). */
  sample?: () => void;
}

/**
 * What {@link runLayers} returns.
 *
 * @example
 * ```ts
 * const { entries, reports, maxWeightsHeld } = await runLayers(ctx);
 * ```
 */
export interface RunLayersResult {
  /** Checkpoint entries by weight name. */
  entries: Map<string, LinearEntry>;
  /** One report per job, in job order. */
  reports: LayerReport[];
  /** The most weights read from the source and not yet decomposed at any moment. */
  maxWeightsHeld: number;
}

/**
 * Decomposes every job (or takes it from the partial store), `pool.threads` at a time.
 *
 * @param ctx - jobs, pool, reader, Hessians, a sampler called per layer, progress (task `compress`, one
 *   `progress` event per finished layer with metrics `error`, `bpp`, `seconds`, `resumed`) and
 *   abort signal
 * @returns entries, reports and the weights high-water mark
 * @throws CalderaError the first failure of any layer (the others are stopped); `ABORTED`
 * @example
 * ```ts
 * const r = await runLayers({ jobs, pool: createInProcessLayerPool(), outDir, readTensor, hessian });
 * ```
 */
export async function runLayers(ctx: RunLayersContext): Promise<RunLayersResult> {
  const { jobs, pool, outDir, onProgress, sample } = ctx;
  const stop = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, stop.signal]) : stop.signal;
  const entries = new Map<string, LinearEntry>();
  const reports: (LayerReport | undefined)[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  let held = 0;
  let maxWeightsHeld = 0;

  const one = async (job: LayerJob, index: number): Promise<void> => {
    const path = partialPath(outDir, job.name);
    const started = performance.now();
    const resumed = existsSync(path);
    let entry: LinearEntry;
    if (resumed) {
      entry = await readPartialEntry(path);
    } else {
      const h = ctx.hessian(job.layer, job.site);
      held++;
      maxWeightsHeld = Math.max(maxWeightsHeld, held);
      try {
        const w = await ctx.readTensor(job.name);
        const result = await pool.run(
          { name: job.name, m: job.m, n: job.n, settings: job.settings, w, h },
          signal,
        );
        entry = result.entry;
        throwIfAborted(signal, 'compressModel');
        await writePartial(path, entry, result.tensors);
      } finally {
        held--;
      }
    }
    entries.set(job.name, entry);
    const seconds = (performance.now() - started) / 1000;
    reports[index] = {
      name: job.name,
      method: entry.method,
      rank: entry.rank,
      bitsPerParameter: entry.bits_per_parameter,
      dataAwareError: entry.data_aware_error,
      seconds,
      resumed,
    };
    done++;
    onProgress?.({
      type: 'progress',
      task: 'compress',
      current: done,
      total: jobs.length,
      unit: 'layers',
      message: job.name,
      metrics: {
        error: entry.data_aware_error,
        bpp: entry.bits_per_parameter,
        seconds,
        resumed: resumed ? 1 : 0,
      },
    });
    sample?.();
  };

  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      throwIfAborted(signal, 'compressModel');
      const index = next++;
      await one(jobs[index]!, index);
    }
  };

  onProgress?.({ type: 'start', task: 'compress', total: jobs.length, unit: 'layers' });
  const lanes = Array.from({ length: Math.max(1, Math.min(pool.threads, jobs.length)) }, () =>
    lane().catch((e: unknown) => {
      stop.abort(e);
      throw e;
    }),
  );
  const settled = await Promise.allSettled(lanes);
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (failures.length > 0) {
    // The first real failure, not the ABORTED errors it caused in the other lanes.
    const first =
      failures.find((e) => !isCalderaError(e, 'ABORTED') || ctx.signal?.aborted) ?? failures[0];
    throw first instanceof Error ? first : new CalderaError('INTERNAL', String(first));
  }
  onProgress?.({ type: 'done', task: 'compress' });
  return { entries, reports: reports as LayerReport[], maxWeightsHeld };
}
