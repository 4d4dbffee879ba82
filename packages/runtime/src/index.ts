// The public API of @caldera/runtime.
export {
  CALIBRATION_FORMAT,
  CALIBRATION_FORMAT_VERSION,
  loadCalibration,
  saveCalibration,
} from './calibrate/calibration-file';
export {
  CalibrationStats,
  inputKey,
  inputSiteDim,
  outputKey,
} from './calibrate/calibration-stats';
export { type CalibrationOptions, collectCalibration } from './calibrate/collect-calibration';
export { MomentAccumulator } from './calibrate/moment-accumulator';
export {
  type CompleteFn,
  type CompleteWithModelOptions,
  completeWithModel,
  evaluateHumanEval,
  type HumanEvalOptions,
  type HumanEvalProblemResult,
  type HumanEvalResult,
} from './code-eval/evaluate-humaneval';
export {
  buildCheckProgram,
  type HumanEvalProblem,
  loadHumanEval,
  parseHumanEval,
} from './code-eval/humaneval-dataset';
export {
  type PythonCheckOptions,
  type PythonCheckResult,
  resolvePython,
  runPythonCheck,
} from './code-eval/python-sandbox';
export { HUMANEVAL_STOPS, truncateCompletion } from './code-eval/truncate-completion';
export { type CompareOptions, type CompareResult, compareModels } from './eval/compare-models';
export { type EvalWindow, type EvalWindowOptions, evalWindows } from './eval/eval-windows';
export { type PerplexityOptions, type PerplexityResult, perplexity } from './eval/perplexity';
export {
  type GenerateOptions,
  type GenerateResult,
  generate,
  type TokenEvent,
} from './generate/generate';
export { Sampler, type SamplingOptions } from './generate/sampler';
export { StopMatcher } from './generate/stop-matcher';
export { Yielder, yieldToEventLoop } from './generate/yield';
export { type AttentionShape, causalAttention } from './kernels/attention';
export { addBias, addInPlace, swiglu } from './kernels/elementwise';
export { argmax, logSoftmax, logSumExp } from './kernels/log-softmax';
export { matvecRows } from './kernels/matvec';
export { rmsNorm } from './kernels/rms-norm';
export { applyRope, buildRopeTable, type RopeTable } from './kernels/rope';
export { CalderaLinear, type CalderaParts } from './linear/caldera-linear';
export { DenseLinear, GEMM_MIN_ROWS } from './linear/dense-linear';
export { type E8pSplitTables, e8pSplitTables } from './linear/e8p-split-tables';
export { checkForwardArgs, checkMatrix, type Linear } from './linear/linear';
export { LowRankLinear } from './linear/low-rank-linear';
export { PackedE8Matrix } from './linear/packed-e8-matrix';
export { RhtRows } from './linear/rht-rows-batched';
export { UniformLinear } from './linear/uniform-linear';
export {
  type ForwardOptions,
  InferenceSession,
  type SessionOptions,
} from './model/inference-session';
export { KvCache } from './model/kv-cache';
export { LlamaModel } from './model/llama-model';
export {
  assembleLlamaWeights,
  type LayerWeights,
  LINEAR_NAMES,
  type LinearName,
  type LlamaWeights,
  linearShape,
  linearTensorName,
  loadLlamaWeights,
  type WeightReader,
} from './model/llama-weights';
export {
  isLordCheckpoint,
  LORD_FORMAT,
  LORD_FORMAT_VERSION,
  type LordConfig,
  loadLordModel,
  lordTensorNames,
  readLordConfig,
} from './model/lord-checkpoint';
export {
  type ForwardObserver,
  INPUT_SITES,
  type InputSite,
  inputSiteOf,
} from './model/observer';
