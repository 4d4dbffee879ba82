// The public API of @caldera/io. Each area keeps its explicit export list in its own
// barrel file; this file re-exports them.
export type { DType, LlamaConfig, ModelSource, RopeStyle, TensorInfo } from './model/model-source';
