/**
 * Error codes raised by `@caldera/linalg` kernels.
 */
export type LinalgErrorCode =
  | 'SHAPE_MISMATCH'
  | 'NOT_POSITIVE_DEFINITE'
  | 'SINGULAR_MATRIX'
  | 'NON_FINITE_INPUT'
  | 'NO_CONVERGENCE'
  | 'UNSUPPORTED_DIMENSION'
  | 'BACKEND_UNAVAILABLE';
