/**
 * Error codes raised by `@caldera/runtime` (forward pass, generation, evaluation, calibration).
 *
 * - `CONTEXT_OVERFLOW`: more tokens than the session's context holds.
 * - `INVALID_TOKEN`: a token id outside `[0, vocabSize)`.
 * - `UNSUPPORTED_LAYER`: a linear-layer kind or configuration the runtime cannot run.
 * - `MISSING_WEIGHT`: a tensor the model needs is absent or has the wrong shape.
 * - `MODEL_MISMATCH`: two models (or a model and calibration data) do not fit together.
 * - `CALIBRATION_FORMAT`: a calibration file is not one this version reads.
 * - `PYTHON_UNAVAILABLE`: no usable Python 3 interpreter for the code-evaluation sandbox.
 */
export type RuntimeErrorCode =
  | 'CONTEXT_OVERFLOW'
  | 'INVALID_TOKEN'
  | 'UNSUPPORTED_LAYER'
  | 'MISSING_WEIGHT'
  | 'MODEL_MISMATCH'
  | 'CALIBRATION_FORMAT'
  | 'PYTHON_UNAVAILABLE';
