/**
 * The two-stage (E8P12-RVQ4B) forms of the packed E8P12 kernels: weight = α₁·4·codeword(c₁) +
 * α₂·4·codeword(c₂) with both stages read in one pass, so each input (or row weight) is read
 * once for the two codes. Equal to two calls of the one-stage kernels (their tests compare).
 */

/**
 * `out[outOff + i] (=|+=) Σ_v ⟨α₁·T(c₁) + α₂·T(c₂), x[xOff + 8v … +8)⟩` for rows r0 … r0 + count,
 * T(c) = 4·codeword(c) from the packed table, c₁/c₂ = codes1/codes2 at `(r0 + i)·vpr + v`.
 *
 * @param table - `e8pPackedTable()`
 * @param codes1 - stage-1 codes, row-major, vpr per row
 * @param codes2 - stage-2 codes, same layout
 * @param vpr - codes per row
 * @param r0 - first row
 * @param count - number of rows
 * @param x - input (float64), 8·vpr values from xOff
 * @param xOff - offset of x
 * @param alpha1 - stage-1 factor
 * @param alpha2 - stage-2 factor
 * @param out - output; row i at outOff + i
 * @param outOff - offset of out
 * @param accumulate - add into out instead of overwriting
 * @example
 * ```ts
 * e8pResidualDotRows(e8pPackedTable(), c1, c2, 32, 0, 32, x64, 0, s / 4, s / 4 / 3.45, t, 0, false);
 * ```
 */
export function e8pResidualDotRows(
  table: Int32Array,
  codes1: Uint16Array,
  codes2: Uint16Array,
  vpr: number,
  r0: number,
  count: number,
  x: Float64Array,
  xOff: number,
  alpha1: number,
  alpha2: number,
  out: Float32Array,
  outOff: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < count; i++) {
    const c0 = (r0 + i) * vpr;
    let a0 = 0;
    let a1 = 0;
    let b0 = 0;
    let b1 = 0;
    for (let v = 0; v < vpr; v++) {
      const pa = codes1[c0 + v]! << 1;
      const pb = codes2[c0 + v]! << 1;
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
    const s = (a0 + a1) * alpha1 + (b0 + b1) * alpha2;
    if (accumulate) out[outOff + i]! += s;
    else out[outOff + i] = s;
  }
}

/**
 * `out[outOff + 8v + k] += Σ_i t[tOff + i] · (α₁·T(c₁) + α₂·T(c₂))[k]` over i < rows, with
 * c₁/c₂ = codes1/codes2 at `i·vpr + v` (Y += t·A for a two-stage matrix A).
 *
 * @param table - `e8pPackedTable()`
 * @param codes1 - stage-1 codes, row-major, vpr per row
 * @param codes2 - stage-2 codes, same layout
 * @param vpr - codes per row
 * @param rows - number of rows (length of t)
 * @param t - row vector from tOff
 * @param tOff - offset of t
 * @param alpha1 - stage-1 factor
 * @param alpha2 - stage-2 factor
 * @param out - accumulated into, 8·vpr values from outOff
 * @param outOff - offset of out
 * @example
 * ```ts
 * e8pResidualAccumulateColumns(e8pPackedTable(), c1, c2, 86, 32, t, 0, a1, a2, y, 0);
 * ```
 */
export function e8pResidualAccumulateColumns(
  table: Int32Array,
  codes1: Uint16Array,
  codes2: Uint16Array,
  vpr: number,
  rows: number,
  t: Float32Array,
  tOff: number,
  alpha1: number,
  alpha2: number,
  out: Float32Array,
  outOff: number,
): void {
  if (alpha1 === 0) {
    if (alpha2 !== 0)
      e8pResidualAccumulateColumns(
        table,
        codes2,
        codes1,
        vpr,
        rows,
        t,
        tOff,
        alpha2,
        0,
        out,
        outOff,
      );
    return;
  }
  const ratio = alpha2 / alpha1;
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
      const u = w * ratio;
      const p = codes1[i * vpr + v]! << 1;
      const q = codes2[i * vpr + v]! << 1;
      const a = table[p]!;
      const b = table[p + 1]!;
      const c = table[q]!;
      const d = table[q + 1]!;
      g0 += w * ((a << 24) >> 24) + u * ((c << 24) >> 24);
      g1 += w * ((a << 16) >> 24) + u * ((c << 16) >> 24);
      g2 += w * ((a << 8) >> 24) + u * ((c << 8) >> 24);
      g3 += w * (a >> 24) + u * (c >> 24);
      g4 += w * ((b << 24) >> 24) + u * ((d << 24) >> 24);
      g5 += w * ((b << 16) >> 24) + u * ((d << 16) >> 24);
      g6 += w * ((b << 8) >> 24) + u * ((d << 8) >> 24);
      g7 += w * (b >> 24) + u * (d >> 24);
    }
    const o = outOff + 8 * v;
    out[o]! += g0 * alpha1;
    out[o + 1]! += g1 * alpha1;
    out[o + 2]! += g2 * alpha1;
    out[o + 3]! += g3 * alpha1;
    out[o + 4]! += g4 * alpha1;
    out[o + 5]! += g5 * alpha1;
    out[o + 6]! += g6 * alpha1;
    out[o + 7]! += g7 * alpha1;
  }
}
