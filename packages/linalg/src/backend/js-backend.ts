/**
 * The `js` backend: pure TypeScript blocked kernels. Always available; the reference backend.
 */
import { dgemmBlocked } from '../blas/dgemm-blocked';
import { sgemmBlocked } from '../blas/sgemm-blocked';
import type { LinalgBackend } from './types';

/**
 * The pure-TypeScript backend (blocked, register-tiled GEMM).
 *
 * @example
 * ```ts
 * registerBackend('js', jsBackend, 1);
 * ```
 */
export const jsBackend: LinalgBackend = {
  name: 'js',
  isAvailable: () => true,
  threads: () => 1,
  sgemm: sgemmBlocked,
  dgemm: dgemmBlocked,
};
