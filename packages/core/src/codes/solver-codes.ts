/**
 * Error codes raised by `@caldera/caldera` (the per-matrix solver, its decompositions and the
 * whole-model pipeline). The solver also raises the shared input codes `SHAPE_MISMATCH`,
 * `NON_FINITE_INPUT` and `NOT_POSITIVE_DEFINITE` (declared with the linalg codes) and `ABORTED`.
 *
 * - `CHECKPOINT_FORMAT`: a compressed checkpoint folder is malformed or of an unknown version.
 * - `RESUME_MISMATCH`: `resume` found partial results of another model, calibration or plan.
 * - `MISSING_CALIBRATION`: a layer to decompose has no Hessian in the calibration given.
 */
export type SolverErrorCode =
  | 'RANK_TOO_LARGE'
  | 'HESSIAN_NOT_SYMMETRIC'
  | 'INVALID_OPTIONS'
  | 'CHECKPOINT_FORMAT'
  | 'RESUME_MISMATCH'
  | 'MISSING_CALIBRATION';
