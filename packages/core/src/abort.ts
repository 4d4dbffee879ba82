import { CalderaError } from './error';

/**
 * Throws a `CalderaError` with code `ABORTED` when `signal` has been aborted.
 * Long loops call this between steps so that cancellation is prompt.
 *
 * @param signal - the caller's signal, if any
 * @param what - the operation being cancelled, for the message
 * @throws CalderaError `ABORTED`
 * @example
 * ```ts
 * const ac = new AbortController();
 * ac.abort();
 * throwIfAborted(ac.signal, 'compress'); // throws CalderaError('ABORTED')
 * ```
 */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'operation'): void {
  if (signal?.aborted) {
    throw new CalderaError('ABORTED', `${what} was aborted`, { cause: signal.reason });
  }
}
