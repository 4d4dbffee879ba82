/**
 * Products straight from E8P12 codes through a packed integer codebook. Every E8P12
 * codeword (algorithms.md §6.1) has coordinates in ¼ℤ with |4·value| ≤ 11, so 4·codeword fits
 * eight signed 8-bit lanes: two `Int32` words per code, 512 KiB for all 65536 codes. A product
 * then costs two table reads and eight shift-extracts per 8 weights (no sign or shift tables),
 * and the matrix–vector kernel walks two output rows at once so each input value is read once
 * per pair. The plain references are {@link e8pDotRowsReference} and
 * {@link e8pAccumulateColumnsReference}, which decode through `@caldera/quant`'s codebook.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { e8pCodebook } from '@caldera/quant';

let packedTable: Int32Array | undefined;

/**
 * The packed E8P12 table: for code c, `table[2c]` holds lanes 0–3 and `table[2c + 1]` lanes
 * 4–7 of 4·codeword(c), lane l in bits 8l…8l+7 (two's complement). Built once from
 * `@caldera/quant`'s `e8pCodebook()`.
 *
 * @returns the shared 131072-entry table
 * @throws CalderaError `UNSUPPORTED_LAYER` if a codeword is not in ¼ℤ ∩ [−32, 31.75]
 * @example
 * ```ts
 * const t = e8pPackedTable();
 * const lane0 = (t[2 * code]! << 24) >> 24; // 4 · codeword(code)[0]
 * ```
 */
export function e8pPackedTable(): Int32Array {
  if (packedTable) return packedTable;
  const cb = e8pCodebook();
  const table = new Int32Array(65536 * 2);
  for (let c = 0; c < 65536; c++) {
    for (let h = 0; h < 2; h++) {
      let word = 0;
      for (let l = 0; l < 4; l++) {
        const v = cb[c * 8 + h * 4 + l]! * 4;
        if (!Number.isInteger(v) || v < -128 || v > 127) {
          throw new CalderaError(
            'UNSUPPORTED_LAYER',
            `e8pPackedTable: codeword ${c} has a coordinate ${describeValue(v / 4)} outside ¼ℤ ∩ [−32, 32)`,
          );
        }
        word |= (v & 255) << (8 * l);
      }
      table[c * 2 + h] = word;
    }
  }
  packedTable = table;
  return table;
}

/**
 * `out[outOff + i] (=|+=) alpha · Σ_v ⟨4·codeword(codes[(r0 + i)·vpr + v]), x[xOff + 8v … +8)⟩`
 * for i < count: a row-major matrix of E8P12 codes (vpr codes per row) times one vector.
 * With `alpha = scale / 4` this is `A·x` for A = scale · codeword.
 *
 * @param table - {@link e8pPackedTable}
 * @param codes - E8P12 codes, row-major, `vpr` per row
 * @param vpr - codes (8-vectors) per row
 * @param r0 - first row
 * @param count - number of rows
 * @param x - the input (float64 avoids per-read conversions), 8·vpr values from xOff
 * @param xOff - offset of x
 * @param alpha - factor applied to each sum
 * @param out - output; row i at outOff + i
 * @param outOff - offset of out
 * @param accumulate - add into out instead of overwriting
 * @example
 * ```ts
 * e8pDotRows(e8pPackedTable(), codes, 32, 0, 256, x64, 0, scale / 4, y, 0, false);
 * ```
 */
export function e8pDotRows(
  table: Int32Array,
  codes: Uint16Array,
  vpr: number,
  r0: number,
  count: number,
  x: Float64Array,
  xOff: number,
  alpha: number,
  out: Float32Array,
  outOff: number,
  accumulate: boolean,
): void {
  let i = 0;
  for (; i + 1 < count; i += 2) {
    const ca = (r0 + i) * vpr;
    const cb = ca + vpr;
    let a0 = 0;
    let a1 = 0;
    let b0 = 0;
    let b1 = 0;
    for (let v = 0; v < vpr; v++) {
      const pa = codes[ca + v]! << 1;
      const pb = codes[cb + v]! << 1;
      const wa = table[pa]!;
      const wb = table[pb]!;
      const xb = xOff + (v << 3);
      const x0 = x[xb]!;
      const x1 = x[xb + 1]!;
      const x2 = x[xb + 2]!;
      const x3 = x[xb + 3]!;
      a0 +=
        ((wa << 24) >> 24) * x0 +
        ((wa << 16) >> 24) * x1 +
        ((wa << 8) >> 24) * x2 +
        (wa >> 24) * x3;
      b0 +=
        ((wb << 24) >> 24) * x0 +
        ((wb << 16) >> 24) * x1 +
        ((wb << 8) >> 24) * x2 +
        (wb >> 24) * x3;
      const ua = table[pa + 1]!;
      const ub = table[pb + 1]!;
      const x4 = x[xb + 4]!;
      const x5 = x[xb + 5]!;
      const x6 = x[xb + 6]!;
      const x7 = x[xb + 7]!;
      a1 +=
        ((ua << 24) >> 24) * x4 +
        ((ua << 16) >> 24) * x5 +
        ((ua << 8) >> 24) * x6 +
        (ua >> 24) * x7;
      b1 +=
        ((ub << 24) >> 24) * x4 +
        ((ub << 16) >> 24) * x5 +
        ((ub << 8) >> 24) * x6 +
        (ub >> 24) * x7;
    }
    const sa = (a0 + a1) * alpha;
    const sb = (b0 + b1) * alpha;
    if (accumulate) {
      out[outOff + i]! += sa;
      out[outOff + i + 1]! += sb;
    } else {
      out[outOff + i] = sa;
      out[outOff + i + 1] = sb;
    }
  }
  if (i < count) {
    const ca = (r0 + i) * vpr;
    let a0 = 0;
    let a1 = 0;
    for (let v = 0; v < vpr; v++) {
      const pa = codes[ca + v]! << 1;
      const wa = table[pa]!;
      const ua = table[pa + 1]!;
      const xb = xOff + (v << 3);
      a0 +=
        ((wa << 24) >> 24) * x[xb]! +
        ((wa << 16) >> 24) * x[xb + 1]! +
        ((wa << 8) >> 24) * x[xb + 2]! +
        (wa >> 24) * x[xb + 3]!;
      a1 +=
        ((ua << 24) >> 24) * x[xb + 4]! +
        ((ua << 16) >> 24) * x[xb + 5]! +
        ((ua << 8) >> 24) * x[xb + 6]! +
        (ua >> 24) * x[xb + 7]!;
    }
    const sa = (a0 + a1) * alpha;
    if (accumulate) out[outOff + i]! += sa;
    else out[outOff + i] = sa;
  }
}

/**
 * `out[outOff + 8v + k] += alpha · Σ_i t[tOff + i] · 4·codeword(codes[i·vpr + v])[k]` for
 * i < rows, v < vpr, k < 8: one row vector times a row-major matrix of E8P12 codes (Y += t·A
 * with `alpha = scale / 4`). Each column group's eight sums stay in registers over all rows.
 *
 * @param table - {@link e8pPackedTable}
 * @param codes - E8P12 codes, row-major, `vpr` per row
 * @param vpr - codes per row
 * @param rows - number of rows (length of t)
 * @param t - the row vector, from tOff
 * @param tOff - offset of t
 * @param alpha - factor applied to each sum
 * @param out - accumulated into, 8·vpr values from outOff
 * @param outOff - offset of out
 * @example
 * ```ts
 * e8pAccumulateColumns(e8pPackedTable(), codes, 86, 32, t, 0, scale / 4, y, 0);
 * ```
 */
export function e8pAccumulateColumns(
  table: Int32Array,
  codes: Uint16Array,
  vpr: number,
  rows: number,
  t: Float32Array,
  tOff: number,
  alpha: number,
  out: Float32Array,
  outOff: number,
): void {
  for (let v = 0; v < vpr; v++) {
    let g0 = 0;
    let g1 = 0;
    let g2 = 0;
    let g3 = 0;
    let g4 = 0;
    let g5 = 0;
    let g6 = 0;
    let g7 = 0;
    for (let i = 0; i < rows; i++) {
      const w = t[tOff + i]!;
      const p = codes[i * vpr + v]! << 1;
      const a = table[p]!;
      const b = table[p + 1]!;
      g0 += w * ((a << 24) >> 24);
      g1 += w * ((a << 16) >> 24);
      g2 += w * ((a << 8) >> 24);
      g3 += w * (a >> 24);
      g4 += w * ((b << 24) >> 24);
      g5 += w * ((b << 16) >> 24);
      g6 += w * ((b << 8) >> 24);
      g7 += w * (b >> 24);
    }
    const o = outOff + 8 * v;
    out[o]! += g0 * alpha;
    out[o + 1]! += g1 * alpha;
    out[o + 2]! += g2 * alpha;
    out[o + 3]! += g3 * alpha;
    out[o + 4]! += g4 * alpha;
    out[o + 5]! += g5 * alpha;
    out[o + 6]! += g6 * alpha;
    out[o + 7]! += g7 * alpha;
  }
}

/**
 * Plain reference of {@link e8pDotRows} through `@caldera/quant`'s float codebook:
 * `out[i] = alpha · Σ_j 4·A[r0 + i, j] · x[xOff + j]` (overwrites).
 *
 * @param codes - E8P12 codes, row-major
 * @param vpr - codes per row
 * @param r0 - first row
 * @param count - rows
 * @param x - input
 * @param xOff - offset of x
 * @param alpha - factor
 * @returns the `count` sums
 * @example
 * ```ts
 * const ref = e8pDotRowsReference(codes, 32, 0, 256, x64, 0, 1);
 * ```
 */
export function e8pDotRowsReference(
  codes: Uint16Array,
  vpr: number,
  r0: number,
  count: number,
  x: Float64Array,
  xOff: number,
  alpha: number,
): Float64Array {
  const cb = e8pCodebook();
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let v = 0; v < vpr; v++) {
      const c = codes[(r0 + i) * vpr + v]!;
      for (let k = 0; k < 8; k++) s += 4 * cb[c * 8 + k]! * x[xOff + 8 * v + k]!;
    }
    out[i] = s * alpha;
  }
  return out;
}

/**
 * Plain reference of {@link e8pAccumulateColumns}: returns
 * `alpha · Σ_i t[tOff + i] · 4·A[i, ·]` (8·vpr values) without accumulating.
 *
 * @param codes - E8P12 codes, row-major
 * @param vpr - codes per row
 * @param rows - rows
 * @param t - row vector
 * @param tOff - offset of t
 * @param alpha - factor
 * @returns the 8·vpr sums
 * @example
 * ```ts
 * const ref = e8pAccumulateColumnsReference(codes, 86, 32, t, 0, 1);
 * ```
 */
export function e8pAccumulateColumnsReference(
  codes: Uint16Array,
  vpr: number,
  rows: number,
  t: Float32Array,
  tOff: number,
  alpha: number,
): Float64Array {
  const cb = e8pCodebook();
  const out = new Float64Array(8 * vpr);
  for (let i = 0; i < rows; i++)
    for (let v = 0; v < vpr; v++) {
      const c = codes[i * vpr + v]!;
      for (let k = 0; k < 8; k++) out[8 * v + k]! += t[tOff + i]! * 4 * cb[c * 8 + k]!;
    }
  for (let j = 0; j < out.length; j++) out[j]! *= alpha;
  return out;
}
