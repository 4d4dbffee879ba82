/**
 * The helper thread of the two-thread LDLQ (ldlq-rows.ts; built as `dist/ldlq-worker.{js,cjs}`):
 * runs the one-thread front end on the rows it is given and answers on the task's port, errors
 * as data.
 */
import { parentPort } from 'node:worker_threads';
import { isCalderaError } from '@caldera/core';
import { ldlqE8, ldlqUniform } from './ldlq';
import { ABORT, CANCELLED, DONE, type LdlqRowTask, POSTED, RUNNING, STATE } from './ldlq-rows';

interface Port {
  postMessage(m: unknown): void;
  close(): void;
}

/**
 * Runs one task (exported for the tests; the thread calls it for every message).
 *
 * @param task - the rows, H and options posted by `runRowSplit`
 * @example
 * ```ts
 * // parentPort.on('message', runLdlqRowTask)
 * ```
 */
export function runLdlqRowTask(task: LdlqRowTask): void {
  const { ctrl, spec, w, rows, cols, h, options } = task;
  const port = task.port as Port;
  if (Atomics.compareExchange(ctrl, STATE, POSTED, RUNNING) === CANCELLED) {
    port.close();
    return;
  }
  // the caller's abort, seen through the shared flag
  const signal = {
    get aborted() {
      return Atomics.load(ctrl, ABORT) === 1;
    },
    reason: 'the other half of the LDLQ rows failed or was aborted',
  } as unknown as AbortSignal;
  const opts = { ...options, signal, threads: 1, ...(task.ldl ? { ldl: task.ldl } : {}) };
  try {
    const r =
      spec.kind === 'e8'
        ? ldlqE8(spec.name, w, rows, cols, h, { ...opts, scale: spec.scale })
        : ldlqUniform(w, rows, cols, h, spec.uniform, opts);
    port.postMessage({ result: r });
  } catch (e) {
    port.postMessage({
      error: {
        code: isCalderaError(e) ? e.code : undefined,
        message: e instanceof Error ? e.message : String(e),
      },
    });
  }
  port.close();
  Atomics.store(ctrl, STATE, DONE);
  Atomics.notify(ctrl, STATE);
}

parentPort?.on('message', runLdlqRowTask);
