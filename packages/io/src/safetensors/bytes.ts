// Byte views and float32 decoding of raw tensor bytes: pure functions, no Node imports.
import {
  bfloat16BitsToFloat32,
  CalderaError,
  describeValue,
  float16BitsToFloat32,
  float64ToFloat32,
} from '@caldera/core';
import type { DType } from '../model/model-source';

/**
 * Tensor data accepted by the writers: raw bytes or any typed array (its bytes are taken in
 * the host's byte order, which is little-endian on every supported platform).
 *
 * @example
 * ```ts
 * const data: TensorBytes = new Float32Array([1, 2, 3]);
 * ```
 */
export type TensorBytes = ArrayBufferView;

/**
 * The bytes of a typed array or `DataView`, without copying.
 *
 * @param view - any array buffer view
 * @returns a `Uint8Array` over the same memory
 * @example
 * ```ts
 * bytesOf(new Float32Array([1])).length; // 4
 * ```
 */
export function bytesOf(view: TensorBytes): Uint8Array {
  return view instanceof Uint8Array
    ? view
    : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian bytes as an aligned buffer in host order (copied when unaligned or big-endian). */
function alignedBuffer(
  bytes: Uint8Array,
  itemSize: number,
): { buffer: ArrayBufferLike; offset: number } {
  if (HOST_LITTLE_ENDIAN && bytes.byteOffset % itemSize === 0) {
    return { buffer: bytes.buffer, offset: bytes.byteOffset };
  }
  const copy = bytes.slice();
  if (!HOST_LITTLE_ENDIAN) {
    for (let i = 0; i < copy.length; i += itemSize) copy.subarray(i, i + itemSize).reverse();
  }
  return { buffer: copy.buffer, offset: 0 };
}

/**
 * Whether {@link decodeFloat32} can convert a dtype (F32, F16, BF16, F64).
 *
 * @param dtype - a dtype
 * @returns true for the floating-point dtypes other than float8
 * @example
 * ```ts
 * canDecodeFloat32('BF16'); // true
 * canDecodeFloat32('I8'); // false
 * ```
 */
export function canDecodeFloat32(dtype: DType): boolean {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16' || dtype === 'F64';
}

/**
 * Converts the raw little-endian bytes of a tensor to a new float32 array. F32 is copied,
 * F16 and BF16 are widened exactly, F64 is rounded to nearest even.
 *
 * @param dtype - the tensor's dtype
 * @param bytes - its raw bytes (length a multiple of the item size)
 * @param name - tensor name, for messages
 * @returns a new `Float32Array` that does not share memory with `bytes`
 * @throws CalderaError `UNSUPPORTED_DTYPE` for integer, bool and float8 dtypes
 * @example
 * ```ts
 * decodeFloat32('BF16', new Uint8Array([0x80, 0x3f]), 'w'); // Float32Array [1]
 * ```
 */
export function decodeFloat32(dtype: DType, bytes: Uint8Array, name: string): Float32Array {
  switch (dtype) {
    case 'F32': {
      const { buffer, offset } = alignedBuffer(bytes, 4);
      return new Float32Array(buffer, offset, bytes.length / 4).slice();
    }
    case 'F16':
    case 'BF16': {
      const { buffer, offset } = alignedBuffer(bytes, 2);
      const bits = new Uint16Array(buffer, offset, bytes.length / 2);
      return dtype === 'F16' ? float16BitsToFloat32(bits) : bfloat16BitsToFloat32(bits);
    }
    case 'F64': {
      const { buffer, offset } = alignedBuffer(bytes, 8);
      return float64ToFloat32(new Float64Array(buffer, offset, bytes.length / 8));
    }
    default:
      throw new CalderaError(
        'UNSUPPORTED_DTYPE',
        `safetensors: tensor ${describeValue(name)} has dtype ${dtype}, which cannot be read as float32`,
        { details: { tensor: name, dtype } },
      );
  }
}
