// Re-exports for the tests (through the package entry, as users import it).
import type { ProgressEvent } from '@caldera/core';

export * from '../src/index';
/** A progress event (alias for the tests). */
export type ProgressEventLike = ProgressEvent;
