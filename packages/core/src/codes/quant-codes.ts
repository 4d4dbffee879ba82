/**
 * Error codes raised by `@caldera/quant` quantizers, packing and LDLQ.
 */
export type QuantErrorCode =
  | 'UNKNOWN_QUANTIZER'
  | 'DUPLICATE_QUANTIZER'
  | 'UNSUPPORTED_BITS'
  | 'CORRUPT_PACKED_DATA'
  | 'FORMAT_VERSION_UNSUPPORTED';
