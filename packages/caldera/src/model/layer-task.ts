/**
 * One unit of work of the whole-model pipeline, as plain data so that it can cross a thread
 * boundary (worker_threads, Web Workers): a weight W (m×n, float32), its input Hessian H
 * (n×n, float64) and the layer's settings in; the checkpoint entry and encoded tensors out.
 * Errors travel as plain data too (structured clone drops a `CalderaError`'s `code`).
 */
import { CalderaError, type CalderaErrorCode, isCalderaError } from '@caldera/core';
import { type EncodedTensor, encodeLinear, type LinearEntry } from './checkpoint-format';
import { decomposeLayer, type LayerSettings } from './plan';

/**
 * What a worker needs to decompose one weight.
 *
 * @example
 * ```ts
 * const t: LayerTask = { name: 'model.layers.0.mlp.up_proj.weight', m: 688, n: 256,
 *   settings: { method: 'rtn' }, w, h };
 * ```
 */
export interface LayerTask {
  /** The weight's name (it names the encoded tensors). */
  name: string;
  m: number;
  n: number;
  settings: LayerSettings;
  /** W, row-major m×n. */
  w: Float32Array;
  /** The input Hessian, n×n. */
  h: Float64Array;
}

/**
 * A decomposed and encoded weight: its checkpoint entry and tensors.
 *
 * @example
 * ```ts
 * const r: LayerResult = runLayerTask(task);
 * r.entry.bits_per_parameter;
 * ```
 */
export interface LayerResult {
  entry: LinearEntry;
  tensors: EncodedTensor[];
}

/**
 * A failure as plain data (what crosses a thread boundary).
 *
 * @example
 * ```ts
 * const e: LayerTaskError = { error: { code: 'INVALID_OPTIONS', message: 'bad bits' } };
 * ```
 */
export interface LayerTaskError {
  error: { code: CalderaErrorCode; message: string; details?: Record<string, unknown> };
}

/**
 * Decomposes and encodes one weight (the pure work a pool runs; deterministic for given
 * inputs, so any thread produces the same bytes).
 *
 * @param task - the weight, its Hessian and settings
 * @returns the entry and tensors
 * @throws CalderaError from the solver (`INVALID_OPTIONS`, `NOT_POSITIVE_DEFINITE`, …)
 * @example
 * ```ts
 * const { entry, tensors } = runLayerTask({ name, m: 64, n: 64, settings: { method: 'rtn' }, w, h });
 * ```
 */
export function runLayerTask(task: LayerTask): LayerResult {
  const d = decomposeLayer(task.settings, task.w, task.m, task.n, task.h);
  return encodeLinear(task.name, d);
}

/**
 * Converts a thrown value into plain data.
 *
 * @param e - anything thrown
 * @returns its code (`INTERNAL` for a non-`CalderaError`), message and details
 * @example
 * ```ts
 * errorToData(new CalderaError('ABORTED', 'stop')).error.code; // 'ABORTED'
 * ```
 */
export function errorToData(e: unknown): LayerTaskError {
  if (isCalderaError(e)) {
    return {
      error: {
        code: e.code,
        message: e.message,
        ...(e.details !== undefined ? { details: safeDetails(e.details) } : {}),
      },
    };
  }
  return { error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } };
}

function safeDetails(d: Record<string, unknown>): Record<string, unknown> | undefined {
  try {
    return JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Rebuilds the `CalderaError` of {@link errorToData}.
 *
 * @param data - the plain error
 * @param name - the weight, for the message
 * @returns the error
 * @example
 * ```ts
 * throw errorFromData(result, 'model.layers.0.mlp.up_proj.weight');
 * ```
 */
export function errorFromData(data: LayerTaskError, name: string): CalderaError {
  const { code, message, details } = data.error;
  return new CalderaError(code, code === 'INTERNAL' ? `${name}: ${message}` : message, {
    ...(details !== undefined ? { details } : {}),
  });
}

/**
 * Whether a pool's reply is an error.
 *
 * @param r - the reply
 * @returns true for {@link LayerTaskError}
 * @example
 * ```ts
 * if (isLayerTaskError(r)) throw errorFromData(r, name);
 * ```
 */
export function isLayerTaskError(r: LayerResult | LayerTaskError): r is LayerTaskError {
  return 'error' in r;
}
