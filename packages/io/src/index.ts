// The public API of @caldera/io. Each area keeps its explicit export list in its own
// barrel file; this file re-exports them.

export * from './datasets/index';
export * from './dtype/index';
export * from './hf/index';
export * from './hub/index';
export * from './llama2c/index';
export type { DType, LlamaConfig, ModelSource, RopeStyle, TensorInfo } from './model/model-source';
export { openModel } from './model/open-model';
export * from './safetensors/index';
export * from './tokenizers/index';
