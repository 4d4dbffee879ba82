export {
  LLAMA2C_HEADER_BYTES,
  type Llama2cHeader,
  type Llama2cLayout,
  type Llama2cTensor,
  llama2cConfig,
  llama2cLayout,
  parseLlama2cHeader,
} from './llama2c-layout';
export { type Llama2cSource, loadLlama2c } from './load-llama2c';
