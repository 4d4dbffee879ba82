/**
 * Paley constructions of Hadamard matrices from the quadratic character χ of GF(q).
 *
 * Jacobsthal matrix Q[a][b] = χ(a − b) (q×q, QQᵀ = qI − J, Q·1 = 0). Conference matrix of order
 * q+1: C = [[0, 1ᵀ], [±1, Q]].
 * - Paley I (q ≡ 3 mod 4): Q is skew, C = [[0, 1ᵀ], [−1, Q]] is skew with CCᵀ = qI, and
 *   H = I + C is Hadamard of order q + 1.
 * - Paley II (q ≡ 1 mod 4): Q is symmetric, C = [[0, 1ᵀ], [1, Q]] is symmetric with C² = qI, and
 *   H = C ⊗ [[1, 1], [1, −1]] + I ⊗ [[1, −1], [−1, −1]] is Hadamard of order 2(q + 1).
 */
import { CalderaError } from '@caldera/core';
import { galoisField } from './galois-field';

function conference(q: number, skew: boolean): Int8Array {
  const f = galoisField(q);
  const n = q + 1;
  const c = new Int8Array(n * n);
  for (let j = 1; j < n; j++) {
    c[j] = 1;
    c[j * n] = skew ? -1 : 1;
  }
  for (let a = 0; a < q; a++)
    for (let b = 0; b < q; b++) c[(a + 1) * n + b + 1] = f.chi[f.sub[a * q + b]!]!;
  return c;
}

/**
 * Paley construction I: a Hadamard matrix of order q + 1 for a prime power q ≡ 3 (mod 4).
 *
 * @param q - prime power with q ≡ 3 (mod 4)
 * @returns the (q+1)×(q+1) ±1 matrix, row-major
 * @throws CalderaError `UNSUPPORTED_DIMENSION` when q is not such a prime power
 * @example
 * ```ts
 * const h = paleyI(11); // 12×12, h·hᵀ = 12·I
 * ```
 */
export function paleyI(q: number): Int8Array {
  if (q % 4 !== 3)
    throw new CalderaError('UNSUPPORTED_DIMENSION', `paleyI: q = ${q} is not 3 mod 4`);
  const n = q + 1;
  const h = conference(q, true);
  for (let i = 0; i < n; i++) h[i * n + i] = 1;
  return h;
}

/**
 * Paley construction II: a Hadamard matrix of order 2(q + 1) for a prime power q ≡ 1 (mod 4).
 *
 * @param q - prime power with q ≡ 1 (mod 4)
 * @returns the 2(q+1)×2(q+1) ±1 matrix, row-major
 * @throws CalderaError `UNSUPPORTED_DIMENSION` when q is not such a prime power
 * @example
 * ```ts
 * const h = paleyII(13); // 28×28, h·hᵀ = 28·I
 * ```
 */
export function paleyII(q: number): Int8Array {
  if (q % 4 !== 1)
    throw new CalderaError('UNSUPPORTED_DIMENSION', `paleyII: q = ${q} is not 1 mod 4`);
  const n = q + 1;
  const c = conference(q, false);
  const m = 2 * n;
  const h = new Int8Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = c[i * n + j]!;
      const r0 = 2 * i * m + 2 * j;
      const r1 = r0 + m;
      if (v === 0) {
        h[r0] = 1;
        h[r0 + 1] = -1;
        h[r1] = -1;
        h[r1 + 1] = -1;
      } else {
        h[r0] = v;
        h[r0 + 1] = v;
        h[r1] = v;
        h[r1 + 1] = -v;
      }
    }
  }
  return h;
}
