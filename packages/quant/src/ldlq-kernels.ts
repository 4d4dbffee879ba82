/**
 * Inner kernels of LDLQ (see ldlq-core.ts): unrolled tune targets, the fused G updates, the
 * per-row block loss, the total loss, and the inverses of H's diagonal blocks. Internal: not
 * exported from the package.
 */

/**
 * Tune targets for g = 8 (unrolled): tb[q] = Ŵ[r, block] + G[r, block] · H_kk⁻¹ for the rows
 * r = rows[q], q < count.
 *
 * @param what - Ŵ, m × n
 * @param gm - G = (B − Ŵ)H, m × n
 * @param hinv - the inverses of H's diagonal blocks, K × 8 × 8
 * @param tb - output, count × 8
 * @param rows - the row indices
 * @param count - how many of `rows` to use
 * @param n - columns
 * @param c0 - first column of the block
 * @param hi - offset of the block's inverse in `hinv`
 * @example
 * ```ts
 * tuneTargets8(what, gm, hinv, tb, rows, count, n, 8 * k, 64 * k);
 * ```
 */
export function tuneTargets8(
  what: Float64Array,
  gm: Float64Array,
  hinv: Float64Array,
  tb: Float64Array,
  rows: Int32Array,
  count: number,
  n: number,
  c0: number,
  hi: number,
): void {
  for (let q = 0; q < count; q++) {
    const o = rows[q]! * n + c0;
    const g0 = gm[o]!;
    const g1 = gm[o + 1]!;
    const g2 = gm[o + 2]!;
    const g3 = gm[o + 3]!;
    const g4 = gm[o + 4]!;
    const g5 = gm[o + 5]!;
    const g6 = gm[o + 6]!;
    const g7 = gm[o + 7]!;
    for (let j = 0; j < 8; j++) {
      const h = hi + j;
      tb[q * 8 + j] =
        what[o + j]! +
        g0 * hinv[h]! +
        g1 * hinv[h + 8]! +
        g2 * hinv[h + 16]! +
        g3 * hinv[h + 24]! +
        g4 * hinv[h + 32]! +
        g5 * hinv[h + 40]! +
        g6 * hinv[h + 48]! +
        g7 * hinv[h + 56]!;
    }
  }
}

/**
 * G[idx_q, :] −= Δ_q · H[c0 … c0+g−1, :] for the `nc` gathered rows (one fused pass per G row;
 * for g = 8 two rows per pass share the H loads, and every element is updated as
 * g − (((Δ₀h₀ + Δ₁h₁) + …) + Δ₇h₇), the expression of the wasm kernel of ldlq-wasm.ts).
 *
 * @param nc - number of gathered rows
 * @param idx - their row indices
 * @param dc - their changes Δ, nc × g
 * @param h - H, n × n
 * @param gm - G, m × n, updated in place
 * @param n - columns
 * @param g - block size
 * @param c0 - first column of the block
 * @returns 0 (the new fill count of the gather buffers)
 * @example
 * ```ts
 * nc = flushUpdates(nc, idx, dc, h, gm, n, 8, 8 * k);
 * ```
 */
export function flushUpdates(
  nc: number,
  idx: Int32Array,
  dc: Float64Array,
  h: Float64Array,
  gm: Float64Array,
  n: number,
  g: number,
  c0: number,
): number {
  const h0 = c0 * n;
  let q = 0;
  if (g === 8) {
    // two rows per pass share the eight H loads
    for (; q + 1 < nc; q += 2) {
      const ga = idx[q]! * n;
      const gb = idx[q + 1]! * n;
      const d = q * 8;
      const a0 = dc[d]!;
      const a1 = dc[d + 1]!;
      const a2 = dc[d + 2]!;
      const a3 = dc[d + 3]!;
      const a4 = dc[d + 4]!;
      const a5 = dc[d + 5]!;
      const a6 = dc[d + 6]!;
      const a7 = dc[d + 7]!;
      const b0 = dc[d + 8]!;
      const b1 = dc[d + 9]!;
      const b2 = dc[d + 10]!;
      const b3 = dc[d + 11]!;
      const b4 = dc[d + 12]!;
      const b5 = dc[d + 13]!;
      const b6 = dc[d + 14]!;
      const b7 = dc[d + 15]!;
      for (let j = 0; j < n; j++) {
        const a = h0 + j;
        const h0j = h[a]!;
        const h1j = h[a + n]!;
        const h2j = h[a + 2 * n]!;
        const h3j = h[a + 3 * n]!;
        const h4j = h[a + 4 * n]!;
        const h5j = h[a + 5 * n]!;
        const h6j = h[a + 6 * n]!;
        const h7j = h[a + 7 * n]!;
        gm[ga + j] =
          gm[ga + j]! -
          (a0 * h0j + a1 * h1j + a2 * h2j + a3 * h3j + a4 * h4j + a5 * h5j + a6 * h6j + a7 * h7j);
        gm[gb + j] =
          gm[gb + j]! -
          (b0 * h0j + b1 * h1j + b2 * h2j + b3 * h3j + b4 * h4j + b5 * h5j + b6 * h6j + b7 * h7j);
      }
    }
  }
  if (g === 8 && q < nc) {
    // the last odd row: the same expression as the pairs (and the wasm kernel)
    const ga = idx[q]! * n;
    const d = q * 8;
    const a0 = dc[d]!;
    const a1 = dc[d + 1]!;
    const a2 = dc[d + 2]!;
    const a3 = dc[d + 3]!;
    const a4 = dc[d + 4]!;
    const a5 = dc[d + 5]!;
    const a6 = dc[d + 6]!;
    const a7 = dc[d + 7]!;
    for (let j = 0; j < n; j++) {
      const a = h0 + j;
      gm[ga + j] =
        gm[ga + j]! -
        (a0 * h[a]! +
          a1 * h[a + n]! +
          a2 * h[a + 2 * n]! +
          a3 * h[a + 3 * n]! +
          a4 * h[a + 4 * n]! +
          a5 * h[a + 5 * n]! +
          a6 * h[a + 6 * n]! +
          a7 * h[a + 7 * n]!);
    }
    q++;
  }
  for (; q < nc; q++) {
    const gr = idx[q]! * n;
    const d = q * g;
    for (let i = 0; i < g; i++) {
      const di = dc[d + i]!;
      if (di === 0) continue;
      const hr = h0 + i * n;
      for (let j = 0; j < n; j++) gm[gr + j] = gm[gr + j]! - di * h[hr + j]!;
    }
  }
  return 0;
}

/**
 * The block loss (v − t) H_kk (v − t)ᵀ of row r.
 *
 * @param v - values; row r's block read at `vOff`
 * @param t - targets, m × g
 * @param r - the row
 * @param g - block size
 * @param hkk - H_kk, g × g
 * @param vOff - offset of row r's block in `v` (default r·g)
 * @returns the quadratic form
 * @example
 * ```ts
 * quadAround(ob, tb, r, 8, hkk) <= quadAround(what, tb, r, 8, hkk, r * n + c0);
 * ```
 */
export function quadAround(
  v: Float64Array,
  t: Float64Array,
  r: number,
  g: number,
  hkk: Float64Array,
  vOff = r * g,
): number {
  let q = 0;
  for (let i = 0; i < g; i++) {
    const ei = v[vOff + i]! - t[r * g + i]!;
    let s = 0;
    for (let j = 0; j < g; j++) s += hkk[i * g + j]! * (v[vOff + j]! - t[r * g + j]!);
    q += ei * s;
  }
  return q;
}

/**
 * tr(E Gᵀ) = tr(E H Eᵀ) with E = B − Ŵ and G = E H.
 *
 * @param b - B
 * @param what - Ŵ
 * @param gm - G
 * @returns the H-weighted loss
 * @example
 * ```ts
 * loss(Float64Array.of(1), Float64Array.of(0), Float64Array.of(2)); // 2
 * ```
 */
export function loss(b: Float64Array, what: Float64Array, gm: Float64Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += (b[i]! - what[i]!) * gm[i]!;
  return s;
}

/**
 * Inverses of the g × g diagonal blocks of H (Gauss–Jordan with partial pivoting).
 *
 * @param h - H, n × n
 * @param n - order (multiple of g)
 * @param g - block size
 * @returns K × g × g inverses, K = n / g
 * @example
 * ```ts
 * blockInverses(Float64Array.of(2), 1, 1); // Float64Array [0.5]
 * ```
 */
export function blockInverses(h: Float64Array, n: number, g: number): Float64Array {
  const K = n / g;
  const out = new Float64Array(K * g * g);
  const a = new Float64Array(g * 2 * g);
  for (let k = 0; k < K; k++) {
    const c0 = k * g;
    for (let i = 0; i < g; i++) {
      for (let j = 0; j < g; j++) a[i * 2 * g + j] = h[(c0 + i) * n + c0 + j]!;
      for (let j = 0; j < g; j++) a[i * 2 * g + g + j] = i === j ? 1 : 0;
    }
    for (let c = 0; c < g; c++) {
      let p = c;
      for (let i = c + 1; i < g; i++)
        if (Math.abs(a[i * 2 * g + c]!) > Math.abs(a[p * 2 * g + c]!)) p = i;
      if (p !== c) {
        for (let j = 0; j < 2 * g; j++) {
          const tmp = a[c * 2 * g + j]!;
          a[c * 2 * g + j] = a[p * 2 * g + j]!;
          a[p * 2 * g + j] = tmp;
        }
      }
      const piv = a[c * 2 * g + c]!;
      for (let j = 0; j < 2 * g; j++) a[c * 2 * g + j]! /= piv;
      for (let i = 0; i < g; i++) {
        if (i === c) continue;
        const f = a[i * 2 * g + c]!;
        if (f === 0) continue;
        for (let j = 0; j < 2 * g; j++) a[i * 2 * g + j]! -= f * a[c * 2 * g + j]!;
      }
    }
    for (let i = 0; i < g; i++)
      for (let j = 0; j < g; j++) out[k * g * g + i * g + j] = a[i * 2 * g + g + j]!;
  }
  return out;
}
