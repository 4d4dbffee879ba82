/**
 * The page side of the lab worker: one worker, promise-returning calls, progress callbacks and
 * cancellation through an AbortSignal (a shared flag the solver checks at every progress event
 * where SharedArrayBuffer exists, plus a `cancel` message seen between awaits).
 */
import type { ProgressEvent } from '@caldera/core';
import type { MatrixLabRequest, MatrixLabResult } from './matrix-lab';
import type { ModelLabRequest, ModelLabResult } from './model-lab';
import type { FromWorker, LayerEntry, ModelUrls, ToWorker } from './protocol';

/**
 * Options of a lab call.
 *
 * @example
 * ```ts
 * const ac = new AbortController();
 * await lab.matrix(request, { signal: ac.signal, onProgress: (e) => console.log(e) });
 * ```
 */
export interface LabCallOptions {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  onToken?: (which: 'original' | 'compressed', text: string) => void;
}

/**
 * What the worker reported when it started.
 *
 * @example
 * ```ts
 * const info: LabInfo = await lab.ready;
 * ```
 */
export interface LabInfo {
  threads: number;
  isolated: boolean;
  backend: string;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  options: LabCallOptions;
}

/**
 * A lab worker.
 *
 * @example
 * ```ts
 * const lab = new LabClient(new Worker(url, { type: 'module' }), urls, 1);
 * const result = await lab.matrix(request);
 * ```
 */
export class LabClient {
  /** Resolves when the worker has started (threads, isolation, backend). */
  readonly ready: Promise<LabInfo>;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly worker: Worker,
    model: ModelUrls,
    threads: number,
  ) {
    this.ready = new Promise((resolve) => {
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        const m = e.data;
        if (m.type === 'ready') {
          resolve({ threads: m.threads, isolated: m.isolated, backend: m.backend });
          return;
        }
        const p = this.pending.get(m.id);
        if (!p) return;
        if (m.type === 'progress') p.options.onProgress?.(m.event);
        else if (m.type === 'token') p.options.onToken?.(m.which, m.text);
        else {
          this.pending.delete(m.id);
          if (m.type === 'error') p.reject(Object.assign(new Error(m.message), { code: m.code }));
          else if (m.type === 'layers') p.resolve(m.layers);
          else p.resolve(m.result);
        }
      };
    });
    this.post({ type: 'init', threads, model });
  }

  private post(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private call<T>(make: (id: number, cancel?: Int32Array) => ToWorker, o: LabCallOptions) {
    const id = this.nextId++;
    const cancel =
      typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated
        ? new Int32Array(new SharedArrayBuffer(4))
        : undefined;
    return new Promise<T>((resolve, reject) => {
      if (o.signal?.aborted) {
        reject(Object.assign(new Error('aborted'), { code: 'ABORTED' }));
        return;
      }
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, options: o });
      o.signal?.addEventListener('abort', () => {
        if (cancel) Atomics.store(cancel, 0, 1);
        this.post({ type: 'cancel', id });
      });
      this.post(make(id, cancel));
    });
  }

  /**
   * @param file - a dropped safetensors file (its 2-D tensors), or none for the embedded model
   * @returns the menu of matrices
   */
  layers(file?: Uint8Array): Promise<LayerEntry[]> {
    return this.call((id) => ({ type: 'layers', id, file }), {});
  }

  /**
   * @param request - the decomposition
   * @param options - progress and cancel
   * @param file - a dropped safetensors file and tensor name (H = I) instead of the model
   * @returns the summary
   */
  matrix(
    request: MatrixLabRequest,
    options: LabCallOptions = {},
    file?: { bytes: Uint8Array; tensor: string },
  ): Promise<MatrixLabResult> {
    return this.call((id, cancel) => ({ type: 'matrix', id, request, file, cancel }), options);
  }

  /**
   * @param request - compression and generation settings
   * @param options - progress, streamed tokens and cancel
   * @returns the summary
   */
  model(request: ModelLabRequest, options: LabCallOptions = {}): Promise<ModelLabResult> {
    return this.call((id, cancel) => ({ type: 'model', id, request, cancel }), options);
  }

  /** Stops the worker. */
  terminate(): void {
    this.worker.terminate();
  }
}
