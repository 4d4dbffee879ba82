// The public API of @caldera/caldera.
export {
  ldlqDecompose,
  lowRankOnlyDecompose,
  quantizeThenLowRankDecompose,
  type RtnOptions,
  rtnDecompose,
} from './baselines';
export { calderaDecompose, LPLR_FLOAT32_MIN_WORK } from './caldera';
export { type DecomposeOptions, decompose } from './decompose';
export { regularizeHessian, relativeDataAwareError } from './hessian';
export {
  type CompressLordOptions,
  compressLord,
  type LordSearchPoint,
  type LordSummary,
  type PplBudget,
  searchLordReduction,
} from './lord/compress-lord';
export { allocateLordRanks, type LordAllocation, maxLordReduction } from './lord/lord-allocate';
export { type WriteLordOptions, writeLordCheckpoint } from './lord/lord-checkpoint-writer';
export {
  analyzeLordLayer,
  breakEvenRank,
  LORD_DECOMPOSITIONS,
  type LordDecomposition,
  type LordLayerAnalysis,
  lordFactors,
} from './lord/lord-layer';
export {
  type AnalyzeLordOptions,
  analyzeLordModel,
  applyLord,
  DEFAULT_LORD_DECOMPOSITION,
  type FactorTransform,
  type LordAnalysis,
  type LordEntry,
} from './lord/lord-model';
export {
  type QuantizedFactors,
  quantizeLordFactors,
  quantizeLordMatrix,
} from './lord/lord-quantize';
export {
  type LowRankMethod,
  type LowRankOptions,
  lowRankDecompose,
  type RankRule,
  selectRank,
} from './low-rank';
export {
  type FitLowRankOptions,
  fitLowRank,
  type LowRankFit,
  type LplrPrecision,
  ridgeInverse,
  ridgeSolve,
} from './lr-step';
export {
  allocateRanks,
  allocateRanksExhaustive,
  KNAPSACK_GRID,
  type LayerCandidates,
  lowerHull,
  type RankAllocation,
  type RankOption,
} from './model/allocate-ranks';
export {
  baseName,
  CHECKPOINT_FORMAT_VERSION,
  decodeLinear,
  type EncodedTensor,
  encodeLinear,
  type LinearEntry,
  type MatrixEntry,
} from './model/checkpoint-format';
export {
  CompressedCheckpoint,
  isCompressedCheckpoint,
  loadCompressedModel,
  type QuantizationConfig,
} from './model/checkpoint-reader';
export {
  type CheckpointContents,
  type CheckpointTensor,
  hfConfigFromLlama,
  keptBytes,
  writeCheckpoint,
} from './model/checkpoint-writer';
export {
  type CalibrationInput,
  type CompressModelOptions,
  type CompressSummary,
  compressModel,
  type LayerReport,
} from './model/compress-model';
export {
  createInProcessLayerPool,
  type LayerPool,
  runLayerTaskSafe,
  unwrapLayerReply,
} from './model/layer-pool';
export {
  errorFromData,
  errorToData,
  type LayerResult,
  type LayerTask,
  type LayerTaskError,
  runLayerTask,
} from './model/layer-task';
export type { MemoryPeaks } from './model/memory-meter';
export {
  createNodeLayerPool,
  defaultLayerThreads,
  MAX_DEFAULT_LAYER_THREADS,
  PARAMETERS_PER_LAYER_THREAD,
} from './model/node-layer-pool';
export { partialDirOf } from './model/partial-store';
export {
  type CompressionPlan,
  decomposeLayer,
  type LayerSettings,
  type PlanMethod,
  type PlanRule,
  planToJson,
  resolveLayer,
} from './model/plan';
export { toRuntimeLinear } from './model/runtime-linear';
export { sourceHfConfig, sourceTokenizerFiles, TOKENIZER_FILE_NAMES } from './model/source-files';
export {
  type AllocateJobOptions,
  allocateJobRanks,
  allocationOverrides,
  checkCandidateBits,
  checkCandidateRanks,
  DEFAULT_CANDIDATE_RANKS,
  type RankJob,
  weightedNorm2,
} from './model/target-bpw';
export {
  CALDERA_DEFAULTS,
  type CalderaOptions,
  type ResolvedCalderaOptions,
  resolveCalderaOptions,
} from './options';
export {
  downdateHessian,
  type LdlCache,
  type LdlqQuantized,
  ldlqBlockSize,
  ldlqQuantize,
  quantizeResidual,
} from './q-step';
export {
  checkSpec,
  dequantizeStored,
  e8NameForBits,
  type QuantizerSpec,
  quantizeMatrix,
  type StoredMatrix,
  specName,
  storedBits,
} from './quantizer';
export {
  type BitBreakdown,
  DECOMPOSITION_FORMAT_VERSION,
  type Decomposition,
  type IterationRecord,
  type LowRankReport,
  type MethodName,
  makeDecomposition,
  rotatedApproximation,
} from './result';
export {
  makeRotation,
  type Rotation,
  rotateHessian,
  rotateWeights,
  unrotateWeights,
} from './rotation';
export { type SvdMode, symEig, type TopSubspace, topSubspace } from './top-subspace';
export { validateProblem } from './validate';
