// The public API of @caldera/caldera.
export {
  ldlqDecompose,
  lowRankOnlyDecompose,
  quantizeThenLowRankDecompose,
  type RtnOptions,
  rtnDecompose,
} from './baselines';
export { calderaDecompose } from './caldera';
export { type DecomposeOptions, decompose } from './decompose';
export { regularizeHessian, relativeDataAwareError } from './hessian';
export {
  type LowRankMethod,
  type LowRankOptions,
  lowRankDecompose,
  type RankRule,
  selectRank,
} from './low-rank';
export { fitLowRank, type LowRankFit, ridgeSolve } from './lr-step';
export {
  allocateRanks,
  allocateRanksExhaustive,
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
  allocateJobRanks,
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
export { downdateHessian, type LdlqQuantized, ldlqQuantize, quantizeResidual } from './q-step';
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
