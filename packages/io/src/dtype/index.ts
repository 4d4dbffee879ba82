// dtype tables and conversion kernels of @caldera/io.
export { bfloat16BitsToFloat32, float32ToBfloat16Bits } from './bf16';
export { DTYPE_ITEMSIZE, DTYPES, dtypeItemSize, isDType } from './dtype-info';
export { float16BitsToFloat32, float32ToFloat16Bits } from './f16';
export { float64ToFloat32 } from './f64';
export {
  decodeFloatBitsRef,
  encodeFloatBitsRef,
  float32BitsToBfloat16BitsRef,
  float32BitsToFloat16BitsRef,
  float32FromBitsRef,
} from './reference';
