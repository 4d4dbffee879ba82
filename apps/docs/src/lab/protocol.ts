/**
 * Messages between the playground pages and the lab Web Worker.
 */
import type { ProgressEvent } from '@caldera/core';
import type { MatrixLabRequest, MatrixLabResult } from './matrix-lab';
import type { ModelLabRequest, ModelLabResult } from './model-lab';

/**
 * Where the worker finds the embedded model (absolute URLs).
 *
 * @example
 * ```ts
 * const m: ModelUrls = { safetensors: '/models/pycode-6m/model.safetensors', config: '…', tokenizer: '…', text: '…' };
 * ```
 */
export interface ModelUrls {
  safetensors: string;
  config: string;
  tokenizer: string;
  text: string;
}

/**
 * Page → worker.
 *
 * @example
 * ```ts
 * worker.postMessage({ type: 'init', threads: 1, model } satisfies ToWorker);
 * ```
 */
export type ToWorker =
  | { type: 'init'; threads: number; model: ModelUrls }
  | { type: 'layers'; id: number; file?: Uint8Array }
  | {
      type: 'matrix';
      id: number;
      request: MatrixLabRequest;
      /** A dropped safetensors file and the tensor to use (H = I), instead of the model. */
      file?: { bytes: Uint8Array; tensor: string };
      /** Shared cancel flag (set to 1 to abort), where SharedArrayBuffer exists. */
      cancel?: Int32Array;
    }
  | { type: 'model'; id: number; request: ModelLabRequest; cancel?: Int32Array }
  | { type: 'cancel'; id: number };

/**
 * One entry of the layer menu.
 *
 * @example
 * ```ts
 * const e: LayerEntry = { label: 'model.layers.0.self_attn.k_proj.weight', layer: 0, name: 'k_proj', m: 128, n: 256 };
 * ```
 */
export interface LayerEntry {
  label: string;
  layer?: number;
  name?: string;
  m: number;
  n: number;
}

/**
 * Worker → page.
 *
 * @example
 * ```ts
 * worker.onmessage = (e: MessageEvent<FromWorker>) => console.log(e.data.type);
 * ```
 */
export type FromWorker =
  | { type: 'ready'; threads: number; isolated: boolean; backend: string }
  | { type: 'progress'; id: number; event: ProgressEvent }
  | { type: 'layers'; id: number; layers: LayerEntry[] }
  | { type: 'matrix'; id: number; result: MatrixLabResult }
  | { type: 'model'; id: number; result: ModelLabResult }
  | { type: 'token'; id: number; which: 'original' | 'compressed'; text: string }
  | { type: 'error'; id: number; code: string; message: string };
