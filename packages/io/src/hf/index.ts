// Hugging Face model folders: config.json and safetensors weights → ModelSource.
export { type HfConfigJson, hfConfigSchema, parseHfConfig, readHfConfig } from './config';
export { HfModelSource, loadHfModel } from './hf-folder';
export {
  type ExpectedTensor,
  expectedHfTensors,
  type HfTensorMap,
  mapHfTensors,
  storedNameCandidates,
} from './hf-tensors';
