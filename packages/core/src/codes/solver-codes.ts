/**
 * Error codes raised by `@caldera/caldera` (the per-matrix solver and its decompositions).
 * The solver also raises the shared input codes `SHAPE_MISMATCH`, `NON_FINITE_INPUT` and
 * `NOT_POSITIVE_DEFINITE` (declared with the linalg codes) and `ABORTED`.
 */
export type SolverErrorCode = 'RANK_TOO_LARGE' | 'HESSIAN_NOT_SYMMETRIC' | 'INVALID_OPTIONS';
