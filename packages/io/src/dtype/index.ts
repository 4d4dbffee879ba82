// dtype tables of @caldera/io; the float conversion kernels live in @caldera/core and are
// re-exported here so that `@caldera/io` users find them beside the safetensors API.
export {
  bfloat16BitsToFloat32,
  decodeFloatBitsRef,
  encodeFloatBitsRef,
  float16BitsToFloat32,
  float32BitsToBfloat16BitsRef,
  float32BitsToFloat16BitsRef,
  float32FromBitsRef,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  float64ToFloat32,
} from '@caldera/core';
export { DTYPE_ITEMSIZE, DTYPES, dtypeItemSize, isDType } from './dtype-info';
