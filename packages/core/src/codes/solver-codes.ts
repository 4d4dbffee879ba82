/**
 * Error codes raised by `@caldera/caldera` (the per-matrix solver and its decompositions).
 */
export type SolverErrorCode = 'RANK_TOO_LARGE' | 'HESSIAN_NOT_SYMMETRIC' | 'INVALID_OPTIONS';
