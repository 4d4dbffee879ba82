/**
 * The compressed checkpoint format (version 1): how one compressed linear layer maps to
 * safetensors tensors plus a JSON entry, and back.
 *
 * A compressed checkpoint is a folder:
 *
 * - `config.json` — the model's Hugging Face config (the original `config.json` when the
 *   source was a folder, else one built from the model's config) plus a `quantization_config`
 *   object (see `QuantizationConfig`): `format` (`'caldera'`), `quant_method` (`caldera` | `lord` | `ldlq` |
 *   `rtn`, the method of most linear layers), `format_version` (1), `llama_config` (the
 *   runtime's config, authoritative: it records e.g. the RoPE convention of llama2.c models),
 *   `kept_dtype`, summary figures, and `tensors`: one {@link LinearEntry} per compressed
 *   weight, keyed by its original name (`model.layers.0.self_attn.q_proj.weight`).
 * - `model.safetensors` — every kept tensor (embeddings, norms, `lm_head`, any linear the plan
 *   keeps) under its original name as F16 or F32, and for every compressed weight
 *   `model.layers.0.self_attn.q_proj.weight` with base `model.layers.0.self_attn.q_proj`:
 *   - `<base>.q` — Q (mp × np, rotated basis): a U8 vector holding the versioned "CQNT"
 *     blob of `@caldera/quant` (`packQuantized`: header with quantiser id, rows, cols, group
 *     size; scales; codes), or F16/F32 values of shape [mp, np] for float storage;
 *   - `<base>.lt` — Lᵀ (k × mp) and `<base>.r` — R (k × np), stored the same way (absent for
 *     rank 0);
 *   - `<base>.sv` (length mp) and `<base>.su` (length np) — the randomized-Hadamard sign
 *     vectors SV and SU as I8 ±1 (absent when the RHT is off).
 *
 *   The layer is Ŵ = g · crop(diag(SV)·H_mp·(Q + Lᵀᵀ·R)·H_npᵀ·diag(SU)) with g the entry's
 *   `global_scale` (a JSON number, exact float64) and H_d the normalised Hadamard matrix of
 *   `hadamardPlan(d)` of @caldera/linalg (identity when `rht` is false).
 * - tokenizer files copied from the source (`tokenizer.model`, `tokenizer.json`, … or a
 *   llama2.c `tokenizer.bin`) when given.
 *
 * The safetensors file is written with the tensors in the writer's canonical order and the
 * metadata `{ format: 'caldera', format_version: '1' }`; given the same inputs the bytes are
 * identical. The folder is written into a temporary sibling and renamed into place, so an
 * output folder is never left half-written.
 */
import { CalderaError, describeValue } from '@caldera/core';
import type { DType } from '@caldera/io';
import { float16BitsToFloat32, float32ToFloat16Bits } from '@caldera/io';
import { packQuantized, quantizerNameOf, unpackQuantized } from '@caldera/quant';
import type { StoredMatrix } from '../quantizer';
import { type Decomposition, type MethodName, makeDecomposition } from '../result';
import type { Rotation } from '../rotation';

/**
 * Version of the compressed checkpoint format.
 *
 * @example
 * ```ts
 * if (qc.format_version !== CHECKPOINT_FORMAT_VERSION) throw new Error('unsupported');
 * ```
 */
export const CHECKPOINT_FORMAT_VERSION = 1;

/**
 * How one stored matrix (Q, Lᵀ or R) is kept in the safetensors file.
 *
 * @example
 * ```ts
 * const s: MatrixEntry = { storage: 'cqnt', quantizer: 'e8p12', rows: 64, cols: 172 };
 * ```
 */
export interface MatrixEntry {
  /** `cqnt`: a packed quantised blob (U8); `float16` / `float32`: values. */
  storage: 'cqnt' | 'float16' | 'float32';
  /** Registry name of the quantiser (`e8p12`, `uniform4`, …; `float16`/`float32` for values). */
  quantizer: string;
  rows: number;
  cols: number;
}

/**
 * The JSON entry of one compressed linear weight in `quantization_config.tensors`.
 *
 * @example
 * ```ts
 * const e: LinearEntry = { method: 'rtn', shape: [64, 64], padded_shape: [64, 64], rank: 0,
 *   rht: false, global_scale: 1, q: null, lt: null, r: null, bits_per_parameter: 4.1,
 *   data_aware_error: 0.1 };
 * ```
 */
export interface LinearEntry {
  method: MethodName;
  /** [m, n] of W. */
  shape: [number, number];
  /** [mp, np] after RHT padding. */
  padded_shape: [number, number];
  rank: number;
  /** Whether the RHT signs `<base>.sv` / `<base>.su` are present. */
  rht: boolean;
  global_scale: number;
  q: MatrixEntry | null;
  lt: MatrixEntry | null;
  r: MatrixEntry | null;
  bits_per_parameter: number;
  data_aware_error: number;
}

/**
 * One tensor to write: name, dtype, shape and bytes.
 *
 * @example
 * ```ts
 * const t: EncodedTensor = { name: 'x.q', dtype: 'U8', shape: [4], data: new Uint8Array(4) };
 * ```
 */
export interface EncodedTensor {
  name: string;
  dtype: DType;
  shape: number[];
  data: Uint8Array;
}

/**
 * The base name of a weight (`…q_proj.weight` → `…q_proj`).
 *
 * @param weightName - the tensor name
 * @returns the name without a trailing `.weight`
 * @example
 * ```ts
 * baseName('model.layers.0.mlp.up_proj.weight'); // 'model.layers.0.mlp.up_proj'
 * ```
 */
export function baseName(weightName: string): string {
  return weightName.endsWith('.weight') ? weightName.slice(0, -'.weight'.length) : weightName;
}

function u8(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

function encodeMatrix(
  name: string,
  s: StoredMatrix | null,
): { entry: MatrixEntry | null; tensor?: EncodedTensor } {
  if (s === null) return { entry: null };
  if (s.kind === 'quantized') {
    const blob = packQuantized(s.q);
    return {
      entry: { storage: 'cqnt', quantizer: quantizerNameOf(s.q), rows: s.q.rows, cols: s.q.cols },
      tensor: { name, dtype: 'U8', shape: [blob.length], data: blob },
    };
  }
  const f16 = s.kind === 'float16';
  return {
    entry: { storage: s.kind, quantizer: s.kind, rows: s.rows, cols: s.cols },
    tensor: {
      name,
      dtype: f16 ? 'F16' : 'F32',
      shape: [s.rows, s.cols],
      data: f16 ? u8(float32ToFloat16Bits(s.values)) : u8(s.values),
    },
  };
}

function signsBytes(signs: Float32Array): Uint8Array {
  const out = new Uint8Array(signs.length);
  for (let i = 0; i < signs.length; i++) out[i] = signs[i]! < 0 ? 0xff : 1;
  return out;
}

/**
 * Encodes one decomposition as its checkpoint entry and tensors (the inverse of
 * {@link decodeLinear}).
 *
 * @param weightName - the original weight name
 * @param d - the decomposition
 * @returns the JSON entry and the tensors (`<base>.q`, `.lt`, `.r`, `.sv`, `.su`)
 * @example
 * ```ts
 * const { entry, tensors } = encodeLinear('model.layers.0.self_attn.q_proj.weight', d);
 * ```
 */
export function encodeLinear(
  weightName: string,
  d: Decomposition,
): { entry: LinearEntry; tensors: EncodedTensor[] } {
  const base = baseName(weightName);
  const tensors: EncodedTensor[] = [];
  const q = encodeMatrix(`${base}.q`, d.q);
  const lt = encodeMatrix(`${base}.lt`, d.rank > 0 ? d.l : null);
  const r = encodeMatrix(`${base}.r`, d.rank > 0 ? d.r : null);
  for (const x of [q, lt, r]) if (x.tensor) tensors.push(x.tensor);
  const rot = d.rotation;
  if (rot.enabled) {
    tensors.push({
      name: `${base}.sv`,
      dtype: 'I8',
      shape: [rot.mp],
      data: signsBytes(rot.signsLeft),
    });
    tensors.push({
      name: `${base}.su`,
      dtype: 'I8',
      shape: [rot.np],
      data: signsBytes(rot.signsRight),
    });
  }
  return {
    entry: {
      method: d.method,
      shape: [d.m, d.n],
      padded_shape: [rot.mp, rot.np],
      rank: d.rank,
      rht: rot.enabled,
      global_scale: d.globalScale,
      q: q.entry,
      lt: lt.entry,
      r: r.entry,
      bits_per_parameter: d.bitsPerParameter,
      data_aware_error: d.dataAwareError,
    },
    tensors,
  };
}

function corrupt(message: string, details?: Record<string, unknown>): CalderaError {
  return new CalderaError('CHECKPOINT_FORMAT', message, details ? { details } : undefined);
}

async function decodeMatrix(
  name: string,
  e: MatrixEntry | null,
  read: (name: string) => Promise<Uint8Array>,
): Promise<StoredMatrix | null> {
  if (e === null) return null;
  const bytes = await read(name);
  if (e.storage === 'cqnt') {
    const q = unpackQuantized(bytes);
    if (q.rows !== e.rows || q.cols !== e.cols || quantizerNameOf(q) !== e.quantizer) {
      throw corrupt(
        `${name}: blob is ${quantizerNameOf(q)} ${q.rows}×${q.cols}, config says ${e.quantizer} ${e.rows}×${e.cols}`,
      );
    }
    return { kind: 'quantized', q };
  }
  const count = e.rows * e.cols;
  const per = e.storage === 'float16' ? 2 : 4;
  if (bytes.byteLength !== count * per) {
    throw corrupt(`${name}: ${bytes.byteLength} bytes, expected ${count * per}`);
  }
  const copy = bytes.slice();
  const values =
    e.storage === 'float16'
      ? float16BitsToFloat32(new Uint16Array(copy.buffer, 0, count))
      : new Float32Array(copy.buffer, 0, count);
  return { kind: e.storage, rows: e.rows, cols: e.cols, values };
}

async function decodeSigns(
  name: string,
  length: number,
  read: (name: string) => Promise<Uint8Array>,
): Promise<Float32Array> {
  const bytes = await read(name);
  if (bytes.length !== length) {
    throw corrupt(`${name}: ${bytes.length} signs, expected ${length}`);
  }
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const b = bytes[i]!;
    if (b !== 1 && b !== 0xff) throw corrupt(`${name}[${i}] is ${b}, not ±1`);
    out[i] = b === 1 ? 1 : -1;
  }
  return out;
}

/**
 * Rebuilds a {@link Decomposition} from its checkpoint entry and tensors. `reconstruct()`
 * gives exactly the in-memory decomposition's values; `options` and `trace` are not stored
 * (empty), `bitsPerParameter` is recounted from the blobs.
 *
 * @param weightName - the original weight name
 * @param entry - its entry from `quantization_config.tensors`
 * @param read - reads a tensor's raw bytes by name
 * @returns the decomposition
 * @throws CalderaError `CHECKPOINT_FORMAT` for inconsistent tensors; `CORRUPT_PACKED_DATA`
 *   from the blob reader
 * @example
 * ```ts
 * const d = await decodeLinear(name, entry, (t) => file.readRaw(t));
 * d.reconstruct();
 * ```
 */
export async function decodeLinear(
  weightName: string,
  entry: LinearEntry,
  read: (name: string) => Promise<Uint8Array>,
): Promise<Decomposition> {
  const base = baseName(weightName);
  const [m, n] = entry.shape;
  const [mp, np] = entry.padded_shape;
  if (![m, n, mp, np].every((v) => Number.isInteger(v) && v > 0) || mp < m || np < n) {
    throw corrupt(
      `${weightName}: bad shapes ${describeValue(entry.shape)} / ${describeValue(entry.padded_shape)}`,
    );
  }
  const rotation: Rotation = entry.rht
    ? {
        enabled: true,
        m,
        n,
        mp,
        np,
        signsLeft: await decodeSigns(`${base}.sv`, mp, read),
        signsRight: await decodeSigns(`${base}.su`, np, read),
      }
    : {
        enabled: false,
        m,
        n,
        mp: m,
        np: n,
        signsLeft: new Float32Array(0),
        signsRight: new Float32Array(0),
      };
  const q = await decodeMatrix(`${base}.q`, entry.q, read);
  const l = entry.rank > 0 ? await decodeMatrix(`${base}.lt`, entry.lt, read) : null;
  const r = entry.rank > 0 ? await decodeMatrix(`${base}.r`, entry.r, read) : null;
  if (entry.rank > 0 && (l === null || r === null)) {
    throw corrupt(`${weightName}: rank ${entry.rank} but no factors`);
  }
  return makeDecomposition({
    method: entry.method,
    m,
    n,
    rank: entry.rank,
    globalScale: entry.global_scale,
    rotation,
    q,
    l,
    r,
    options: {},
    trace: [],
    bestIteration: -1,
    dataAwareError: entry.data_aware_error,
  });
}
