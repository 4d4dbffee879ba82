/**
 * Matrix–vector products straight from 4-bit uniform codes (quant's LSB-first bit stream,
 * eight codes per little-endian 32-bit word), group by group: per group of columns the kernel
 * forms Σ code·x and applies the group's scale and offset once,
 *
 *   y_i = Σ_g scale_g · (Σ_{j∈g} code_j·x_j − mid · S_g) + offset_g · S_g,   S_g = Σ_{j∈g} x_j,
 *
 * which equals Σ_j (offset_g + (code_j − mid)·scale_g)·x_j, the dequantised row times x.
 */

/**
 * Group sums `sums[sumsOff + g] = Σ_{j ∈ group g} x[xOff + j]` of one input row.
 *
 * @param x - input row (n values from xOff)
 * @param xOff - offset of x
 * @param n - columns
 * @param groupSize - columns per group
 * @param sums - output, ⌈n / groupSize⌉ values from sumsOff
 * @param sumsOff - offset of sums
 * @example
 * ```ts
 * uniformGroupSums(x64, 0, 256, 64, sums, 0);
 * ```
 */
export function uniformGroupSums(
  x: Float64Array,
  xOff: number,
  n: number,
  groupSize: number,
  sums: Float64Array,
  sumsOff: number,
): void {
  for (let g = 0, j0 = 0; j0 < n; g++, j0 += groupSize) {
    const end = Math.min(n, j0 + groupSize);
    let s = 0;
    for (let j = j0; j < end; j++) s += x[xOff + j]!;
    sums[sumsOff + g] = s;
  }
}

/**
 * `out[outOff + i] = Σ_j W[r0 + i, j] · x[xOff + j]` for i < count, with W the dequantised
 * 4-bit matrix (rows × n, codes packed eight per word, row r starting at word r·n/8).
 * Requires n and groupSize to be multiples of 8.
 *
 * @param words - the code stream as 32-bit little-endian words
 * @param n - columns (multiple of 8)
 * @param groupSize - columns per group (multiple of 8)
 * @param r0 - first row
 * @param count - number of rows
 * @param x - input row (float64), n values from xOff
 * @param xOff - offset of x
 * @param sums - {@link uniformGroupSums} of x
 * @param sumsOff - offset of sums
 * @param scales - per-group scales, rows × ⌈n / groupSize⌉
 * @param offsets - per-group offsets (ignored when symmetric)
 * @param mid - the code of zero (symmetric: 7; asymmetric: 0)
 * @param symmetric - whether offsets are absent (zero)
 * @param out - output; row i at outOff + i
 * @param outOff - offset of out
 * @example
 * ```ts
 * uniform4DotRows(words, 256, 64, 0, 688, x64, 0, sums, 0, scales, offsets, 0, false, y, 0);
 * ```
 */
export function uniform4DotRows(
  words: Uint32Array,
  n: number,
  groupSize: number,
  r0: number,
  count: number,
  x: Float64Array,
  xOff: number,
  sums: Float64Array,
  sumsOff: number,
  scales: Float32Array,
  offsets: Float32Array,
  mid: number,
  symmetric: boolean,
  out: Float32Array,
  outOff: number,
): void {
  const wpr = n >>> 3;
  const gpr = Math.ceil(n / groupSize);
  const wpg = groupSize >>> 3;
  for (let i = 0; i < count; i++) {
    const r = r0 + i;
    let acc = 0;
    for (let g = 0; g < gpr; g++) {
      const w0 = r * wpr + g * wpg;
      const w1 = Math.min(r * wpr + wpr, w0 + wpg);
      let s0 = 0;
      let s1 = 0;
      for (let w = w0; w < w1; w++) {
        const c = words[w]!;
        const xb = xOff + ((w - r * wpr) << 3);
        s0 +=
          (c & 15) * x[xb]! +
          ((c >>> 4) & 15) * x[xb + 1]! +
          ((c >>> 8) & 15) * x[xb + 2]! +
          ((c >>> 12) & 15) * x[xb + 3]!;
        s1 +=
          ((c >>> 16) & 15) * x[xb + 4]! +
          ((c >>> 20) & 15) * x[xb + 5]! +
          ((c >>> 24) & 15) * x[xb + 6]! +
          (c >>> 28) * x[xb + 7]!;
      }
      const sg = sums[sumsOff + g]!;
      const k = r * gpr + g;
      acc += scales[k]! * (s0 + s1 - mid * sg);
      if (!symmetric) acc += offsets[k]! * sg;
    }
    out[outOff + i] = acc;
  }
}
