/**
 * Error codes raised by `@caldera/core` and shared by every package.
 *
 * - `INVALID_ARGUMENT`: an argument has the wrong type, range or value.
 * - `ABORTED`: the operation was cancelled through its `AbortSignal`.
 * - `INTERNAL`: an invariant of the library itself was broken (a bug: please report it).
 */
export type CoreErrorCode = 'INVALID_ARGUMENT' | 'ABORTED' | 'INTERNAL';
