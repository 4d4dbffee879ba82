/**
 * Dense Hadamard matrices of the orders K used by the randomized Hadamard transform
 * (algorithms.md §3), built from first principles:
 *
 * | K   | construction                         |
 * |-----|--------------------------------------|
 * | 1, 2^j | Sylvester: S[i][j] = (−1)^popcount(i & j) |
 * | 12, 20, 60, 108, 140 | Paley I, q = 11, 19, 59, 107, 139 |
 * | 28, 36, 52, 124 | Paley II, q = 13, 17, 25 (GF(5²)), 61 |
 * | 116, 156, 172 | Goethals–Seidel, n = 29, 39, 43 |
 */
import { CalderaError } from '@caldera/core';
import { goethalsSeidel, gsQuadruple } from './goethals-seidel';
import { paleyI, paleyII } from './paley';

/**
 * The non-power-of-two Hadamard orders K, in the order the plan tries them (algorithms.md §3).
 *
 * @example
 * ```ts
 * HADAMARD_ORDERS[0]; // 172
 * ```
 */
export const HADAMARD_ORDERS: readonly number[] = Object.freeze([
  172, 156, 140, 124, 116, 108, 60, 52, 36, 28, 20, 12,
]);

const cache = new Map<number, Int8Array>();
const cacheF32 = new Map<number, Float32Array>();

/**
 * Natural-order Sylvester–Walsh–Hadamard matrix S[i][j] = (−1)^popcount(i AND j).
 *
 * @param p - order, a power of two
 * @returns the p×p ±1 matrix, row-major
 * @throws CalderaError `UNSUPPORTED_DIMENSION` when p is not a power of two
 * @example
 * ```ts
 * sylvester(2); // Int8Array [1, 1, 1, -1]
 * ```
 */
export function sylvester(p: number): Int8Array {
  if (!Number.isInteger(p) || p < 1 || (p & (p - 1)) !== 0) {
    throw new CalderaError('UNSUPPORTED_DIMENSION', `sylvester: ${p} is not a power of two`, {
      details: { p },
    });
  }
  const h = new Int8Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let x = i & j;
      let parity = 0;
      while (x) {
        parity ^= 1;
        x &= x - 1;
      }
      h[i * p + j] = parity ? -1 : 1;
    }
  }
  return h;
}

function build(k: number): Int8Array {
  switch (k) {
    case 12:
    case 20:
    case 60:
    case 108:
    case 140:
      return paleyI(k - 1);
    case 28:
    case 36:
    case 52:
    case 124:
      return paleyII(k / 2 - 1);
    case 116:
    case 156:
    case 172:
      return goethalsSeidel(gsQuadruple(k / 4));
    default:
      return sylvester(k);
  }
}

/**
 * The K×K Hadamard matrix this package uses for order K (cached; do not modify the result).
 *
 * @param k - 1, a power of two, or one of {@link HADAMARD_ORDERS}
 * @returns a ±1 matrix H with H·Hᵀ = K·I, row-major
 * @throws CalderaError `UNSUPPORTED_DIMENSION` for any other order
 * @example
 * ```ts
 * const h = hadamardMatrix(12); // Int8Array(144), rows mutually orthogonal
 * ```
 */
export function hadamardMatrix(k: number): Int8Array {
  let h = cache.get(k);
  if (h === undefined) {
    if (!HADAMARD_ORDERS.includes(k) && !(Number.isInteger(k) && k >= 1 && (k & (k - 1)) === 0)) {
      throw new CalderaError(
        'UNSUPPORTED_DIMENSION',
        `hadamardMatrix: no construction for order ${k}`,
        {
          details: { k },
        },
      );
    }
    h = build(k);
    cache.set(k, h);
  }
  return h;
}

/**
 * {@link hadamardMatrix} as a cached `Float32Array` (for GEMM).
 *
 * @param k - the order
 * @returns the K×K matrix in float32 (do not modify)
 * @throws CalderaError `UNSUPPORTED_DIMENSION` for unsupported orders
 * @example
 * ```ts
 * hadamardMatrixF32(2); // Float32Array [1, 1, 1, -1]
 * ```
 */
export function hadamardMatrixF32(k: number): Float32Array {
  let h = cacheF32.get(k);
  if (h === undefined) {
    h = Float32Array.from(hadamardMatrix(k));
    cacheF32.set(k, h);
  }
  return h;
}
