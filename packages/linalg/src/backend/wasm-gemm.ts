/**
 * GEMM on the WebAssembly SIMD kernels: pack α·op(A) into row panels of MR = 4 and op(B) into
 * column panels of NR (8 for float32, 4 for float64) inside the wasm memory, copy β·C into a padded
 * buffer, run the block kernel over kc×nc blocks (row-panel ranges split across worker threads
 * when a pool is running) and copy C back. Small products go to the `js` kernels, where the copies
 * would dominate.
 */
import { dgemmBlocked } from '../blas/dgemm-blocked';
import { sgemmBlocked } from '../blas/sgemm-blocked';
import type { Transpose } from '../blas/types';
import {
  getWasmRuntime,
  WASM_KC,
  WASM_MR,
  WASM_NC_PANELS,
  type WasmKernels,
} from '../wasm/wasm-runtime';
import { runOnPool } from './thread-pool';
import { packPanelsA, packPanelsB } from './wasm-pack';

const KC = WASM_KC;
/** Below this m·n·k the js kernels are used. */
const SMALL = 24 * 24 * 24;

/**
 * The block schedule of one GEMM, in bytes, shared with worker threads.
 *
 * @example
 * ```ts
 * const plan: GemmPlan = { f64: 0, aBase: 0, bBase: 0, cBase: 0, mp: 1, np: 1, k: 1, ldcBytes: 32, overwrite: 1 };
 * ```
 */
export interface GemmPlan {
  /** 1 for float64, 0 for float32. */
  f64: number;
  /** Byte address of packed A. */
  aBase: number;
  /** Byte address of packed B. */
  bBase: number;
  /** Byte address of the padded C buffer. */
  cBase: number;
  /** Row panels. */
  mp: number;
  /** Column panels. */
  np: number;
  /** Inner dimension. */
  k: number;
  /** Row stride of the C buffer in bytes. */
  ldcBytes: number;
  /** 1: the first k block overwrites the C buffer (β = 0, nothing copied in); 0: accumulate. */
  overwrite: number;
}

/**
 * Runs the block kernels for row panels [ip0, ip1) of a plan (the unit of work of one thread).
 * With `plan.overwrite` the first k block overwrites the C buffer (`*_block0`, so the buffer
 * needs no clearing); all other blocks accumulate into it.
 *
 * @param kernels - the kernel exports
 * @param plan - the schedule
 * @param ip0 - first row panel
 * @param ip1 - end row panel
 * @example
 * ```ts
 * runPlanRows(rt.kernels, plan, 0, plan.mp);
 * ```
 */
export function runPlanRows(kernels: WasmKernels, plan: GemmPlan, ip0: number, ip1: number): void {
  if (ip1 <= ip0) return;
  const eb = plan.f64 ? 8 : 4;
  const nr = plan.f64 ? 4 : 8;
  const ncp = WASM_NC_PANELS;
  const aps = plan.k * WASM_MR * eb;
  const bps = plan.k * nr * eb;
  for (let pc = 0; pc < plan.k; pc += KC) {
    const kc = Math.min(KC, plan.k - pc);
    const first = pc === 0 && plan.overwrite === 1;
    const kernel = plan.f64
      ? first
        ? kernels.dgemm_block0
        : kernels.dgemm_block
      : first
        ? kernels.sgemm_block0
        : kernels.sgemm_block;
    for (let jc = 0; jc < plan.np; jc += ncp) {
      const np = Math.min(ncp, plan.np - jc);
      kernel(
        plan.aBase + ip0 * aps + pc * WASM_MR * eb,
        plan.bBase + jc * bps + pc * nr * eb,
        plan.cBase + ip0 * WASM_MR * plan.ldcBytes + jc * nr * eb,
        ip1 - ip0,
        np,
        kc,
        aps,
        bps,
        plan.ldcBytes,
      );
    }
  }
}

function wasmGemm(
  f64: boolean,
  transA: Transpose,
  transB: Transpose,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array | Float64Array,
  lda: number,
  offA: number,
  b: Float32Array | Float64Array,
  ldb: number,
  offB: number,
  beta: number,
  c: Float32Array | Float64Array,
  ldc: number,
  offC: number,
): void {
  const rt = getWasmRuntime()!;
  const eb = f64 ? 8 : 4;
  const nr = f64 ? 4 : 8;
  const mr = WASM_MR;
  const mp = Math.ceil(m / mr);
  const np = Math.ceil(n / nr);
  const ldcp = np * nr;
  const aBase = 64;
  const bBase = aBase + mp * mr * k * eb;
  const cBase = bBase + np * nr * k * eb;
  const end = cBase + mp * mr * ldcp * eb;
  try {
    rt.ensureBytes(end);
  } catch {
    // the memory cannot grow that far (address-space or browser limit): stay in JS
    if (f64) {
      dgemmBlocked(
        transA,
        transB,
        m,
        n,
        k,
        alpha,
        a as Float64Array,
        lda,
        offA,
        b as Float64Array,
        ldb,
        offB,
        beta,
        c as Float64Array,
        ldc,
        offC,
      );
    } else {
      sgemmBlocked(
        transA,
        transB,
        m,
        n,
        k,
        alpha,
        a as Float32Array,
        lda,
        offA,
        b as Float32Array,
        ldb,
        offB,
        beta,
        c as Float32Array,
        ldc,
        offC,
      );
    }
    return;
  }
  const buf = rt.memory.buffer;
  const mem = f64 ? new Float64Array(buf) : new Float32Array(buf);
  packPanelsA(mem, aBase / eb, transA, a, lda, offA, m, k, alpha);
  packPanelsB(mem, bBase / eb, transB, b, ldb, offB, n, k, nr);
  // β = 0: the first k block overwrites the padded buffer (k ≥ 1 here), nothing to clear or copy
  // in; otherwise β·C is copied in (padding is never read back, so it needs no clearing)
  const c0 = cBase / eb;
  if (beta !== 0) copyIn(mem, c0, ldcp, c, offC, ldc, m, n, beta);
  const plan: GemmPlan = {
    f64: f64 ? 1 : 0,
    aBase,
    bBase,
    cBase,
    mp,
    np,
    k,
    ldcBytes: ldcp * eb,
    overwrite: beta === 0 ? 1 : 0,
  };
  if (!runOnPool(plan)) runPlanRows(rt.kernels, plan, 0, mp);
  copyBack(mem, c0, ldcp, c, offC, ldc, m, n);
}

/**
 * Rows shorter than this are copied by a loop: a `subarray` + `set` per row of the shared wasm
 * memory costs about 0.4 µs, more than a loop over up to ~150 elements.
 */
const SHORT_ROW = 160;

/** Copies β·C (m×n, β ≠ 0) into the padded wasm C buffer. */
function copyIn(
  mem: Float32Array | Float64Array,
  c0: number,
  ldcp: number,
  c: Float32Array | Float64Array,
  offC: number,
  ldc: number,
  m: number,
  n: number,
  beta: number,
): void {
  if (beta !== 1 || n < SHORT_ROW) {
    for (let i = 0; i < m; i++) {
      const s = offC + i * ldc;
      const d = c0 + i * ldcp;
      if (beta === 1) for (let j = 0; j < n; j++) mem[d + j] = c[s + j]!;
      else for (let j = 0; j < n; j++) mem[d + j] = beta * c[s + j]!;
    }
  } else if (ldc === n && ldcp === n) {
    mem.set(c.subarray(offC, offC + m * n), c0);
  } else {
    for (let i = 0; i < m; i++) {
      const s = offC + i * ldc;
      mem.set(c.subarray(s, s + n), c0 + i * ldcp);
    }
  }
}

/** Copies the m×n result from the padded wasm C buffer back into the caller's C. */
function copyBack(
  mem: Float32Array | Float64Array,
  c0: number,
  ldcp: number,
  c: Float32Array | Float64Array,
  offC: number,
  ldc: number,
  m: number,
  n: number,
): void {
  if (ldc === n && ldcp === n) {
    c.set(mem.subarray(c0, c0 + m * n), offC);
  } else if (n < SHORT_ROW) {
    for (let i = 0; i < m; i++) {
      const s = offC + i * ldc;
      const d = c0 + i * ldcp;
      for (let j = 0; j < n; j++) c[s + j] = mem[d + j]!;
    }
  } else {
    for (let i = 0; i < m; i++) {
      const d = c0 + i * ldcp;
      c.set(mem.subarray(d, d + n), offC + i * ldc);
    }
  }
}

/**
 * Single-precision GEMM on the wasm SIMD kernels (unchecked; same contract as `sgemmRef`).
 *
 * @param transA - op of A
 * @param transB - op of B
 * @param m - rows of C
 * @param n - columns of C
 * @param k - inner dimension
 * @param alpha - scale of the product
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param offA - offset of A
 * @param b - storage of B
 * @param ldb - leading dimension of B
 * @param offB - offset of B
 * @param beta - scale of C on entry
 * @param c - storage of C
 * @param ldc - leading dimension of C
 * @param offC - offset of C
 * @example
 * ```ts
 * const c = new Float32Array(1);
 * sgemmWasm('N', 'N', 1, 1, 2, 1, new Float32Array([1, 2]), 2, 0, new Float32Array([3, 4]), 1, 0, 0, c, 1, 0);
 * // c[0] === 11
 * ```
 */
export function sgemmWasm(
  transA: Transpose,
  transB: Transpose,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  offA: number,
  b: Float32Array,
  ldb: number,
  offB: number,
  beta: number,
  c: Float32Array,
  ldc: number,
  offC: number,
): void {
  if (m * n * k < SMALL || alpha === 0 || getWasmRuntime() === null) {
    sgemmBlocked(transA, transB, m, n, k, alpha, a, lda, offA, b, ldb, offB, beta, c, ldc, offC);
    return;
  }
  wasmGemm(false, transA, transB, m, n, k, alpha, a, lda, offA, b, ldb, offB, beta, c, ldc, offC);
}

/**
 * Double-precision GEMM on the wasm SIMD kernels (f64x2; unchecked; same contract as `dgemmRef`).
 *
 * @param transA - op of A
 * @param transB - op of B
 * @param m - rows of C
 * @param n - columns of C
 * @param k - inner dimension
 * @param alpha - scale of the product
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param offA - offset of A
 * @param b - storage of B
 * @param ldb - leading dimension of B
 * @param offB - offset of B
 * @param beta - scale of C on entry
 * @param c - storage of C
 * @param ldc - leading dimension of C
 * @param offC - offset of C
 * @example
 * ```ts
 * const c = new Float64Array(1);
 * dgemmWasm('N', 'N', 1, 1, 2, 1, new Float64Array([1, 2]), 2, 0, new Float64Array([3, 4]), 1, 0, 0, c, 1, 0);
 * // c[0] === 11
 * ```
 */
export function dgemmWasm(
  transA: Transpose,
  transB: Transpose,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  lda: number,
  offA: number,
  b: Float64Array,
  ldb: number,
  offB: number,
  beta: number,
  c: Float64Array,
  ldc: number,
  offC: number,
): void {
  if (m * n * k < SMALL || alpha === 0 || getWasmRuntime() === null) {
    dgemmBlocked(transA, transB, m, n, k, alpha, a, lda, offA, b, ldb, offB, beta, c, ldc, offC);
    return;
  }
  wasmGemm(true, transA, transB, m, n, k, alpha, a, lda, offA, b, ldb, offB, beta, c, ldc, offC);
}
