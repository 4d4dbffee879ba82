/**
 * Divide-and-conquer eigensolver for a symmetric tridiagonal matrix (Cuppen's method with
 * Gu–Eisenstat eigenvectors). T is torn at the middle, T = diag(T₁, T₂) + β·v·vᵀ with
 * v = e_{k−1} + e_k; the halves are solved recursively (implicit QL below {@link DC_LEAF}), and
 * the rank-one merge D + ρzzᵀ is solved by {@link secularEigen} after deflation (negligible zᵢ, or
 * nearly equal poles combined by a plane rotation). The merged eigenvectors are
 * diag(Z₁, Z₂)·U — a GEMM — so almost all O(n³) work runs on the backend.
 */
import { gemmFor } from '../blas/trsm';
import { secularEigen } from './secular';
import { tridiagonalQl } from './tridiagonal-ql';

/**
 * Subproblems at most this size are solved by implicit QL.
 *
 * @example
 * ```ts
 * DC_LEAF; // 48
 * ```
 */
export const DC_LEAF = 48;
const EPS = 2 ** -52;

interface Eig {
  values: Float64Array;
  /** size×size row-major, column j = eigenvector j. */
  z: Float64Array;
}

function leaf(d: Float64Array, e: Float64Array): Eig {
  const n = d.length;
  const dd = Float64Array.from(d);
  const ee = Float64Array.from(e);
  const zt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) zt[i * n + i] = 1;
  tridiagonalQl(dd, ee, n, zt);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => dd[a]! - dd[b]!);
  const z = new Float64Array(n * n);
  const values = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const src = order[j]!;
    values[j] = dd[src]!;
    for (let i = 0; i < n; i++) z[i * n + j] = zt[src * n + i]!;
  }
  return { values, z };
}

function solve(d: Float64Array, e: Float64Array): Eig {
  const n = d.length;
  if (n <= DC_LEAF) return leaf(d, e);
  const k = n >> 1;
  const beta = e[k - 1]!;
  const d1 = d.slice(0, k);
  const d2 = d.slice(k);
  d1[k - 1] = d1[k - 1]! - beta;
  d2[0] = d2[0]! - beta;
  const e1 = e.slice(0, k);
  e1[k - 1] = 0;
  const e2 = e.slice(k);
  const r1 = solve(d1, e1);
  const r2 = solve(d2, e2);
  return merge(r1, r2, k, n, beta);
}

function merge(r1: Eig, r2: Eig, k: number, n: number, beta: number): Eig {
  const n2 = n - k;
  // Q = diag(Z₁, Z₂) explicitly (n×n), columns permuted into ascending pole order below
  const dAll = new Float64Array(n);
  const zAll = new Float64Array(n);
  dAll.set(r1.values, 0);
  dAll.set(r2.values, k);
  for (let j = 0; j < k; j++) zAll[j] = r1.z[(k - 1) * k + j]! / Math.SQRT2;
  for (let j = 0; j < n2; j++) zAll[k + j] = r2.z[j]! / Math.SQRT2;
  const sign = beta >= 0 ? 1 : -1;
  const rho = 2 * Math.abs(beta); // ‖v‖² = 2 folded into ρ
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => sign * (dAll[a]! - dAll[b]!));
  const dS = Float64Array.from(order, (i) => sign * dAll[i]!);
  const zS = Float64Array.from(order, (i) => zAll[i]!);
  const q = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const src = order[c]!;
    if (src < k) for (let i = 0; i < k; i++) q[i * n + c] = r1.z[i * k + src]!;
    else for (let i = 0; i < n2; i++) q[(k + i) * n + c] = r2.z[i * n2 + src - k]!;
  }
  let dmax = 0;
  for (let i = 0; i < n; i++) dmax = Math.max(dmax, Math.abs(dS[i]!));
  const tol = 8 * EPS * Math.max(dmax, rho);
  const kept: number[] = [];
  const deflated = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (Math.abs(rho * zS[i]!) <= tol || rho === 0) {
      deflated[i] = 1;
      continue;
    }
    const j = kept.length > 0 ? kept[kept.length - 1]! : -1;
    if (j >= 0 && Math.abs(dS[i]! - dS[j]!) <= tol) {
      // rotate columns j, i so that z_j becomes 0; d_j deflates
      const r = Math.hypot(zS[j]!, zS[i]!);
      const c = zS[i]! / r;
      const s = zS[j]! / r;
      for (let row = 0; row < n; row++) {
        const qj = q[row * n + j]!;
        const qi = q[row * n + i]!;
        q[row * n + j] = c * qj - s * qi;
        q[row * n + i] = s * qj + c * qi;
      }
      zS[j] = 0;
      zS[i] = r;
      deflated[j] = 1;
      kept.pop();
    }
    kept.push(i);
  }
  const K = kept.length;
  const values = new Float64Array(n);
  const z = new Float64Array(n * n);
  const cols: { value: number; src: 'q' | 'u'; idx: number }[] = [];
  for (let i = 0; i < n; i++)
    if (deflated[i]) cols.push({ value: sign * dS[i]!, src: 'q', idx: i });
  let qk = new Float64Array(0);
  let uq = new Float64Array(0);
  if (K > 0) {
    const dk = Float64Array.from(kept, (i) => dS[i]!);
    const zk = Float64Array.from(kept, (i) => zS[i]!);
    const lam = new Float64Array(K);
    const u = new Float64Array(K * K);
    secularEigen(dk, zk, rho, lam, u);
    qk = new Float64Array(n * K);
    for (let row = 0; row < n; row++)
      for (let c = 0; c < K; c++) qk[row * K + c] = q[row * n + kept[c]!]!;
    uq = new Float64Array(n * K);
    gemmFor(uq)('N', 'N', n, K, K, 1, qk, K, 0, u, K, 0, 0, uq, K, 0);
    for (let j = 0; j < K; j++) cols.push({ value: sign * lam[j]!, src: 'u', idx: j });
  }
  cols.sort((a, b) => a.value - b.value);
  for (let c = 0; c < n; c++) {
    const col = cols[c]!;
    values[c] = col.value;
    if (col.src === 'q') for (let row = 0; row < n; row++) z[row * n + c] = q[row * n + col.idx]!;
    else for (let row = 0; row < n; row++) z[row * n + c] = uq[row * K + col.idx]!;
  }
  return { values, z };
}

/**
 * Eigen-decomposition of the symmetric tridiagonal matrix with diagonal d and subdiagonal e.
 *
 * @param d - diagonal, length n (not modified)
 * @param e - subdiagonal, length ≥ n−1 (e[i] couples i and i+1; not modified)
 * @returns `{ values (ascending), z }` with z n×n row-major, column j the eigenvector of values[j]
 * @example
 * ```ts
 * const { values } = tridiagonalDc(new Float64Array([2, 2]), new Float64Array([1, 0])); // [1, 3]
 * ```
 */
export function tridiagonalDc(
  d: Float64Array,
  e: Float64Array,
): { values: Float64Array; z: Float64Array } {
  const n = d.length;
  const ee = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) ee[i] = e[i]!;
  return solve(Float64Array.from(d), ee);
}
