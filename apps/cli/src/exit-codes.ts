/**
 * The exit codes of the `caldera` command (documented in the README and `caldera --help`):
 * one number per kind of failure, derived from the error's `CalderaError` code.
 */
import type { CalderaErrorCode } from '@caldera/core';

/**
 * Exit codes by meaning.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success |
 * | 1 | the computation failed, or an internal error (please report it) |
 * | 2 | usage: unknown command or flag, a bad option value, an impossible `--target-bpw` |
 * | 3 | an input (model, text, tokenizer, calibration, Hub id) was not found |
 * | 4 | an input is malformed (model folder, safetensors, config, tokenizer, text, calibration, checkpoint) or does not fit another |
 * | 5 | the output cannot be written |
 * | 130 | aborted |
 *
 * @example
 * ```ts
 * EXIT_CODES.NOT_FOUND; // 3
 * ```
 */
export const EXIT_CODES = Object.freeze({
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  BAD_INPUT: 4,
  WRITE_FAILED: 5,
  ABORTED: 130,
});

const USAGE: readonly CalderaErrorCode[] = [
  'INVALID_ARGUMENT',
  'INVALID_OPTIONS',
  'RANK_TOO_LARGE',
  'UNKNOWN_QUANTIZER',
  'UNSUPPORTED_BITS',
];
const NOT_FOUND: readonly CalderaErrorCode[] = [
  'FILE_NOT_FOUND',
  'HUB_NOT_FOUND',
  'HUB_OFFLINE_MISS',
  'HUB_NETWORK_ERROR',
  'HUB_HTTP_ERROR',
];
const WRITE: readonly CalderaErrorCode[] = ['FILE_WRITE_FAILED'];
const BAD_INPUT_PREFIXES = ['SAFETENSORS_', 'LLAMA2C_', 'TOKENIZER_', 'DATASET_', 'HUB_'];
const BAD_INPUT: readonly CalderaErrorCode[] = [
  'FILE_READ_FAILED',
  'TENSOR_NOT_FOUND',
  'UNSUPPORTED_DTYPE',
  'CONFIG_INVALID',
  'UNSUPPORTED_MODEL',
  'MISSING_TENSOR',
  'MISSING_WEIGHT',
  'MODEL_MISMATCH',
  'CALIBRATION_FORMAT',
  'MISSING_CALIBRATION',
  'CHECKPOINT_FORMAT',
  'FORMAT_VERSION_UNSUPPORTED',
  'CORRUPT_PACKED_DATA',
  'RESUME_MISMATCH',
  'UNSUPPORTED_LAYER',
];

/**
 * The exit code of a `CalderaError` code.
 *
 * @param code - the error's code
 * @returns one of {@link EXIT_CODES}
 * @example
 * ```ts
 * exitCodeOf('SAFETENSORS_HEADER_NOT_JSON'); // 4
 * exitCodeOf('NOT_POSITIVE_DEFINITE'); // 1
 * ```
 */
export function exitCodeOf(code: CalderaErrorCode): number {
  if (code === 'ABORTED') return EXIT_CODES.ABORTED;
  if (USAGE.includes(code)) return EXIT_CODES.USAGE;
  if (NOT_FOUND.includes(code)) return EXIT_CODES.NOT_FOUND;
  if (WRITE.includes(code)) return EXIT_CODES.WRITE_FAILED;
  if (BAD_INPUT.includes(code) || BAD_INPUT_PREFIXES.some((p) => code.startsWith(p))) {
    return EXIT_CODES.BAD_INPUT;
  }
  return EXIT_CODES.FAILURE;
}

/**
 * The exit-code table as help text.
 *
 * @returns lines for `caldera --help`
 * @example
 * ```ts
 * exitCodesHelp(); // 'Exit codes:\n  0  success\n…'
 * ```
 */
export function exitCodesHelp(): string {
  return [
    'Exit codes:',
    '  0    success',
    '  1    the computation failed, or an internal error',
    '  2    usage: bad command, flag or option value (e.g. an impossible --target-bpw)',
    '  3    an input (model, text, tokenizer, calibration, Hub id) was not found',
    '  4    an input is malformed or does not fit another (model folder, safetensors, text, …)',
    '  5    the output cannot be written',
    '  130  aborted',
  ].join('\n');
}
