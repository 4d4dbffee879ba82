/**
 * The pool that decomposes layers for `compressModel`: an interface any environment can
 * implement (worker_threads through piscina in Node — see `node-layer-pool.ts` —, Web Workers
 * in browsers), and the in-process implementation every environment has. A pool only runs
 * {@link LayerTask}s; reading weights, writing results and ordering stay with the caller, so
 * every implementation gives the same bytes.
 */
import { throwIfAborted } from '@caldera/core';
import {
  errorFromData,
  errorToData,
  isLayerTaskError,
  type LayerResult,
  type LayerTask,
  type LayerTaskError,
  runLayerTask,
} from './layer-task';

/**
 * Runs layer tasks, up to `threads` at a time.
 *
 * A browser implementation posts each task to one of `threads` Web Workers (transferring
 * `task.w`'s buffer), whose handler answers `runLayerTaskSafe(task)`, and turns an error reply
 * back into a `CalderaError` with `errorFromData`.
 *
 * @example
 * ```ts
 * const pool: LayerPool = createInProcessLayerPool();
 * const { entry } = await pool.run(task);
 * await pool.close();
 * ```
 */
export interface LayerPool {
  /** How many tasks run at once (the caller keeps that many in flight). */
  readonly threads: number;
  /**
   * Decomposes one weight. The pool may take ownership of `task.w` (transfer its buffer);
   * `task.h` is shared between tasks and must not be transferred.
   *
   * @throws CalderaError from the solver, `ABORTED`
   */
  run(task: LayerTask, signal?: AbortSignal): Promise<LayerResult>;
  /** Stops the pool's threads. */
  close(): Promise<void>;
}

/**
 * Worker-side handler: {@link runLayerTask} that answers errors as plain data instead of
 * throwing (a `CalderaError`'s code survives the thread boundary).
 *
 * @param task - the task
 * @returns the result, or the error as data
 * @example
 * ```ts
 * self.onmessage = (e) => self.postMessage(runLayerTaskSafe(e.data));
 * ```
 */
export function runLayerTaskSafe(task: LayerTask): LayerResult | LayerTaskError {
  try {
    return runLayerTask(task);
  } catch (e) {
    return errorToData(e);
  }
}

/**
 * Unwraps a reply of {@link runLayerTaskSafe}.
 *
 * @param reply - the reply
 * @param name - the weight, for messages
 * @returns the result
 * @throws CalderaError the worker's error, with its code
 * @example
 * ```ts
 * const result = unwrapLayerReply(await post(task), task.name);
 * ```
 */
export function unwrapLayerReply(reply: LayerResult | LayerTaskError, name: string): LayerResult {
  if (isLayerTaskError(reply)) throw errorFromData(reply, name);
  return reply;
}

/**
 * A pool of one: tasks run on the calling thread, one at a time.
 *
 * @returns the pool (`threads` = 1)
 * @example
 * ```ts
 * const pool = createInProcessLayerPool();
 * const r = await pool.run({ name, m: 64, n: 64, settings: { method: 'rtn' }, w, h });
 * ```
 */
export function createInProcessLayerPool(): LayerPool {
  return {
    threads: 1,
    async run(task, signal) {
      await Promise.resolve();
      throwIfAborted(signal, 'compressModel');
      return runLayerTask(task);
    },
    async close() {},
  };
}
