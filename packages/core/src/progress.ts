/**
 * The one progress event type of caldera-ts. Every long-running operation accepts an
 * `onProgress` callback of this type; the CLI draws bars from it, the playground its own.
 *
 * - `start`: a task begins; `total` is the number of steps when known.
 * - `progress`: `current` of `total` steps are done (bytes, layers, tokens, iterations…).
 * - `done`: the task finished.
 * - `log`: a message worth showing (a per-layer summary, a warning).
 *
 * `task` identifies the task (e.g. `'download:model.safetensors'`, `'layer:3.q_proj'`);
 * `unit` names what the steps count.
 *
 * @example
 * ```ts
 * const ev: ProgressEvent = { type: 'progress', task: 'download', current: 10, total: 100, unit: 'bytes' };
 * ```
 */
export type ProgressEvent =
  | { type: 'start'; task: string; total?: number; unit?: string; message?: string }
  | {
      type: 'progress';
      task: string;
      current: number;
      total?: number;
      unit?: string;
      message?: string;
      metrics?: Record<string, number>;
    }
  | { type: 'done'; task: string; message?: string; metrics?: Record<string, number> }
  | { type: 'log'; task: string; level: 'info' | 'warn'; message: string };

/**
 * A progress callback.
 *
 * @example
 * ```ts
 * const onProgress: ProgressCallback = (e) => { if (e.type === 'log') console.log(e.message); };
 * ```
 */
export type ProgressCallback = (event: ProgressEvent) => void;

/**
 * Options accepted by every long-running operation.
 *
 * @example
 * ```ts
 * const ac = new AbortController();
 * const options: LongRunningOptions = { signal: ac.signal, onProgress: (e) => console.log(e.type) };
 * ```
 */
export interface LongRunningOptions {
  /** Receives progress events. */
  onProgress?: ProgressCallback;
  /** Cancels the operation; it then throws `CalderaError` `ABORTED`. */
  signal?: AbortSignal;
}
