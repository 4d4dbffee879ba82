/**
 * Small finite fields GF(q), q = p^k with k ≤ 3, as needed by the Paley constructions. Elements
 * are the integers 0…q−1, read as polynomials over GF(p) in base p (digit i = coefficient of xⁱ);
 * multiplication reduces modulo a monic irreducible polynomial found by search (a polynomial of
 * degree ≤ 3 is irreducible iff it has no root).
 */
import { CalderaError } from '@caldera/core';

/** Arithmetic tables of a finite field GF(q). */
export interface GaloisField {
  /** Field order q = p^k. */
  readonly q: number;
  /** Characteristic p. */
  readonly p: number;
  /** `sub[a·q + b]` = a − b. */
  readonly sub: Int32Array;
  /** `chi[a]` = quadratic character: 0 for a = 0, +1 for a non-zero square, −1 otherwise. */
  readonly chi: Int8Array;
}

function primePower(q: number): { p: number; k: number } | null {
  for (let p = 2; p <= q; p++) {
    if (q % p !== 0) continue;
    let r = q;
    let k = 0;
    while (r % p === 0) {
      r /= p;
      k++;
    }
    return r === 1 ? { p, k } : null;
  }
  return null;
}

function digits(a: number, p: number, k: number): number[] {
  const d: number[] = [];
  for (let i = 0; i < k; i++) {
    d.push(a % p);
    a = Math.floor(a / p);
  }
  return d;
}

function fromDigits(d: readonly number[], p: number): number {
  let a = 0;
  for (let i = d.length - 1; i >= 0; i--) a = a * p + d[i]!;
  return a;
}

/** Multiplies two elements given as digit arrays, reducing by the monic polynomial `mod` (k+1 digits). */
function polyMul(a: number[], b: number[], mod: number[], p: number, k: number): number[] {
  const prod = new Array<number>(2 * k - 1).fill(0);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) prod[i + j] = (prod[i + j]! + a[i]! * b[j]!) % p;
  for (let deg = 2 * k - 2; deg >= k; deg--) {
    const c = prod[deg]!;
    if (c === 0) continue;
    for (let i = 0; i <= k; i++)
      prod[deg - k + i] = (((prod[deg - k + i]! - c * mod[i]!) % p) + p) % p;
  }
  return prod.slice(0, k);
}

function findIrreducible(p: number, k: number): number[] {
  // monic x^k + c_{k-1} x^{k-1} + … + c_0 with no root in GF(p)
  for (let code = 0; code < p ** k; code++) {
    const c = digits(code, p, k);
    const poly = [...c, 1];
    let hasRoot = false;
    for (let x = 0; x < p && !hasRoot; x++) {
      let v = 0;
      for (let i = k; i >= 0; i--) v = (v * x + poly[i]!) % p;
      hasRoot = v === 0;
    }
    if (!hasRoot) return poly;
  }
  throw new CalderaError(
    'UNSUPPORTED_DIMENSION',
    `no irreducible polynomial of degree ${k} over GF(${p})`,
  );
}

/**
 * Builds the subtraction table and quadratic character of GF(q).
 *
 * @param q - a prime power p^k with k ≤ 3 (and q ≤ 1024)
 * @returns the field tables
 * @throws CalderaError `UNSUPPORTED_DIMENSION` when q is not such a prime power
 * @example
 * ```ts
 * const f = galoisField(7);
 * f.chi[2]; // 1 (2 = 3² mod 7)
 * f.chi[3]; // -1
 * ```
 */
export function galoisField(q: number): GaloisField {
  const pk = Number.isInteger(q) && q >= 2 && q <= 1024 ? primePower(q) : null;
  if (pk === null || pk.k > 3) {
    throw new CalderaError(
      'UNSUPPORTED_DIMENSION',
      `galoisField: ${q} is not a supported prime power`,
      {
        details: { q },
      },
    );
  }
  const { p, k } = pk;
  const sub = new Int32Array(q * q);
  for (let a = 0; a < q; a++) {
    const da = digits(a, p, k);
    for (let b = 0; b < q; b++) {
      const db = digits(b, p, k);
      sub[a * q + b] = fromDigits(
        da.map((x, i) => (x - db[i]! + p) % p),
        p,
      );
    }
  }
  const chi = new Int8Array(q).fill(-1);
  chi[0] = 0;
  const mod = k > 1 ? findIrreducible(p, k) : [0, 1];
  for (let a = 1; a < q; a++) {
    const da = digits(a, p, k);
    const sq = k > 1 ? polyMul(da, da, mod, p, k) : [(a * a) % p];
    chi[fromDigits(sq, p)] = 1;
  }
  return { q, p, sub, chi };
}
