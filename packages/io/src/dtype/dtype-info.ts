import type { DType } from '../model/model-source';

/**
 * Every safetensors dtype with its size in bytes, in the order of the format description.
 *
 * @example
 * ```ts
 * DTYPE_ITEMSIZE.BF16; // 2
 * ```
 */
export const DTYPE_ITEMSIZE: Readonly<Record<DType, number>> = Object.freeze({
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
});

/**
 * The list of every supported dtype name.
 *
 * @example
 * ```ts
 * DTYPES.includes('F16'); // true
 * ```
 */
export const DTYPES: readonly DType[] = Object.freeze(Object.keys(DTYPE_ITEMSIZE) as DType[]);

/**
 * Type guard: whether `value` is one of the supported dtype names.
 *
 * @param value - anything (e.g. a `dtype` field of a parsed header)
 * @returns true when `value` is a {@link DType}
 * @example
 * ```ts
 * isDType('F32'); // true
 * isDType('F128'); // false
 * ```
 */
export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.hasOwn(DTYPE_ITEMSIZE, value);
}

/**
 * Size in bytes of one element of `dtype`.
 *
 * @param dtype - a supported dtype
 * @returns 1, 2, 4 or 8
 * @example
 * ```ts
 * dtypeItemSize('F64'); // 8
 * ```
 */
export function dtypeItemSize(dtype: DType): number {
  return DTYPE_ITEMSIZE[dtype];
}
