// Hadamard matrices, FWHT and the randomized Hadamard transform.
export { fwht, fwhtRef, fwhtSegment } from './fwht';
export { type GaloisField, galoisField } from './galois-field';
export { goethalsSeidel, gsQuadruple, periodicAutocorrelation } from './goethals-seidel';
export { HADAMARD_ORDERS, hadamardMatrix, hadamardMatrixF32, sylvester } from './hadamard-matrix';
export { type HadamardPlan, hadamardPlan } from './hadamard-plan';
export { paleyI, paleyII } from './paley';
export { padToHadamard, rht, rhtInverse, rhtRows, rhtRowsInverse } from './rht';
export { rhtTwoSided, rhtTwoSidedInverse } from './rht-two-sided';
