/**
 * The Node implementation of {@link LayerPool}: piscina over worker_threads running
 * `layer-worker`. From the built package the worker is `dist/layer-worker.{js,cjs}`; from the
 * TypeScript sources (tests, `pnpm caldera`) it is `src/model/layer-worker.ts`, loaded through
 * tsx with the `@caldera/source` condition (in Node 20 worker threads tsx serves it through its
 * CommonJS hook; the tests check that the bytes equal those of the calling thread). Built, the
 * threads inherit the process's `execArgv`.
 */
import { availableParallelism } from 'node:os';
import { CalderaError, describeValue, type WorkerEntry, workerEntry } from '@caldera/core';
import { Piscina } from 'piscina';
import { createInProcessLayerPool, type LayerPool, unwrapLayerReply } from './layer-pool';
import type { LayerResult, LayerTask, LayerTaskError } from './layer-task';

/** The most worker threads {@link defaultLayerThreads} picks. */
export const MAX_DEFAULT_LAYER_THREADS = 8;

/**
 * Parameters of compressed layers per default worker thread: starting a worker costs about as
 * much as decomposing this many parameters, so small models stay on one thread.
 */
export const PARAMETERS_PER_LAYER_THREAD = 1_000_000;

/**
 * The default number of layer threads: the available cores, at most
 * {@link MAX_DEFAULT_LAYER_THREADS} (each thread holds one weight and one Hessian) and, when
 * the amount of work is given, at most one per {@link PARAMETERS_PER_LAYER_THREAD}.
 *
 * @param linearParameters - parameters of the layers to compress, if known
 * @returns a count ≥ 1
 * @example
 * ```ts
 * defaultLayerThreads(); // 2 on a 2-core machine
 * defaultLayerThreads(200_000); // 1: not worth a worker
 * ```
 */
export function defaultLayerThreads(linearParameters?: number): number {
  let n = Math.min(MAX_DEFAULT_LAYER_THREADS, availableParallelism());
  if (linearParameters !== undefined) {
    n = Math.min(n, Math.floor(linearParameters / PARAMETERS_PER_LAYER_THREAD));
  }
  return Math.max(1, n);
}

/**
 * Where the worker entry is and how to start it, for a module URL (see `workerEntry` of
 * @caldera/core).
 *
 * @param here - the URL of this module (sources: `…/src/model/node-layer-pool.ts`; built:
 *   `…/dist/index.{js,cjs}`)
 * @returns the worker file and the `execArgv` of its threads (built: none given, so the
 *   threads inherit the process's)
 * @throws CalderaError `BACKEND_UNAVAILABLE` when running from sources without tsx
 * @example
 * ```ts
 * layerWorkerEntry('file:///p/dist/index.js'); // { filename: '/p/dist/layer-worker.js' }
 * ```
 */
export function layerWorkerEntry(here: string): WorkerEntry {
  return workerEntry(here, 'layer-worker', './layer-worker.ts');
}

/**
 * A pool of `threads` worker threads (piscina); 1 gives the in-process pool.
 *
 * @param threads - worker threads (integer ≥ 1)
 * @returns the pool; `close()` it when done
 * @throws CalderaError `INVALID_ARGUMENT` for a bad count; `BACKEND_UNAVAILABLE` (see
 *   {@link layerWorkerEntry})
 * @example
 * ```ts
 * const pool = createNodeLayerPool(2);
 * try { await Promise.all(tasks.map((t) => pool.run(t))); } finally { await pool.close(); }
 * ```
 */
export function createNodeLayerPool(threads: number): LayerPool {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `threads must be an integer ≥ 1, got ${describeValue(threads)}`,
    );
  }
  if (threads === 1) return createInProcessLayerPool();
  const { filename, execArgv } = layerWorkerEntry(import.meta.url);
  const piscina = new Piscina({
    filename,
    ...(execArgv !== undefined ? { execArgv } : {}),
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
  });
  return {
    threads,
    async run(task: LayerTask, signal?: AbortSignal): Promise<LayerResult> {
      const w = task.w;
      const own = w.byteOffset === 0 && w.byteLength === w.buffer.byteLength;
      let reply: LayerResult | LayerTaskError;
      try {
        reply = await piscina.run(task, {
          ...(own && w.buffer instanceof ArrayBuffer ? { transferList: [w.buffer] } : {}),
          ...(signal !== undefined ? { signal } : {}),
        });
      } catch (cause) {
        if (signal?.aborted) {
          throw new CalderaError('ABORTED', 'compressModel was aborted', { cause });
        }
        throw new CalderaError(
          'INTERNAL',
          `layer worker failed on ${task.name}: ${cause instanceof Error ? cause.message : String(cause)}`,
          { cause },
        );
      }
      return unwrapLayerReply(reply, task.name);
    },
    async close() {
      await piscina.destroy();
    },
  };
}
