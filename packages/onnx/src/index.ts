/**
 * @caldera/onnx — ONNX export of caldera-ts models (float, CALDERA, LoRD, uniform) in the
 * folder layout transformers.js expects, and a small KV-cached runner for onnxruntime-node /
 * onnxruntime-web.
 *
 * @example
 * ```ts
 * import { exportOnnx, OrtDecoder } from '@caldera/onnx';
 * import * as ort from 'onnxruntime-node';
 * await exportOnnx('models/pycode-6m', 'out/pycode-onnx');
 * const dec = await OrtDecoder.create(ort, 'out/pycode-onnx/onnx/model.onnx', { numLayers: 6, numKvHeads: 4, headDim: 32 });
 * ```
 *
 * @packageDocumentation
 */
export { buildDecoderGraph, type DecoderGraphOptions } from './decoder-graph';
export {
  DEFAULT_VARIANTS,
  type ExportOnnxOptions,
  type ExportOnnxResult,
  exportOnnx,
  type OnnxVariant,
} from './export-onnx';
export {
  float,
  GraphBuilder,
  type GraphValue,
  type Initializer,
  ONNX_DTYPES,
  type OnnxDtype,
  valueInfo,
} from './graph-builder';
export { emitLinear, type LinearExportOptions, type SharedConstants } from './linear-export';
export {
  buildOnnxModelBytes,
  encodeModelProto,
  MAX_INLINE_MODEL_BYTES,
  serializeOnnxModel,
  type TensorProtoValue,
} from './model-bytes';
export { EXTERNAL_MIN_BYTES, type WrittenModel, writeOnnxModel } from './model-file';
export {
  OrtDecoder,
  type OrtModuleLike,
  type OrtSessionLike,
  type OrtTensorLike,
} from './ort-decoder';
