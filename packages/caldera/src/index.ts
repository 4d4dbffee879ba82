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
