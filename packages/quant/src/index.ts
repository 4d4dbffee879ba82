// The public API of @caldera/quant.

export { packBits, packedByteLength, unpackBits } from './bitpack';
export {
  checkShape,
  type E8Quantized,
  type E8QuantizerName,
  e8DefaultScale,
  e8Dequantize,
  e8Ops,
  e8Quantize,
} from './e8-matrix';
export { E8_ROOT_CODEBOOK, E8_ROOT_CODEBOOK_SIZE, e8RootEncodeOne } from './e8-roots';
export {
  E8P_ABS_ROWS,
  E8P_ABS_TABLE,
  E8P_BASE_TABLE,
  E8P_CODEBOOK_SIZE,
  e8pCodebook,
  e8pDecode,
  e8pDecodeOne,
  e8pDecodeTable,
  e8pPackedAbsWords,
  SIGN_BIT_OF_COORD,
} from './e8p-codebook';
export { e8pEncode, e8pEncodeOne } from './e8p-encode';
export { fromFloat16Bits, roundToFloat16, toFloat16Bits } from './float16';
export {
  bitsPerWeight,
  packedSize,
  packQuantized,
  QUANT_FORMAT_VERSION,
  type QuantizedMatrix,
  quantizerNameOf,
  unpackQuantized,
} from './format';
export {
  type LdlqOptions,
  type LdlqResult,
  ldlqE8,
  ldlqUniform,
  weightedError,
} from './ldlq';
export {
  type BlockRounder,
  type LdlqCoreOptions,
  type LdlqCoreResult,
  ldlqCore,
} from './ldlq-core';
export {
  getQuantizer,
  listQuantizers,
  type QuantizerInfo,
  registerQuantizer,
} from './registry';
export {
  E8P12_OPT_SCALE,
  RVQ3B_OPT_SCALE,
  RVQ3B_RESID_SCALE,
  RVQ4B_OPT_SCALE,
  RVQ4B_RESID_SCALE,
  type RvqVariant,
  rvq3DecodeOne,
  rvq3EncodeOne,
  rvq4DecodeOne,
  rvq4EncodeOne,
  rvqDecode,
  rvqEncode,
} from './rvq';
export {
  groupsPerRow,
  type UniformBits,
  type UniformOptions,
  type UniformQuantized,
  uniformCodeValue,
  uniformDequantize,
  uniformQuantize,
  uniformRoundCode,
} from './uniform';
export { checkVectors } from './validate';
