/**
 * Packing of GEMM operands into the wasm memory layouts of the block kernel:
 *
 * - α·op(A) (m×k) as row panels of MR = 4: panel i holds, for p = 0…k−1, the 4 values
 *   `α·op(A)[4i + r, p]` (rows past m are zero);
 * - op(B) (k×n) as column panels of NR (8 float32 or 4 float64 values, two v128): panel j holds,
 *   for p = 0…k−1, `op(B)[p, NR·j + q]` (columns past n are zero).
 *
 * Full panels of A read 4 source rows side by side so that the writes stay contiguous; full panels
 * of Aᵀ and of B (`'N'`) are packed in blocks that read each source row segment once.
 */
import type { FloatArray, Transpose } from '../blas/types';
import { WASM_MR } from '../wasm/wasm-runtime';

/**
 * Packs α·op(A) into row panels of 4 starting at element `dst` of `mem`.
 *
 * @param mem - the wasm memory view (same precision as `a`)
 * @param dst - element index of the first panel
 * @param transA - op of A
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param offA - offset of A
 * @param m - rows of op(A)
 * @param k - columns of op(A)
 * @param alpha - scale folded into the packed values
 * @example
 * ```ts
 * packPanelsA(mem, 16, 'N', a, k, 0, m, k, 1);
 * ```
 */
export function packPanelsA(
  mem: FloatArray,
  dst: number,
  transA: Transpose,
  a: FloatArray,
  lda: number,
  offA: number,
  m: number,
  k: number,
  alpha: number,
): void {
  const mr = WASM_MR;
  const mp = Math.ceil(m / mr);
  let ipStart = 0;
  if (transA === 'T') {
    // full panels: blocks of panels read row p of A contiguously (see packTransposedRange)
    const full = Math.floor(m / mr);
    for (let ip = 0; ip < full; ip += PANEL_BLOCK) {
      packTransposedRange(
        mem,
        dst,
        a,
        lda,
        offA,
        k,
        alpha,
        ip,
        Math.min(full, ip + PANEL_BLOCK),
        mr,
      );
    }
    ipStart = full;
  }
  for (let ip = ipStart; ip < mp; ip++) {
    const rows = Math.min(mr, m - ip * mr);
    let d = dst + ip * mr * k;
    if (transA === 'N' && rows === 4) {
      const s0 = offA + ip * mr * lda;
      const s1 = s0 + lda;
      const s2 = s1 + lda;
      const s3 = s2 + lda;
      if (alpha === 1) {
        for (let p = 0; p < k; p++, d += 4) {
          mem[d] = a[s0 + p]!;
          mem[d + 1] = a[s1 + p]!;
          mem[d + 2] = a[s2 + p]!;
          mem[d + 3] = a[s3 + p]!;
        }
      } else {
        for (let p = 0; p < k; p++, d += 4) {
          mem[d] = alpha * a[s0 + p]!;
          mem[d + 1] = alpha * a[s1 + p]!;
          mem[d + 2] = alpha * a[s2 + p]!;
          mem[d + 3] = alpha * a[s3 + p]!;
        }
      }
    } else if (transA === 'N') {
      for (let p = 0; p < k; p++) {
        for (let r = 0; r < mr; r++) {
          mem[d++] = r < rows ? alpha * a[offA + (ip * mr + r) * lda + p]! : 0;
        }
      }
    } else {
      // the last, partial panel of Aᵀ (full ones were packed above)
      for (let p = 0; p < k; p++) {
        const src = offA + p * lda + ip * mr;
        for (let r = 0; r < mr; r++) mem[d++] = r < rows ? alpha * a[src + r]! : 0;
      }
    }
  }
}

/**
 * Packs op(B) into column panels of `nr` starting at element `dst` of `mem`.
 *
 * @param mem - the wasm memory view
 * @param dst - element index of the first panel
 * @param transB - op of B
 * @param b - storage of B
 * @param ldb - leading dimension of B
 * @param offB - offset of B
 * @param n - columns of op(B)
 * @param k - rows of op(B)
 * @param nr - panel width (8 for float32, 4 for float64)
 * @example
 * ```ts
 * packPanelsB(mem, 1024, 'T', b, k, 0, n, k, 8);
 * ```
 */
/** Panels packed together by the blocked paths: their source segment of a row is 256 bytes. */
const PANEL_BLOCK = 16;

/**
 * Packs full panels [ip0, ip1) of width `w` whose source values of step p are contiguous:
 * panel ip, step p holds `α·src[offS + p·lds + w·ip + q]`, q < w (Aᵀ for A panels, B for B
 * panels). Row p of the source is read as one contiguous segment for all panels of the block,
 * so every cache line is loaded once.
 */
function packTransposedRange(
  mem: FloatArray,
  dst: number,
  src: FloatArray,
  lds: number,
  offS: number,
  k: number,
  alpha: number,
  ip0: number,
  ip1: number,
  w: number,
): void {
  const panel = w * k;
  for (let p = 0; p < k; p++) {
    const row = offS + p * lds;
    let d = dst + ip0 * panel + p * w;
    let s = row + ip0 * w;
    for (let ip = ip0; ip < ip1; ip++, d += panel, s += w) {
      if (alpha === 1) for (let q = 0; q < w; q++) mem[d + q] = src[s + q]!;
      else for (let q = 0; q < w; q++) mem[d + q] = alpha * src[s + q]!;
    }
  }
}

export function packPanelsB(
  mem: FloatArray,
  dst: number,
  transB: Transpose,
  b: FloatArray,
  ldb: number,
  offB: number,
  n: number,
  k: number,
  nr: number,
): void {
  const np = Math.ceil(n / nr);
  let jpStart = 0;
  if (transB === 'N') {
    const full = Math.floor(n / nr);
    for (let jp = 0; jp < full; jp += PANEL_BLOCK) {
      packTransposedRange(mem, dst, b, ldb, offB, k, 1, jp, Math.min(full, jp + PANEL_BLOCK), nr);
    }
    jpStart = full;
  }
  for (let jp = jpStart; jp < np; jp++) {
    const cols = Math.min(nr, n - jp * nr);
    let d = dst + jp * nr * k;
    if (transB === 'N') {
      for (let p = 0; p < k; p++) {
        const src = offB + p * ldb + jp * nr;
        if (cols === nr) for (let q = 0; q < nr; q++) mem[d++] = b[src + q]!;
        else for (let q = 0; q < nr; q++) mem[d++] = q < cols ? b[src + q]! : 0;
      }
    } else if (cols === 8) {
      const s0 = offB + jp * 8 * ldb;
      const s1 = s0 + ldb;
      const s2 = s1 + ldb;
      const s3 = s2 + ldb;
      const s4 = s3 + ldb;
      const s5 = s4 + ldb;
      const s6 = s5 + ldb;
      const s7 = s6 + ldb;
      for (let p = 0; p < k; p++, d += 8) {
        mem[d] = b[s0 + p]!;
        mem[d + 1] = b[s1 + p]!;
        mem[d + 2] = b[s2 + p]!;
        mem[d + 3] = b[s3 + p]!;
        mem[d + 4] = b[s4 + p]!;
        mem[d + 5] = b[s5 + p]!;
        mem[d + 6] = b[s6 + p]!;
        mem[d + 7] = b[s7 + p]!;
      }
    } else if (cols === 4 && nr === 4) {
      const s0 = offB + jp * 4 * ldb;
      const s1 = s0 + ldb;
      const s2 = s1 + ldb;
      const s3 = s2 + ldb;
      for (let p = 0; p < k; p++, d += 4) {
        mem[d] = b[s0 + p]!;
        mem[d + 1] = b[s1 + p]!;
        mem[d + 2] = b[s2 + p]!;
        mem[d + 3] = b[s3 + p]!;
      }
    } else {
      for (let p = 0; p < k; p++) {
        for (let q = 0; q < nr; q++) {
          mem[d++] = q < cols ? b[offB + (jp * nr + q) * ldb + p]! : 0;
        }
      }
    }
  }
}
