/**
 * Goethals–Seidel construction: four ±1 circulant matrices A, B, C, D of order n with
 * AAᵀ + BBᵀ + CCᵀ + DDᵀ = 4n·I (equivalently: their periodic autocorrelations sum to 0 at every
 * non-zero shift) give a Hadamard matrix of order 4n,
 *
 *     [  A     BR    CR    DR  ]
 *     [ −BR    A     DᵀR  −CᵀR ]
 *     [ −CR   −DᵀR   A     BᵀR ]
 *     [ −DR    CᵀR  −BᵀR   A   ]
 *
 * with R the back-diagonal identity. Williamson quadruples (symmetric circulants) are a special
 * case. The quadruples for n = 29, 39, 43 (orders 116, 156, 172) were found by this project's own
 * meet-in-the-middle search (not copied from any library):
 * - n = 29: symmetric (Williamson) sequences with row sums 1, 3, 5, 9, paired by periodic
 *   autocorrelation after a power-spectrum filter;
 * - n = 39: sequences constant on the orbits of the multiplier group {1, 5, 25, 8} ⊂ Z₃₉*;
 * - n = 43: symmetric sequences constant on the orbits of the order-6 subgroup ⟨7⟩ ⊂ Z₄₃*.
 * `hadamardMatrix` tests H·Hᵀ = K·I for each of them.
 */
import { CalderaError } from '@caldera/core';

/** First rows (`+` = 1, `-` = −1) of the circulants A, B, C, D for each supported n. */
const QUADRUPLES: Readonly<Record<number, readonly [string, string, string, string]>> = {
  29: [
    '++-+++--+-++------++-+--+++-+',
    '-++---++--+-++++++-+--++---++',
    '++-+-+++-++-+----+-++-+++-+-+',
    '+++-+---++++-++++-++++---+-++',
  ],
  39: [
    '+------+----+++--+++-+-+--++++-+--++-++',
    '+-++---+--+++-++++++-+-++--+++-+--+++++',
    '+---+-+--+--+-----+-++++---++++-++---+-',
    '+--++-++-+-----+-+-++-+++---+++-++-+++-',
  ],
  43: [
    '+---++--++++-+-+++-++--++-+++-+-++++--++---',
    '++---++++-+--+--++--------++--+--+-++++---+',
    '+++-+-++--+-+-++++-+----+-++++-+-+--++-+-++',
    '++-++++++----+-+--++-++-++--+-+----++++++-+',
  ],
};

/**
 * Periodic autocorrelation sum Σᵢ Σⱼ xᵢ[j]·xᵢ[(j+s) mod n] of a set of ±1 sequences.
 *
 * @param seqs - sequences of equal length n
 * @param s - the shift
 * @returns the summed autocorrelation at shift s
 * @example
 * ```ts
 * periodicAutocorrelation([[1, 1, -1]], 1); // -1
 * ```
 */
export function periodicAutocorrelation(seqs: readonly (readonly number[])[], s: number): number {
  let acc = 0;
  for (const x of seqs) {
    const n = x.length;
    for (let j = 0; j < n; j++) acc += x[j]! * x[(j + s) % n]!;
  }
  return acc;
}

/**
 * Builds the Goethals–Seidel Hadamard matrix of order 4n from four circulant first rows.
 *
 * @param rows - first rows of A, B, C, D (±1, equal length n)
 * @returns the 4n×4n ±1 matrix, row-major (Hadamard iff the rows form a GS quadruple)
 * @example
 * ```ts
 * goethalsSeidel([[1], [1], [1], [1]]); // a 4×4 Hadamard matrix
 * ```
 */
export function goethalsSeidel(rows: readonly (readonly number[])[]): Int8Array {
  const n = rows[0]!.length;
  const m = 4 * n;
  const h = new Int8Array(m * m);
  const [a, b, c, d] = rows as [
    readonly number[],
    readonly number[],
    readonly number[],
    readonly number[],
  ];
  // circ(x)[i][j] = x[(j − i) mod n]; (X R)[i][j] = X[i][n−1−j]; Xᵀ[i][j] = x[(i − j) mod n]
  const circ = (x: readonly number[], i: number, j: number) => x[(((j - i) % n) + n) % n]!;
  const circR = (x: readonly number[], i: number, j: number) => circ(x, i, n - 1 - j);
  const circTR = (x: readonly number[], i: number, j: number) => circ(x, n - 1 - j, i);
  type Cell = (i: number, j: number) => number;
  const blocks: Cell[][] = [
    [
      (i, j) => circ(a, i, j),
      (i, j) => circR(b, i, j),
      (i, j) => circR(c, i, j),
      (i, j) => circR(d, i, j),
    ],
    [
      (i, j) => -circR(b, i, j),
      (i, j) => circ(a, i, j),
      (i, j) => circTR(d, i, j),
      (i, j) => -circTR(c, i, j),
    ],
    [
      (i, j) => -circR(c, i, j),
      (i, j) => -circTR(d, i, j),
      (i, j) => circ(a, i, j),
      (i, j) => circTR(b, i, j),
    ],
    [
      (i, j) => -circR(d, i, j),
      (i, j) => circTR(c, i, j),
      (i, j) => -circTR(b, i, j),
      (i, j) => circ(a, i, j),
    ],
  ];
  for (let bi = 0; bi < 4; bi++) {
    for (let bj = 0; bj < 4; bj++) {
      const cell = blocks[bi]![bj]!;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) h[(bi * n + i) * m + bj * n + j] = cell(i, j);
      }
    }
  }
  return h;
}

/**
 * The stored Goethals–Seidel quadruple of order n (29, 39 or 43) as ±1 arrays.
 *
 * @param n - circulant order
 * @returns the four first rows
 * @throws CalderaError `UNSUPPORTED_DIMENSION` when no quadruple of that order is stored
 * @example
 * ```ts
 * gsQuadruple(29).length; // 4
 * ```
 */
export function gsQuadruple(n: number): number[][] {
  const q = QUADRUPLES[n];
  if (q === undefined) {
    throw new CalderaError(
      'UNSUPPORTED_DIMENSION',
      `gsQuadruple: no Goethals–Seidel quadruple of order ${n}`,
    );
  }
  return q.map((s) => [...s].map((ch) => (ch === '+' ? 1 : -1)));
}
