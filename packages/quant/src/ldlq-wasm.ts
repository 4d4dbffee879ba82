/**
 * The WebAssembly SIMD G update of the LDLQ tune sweeps (ldlq-core.ts), the hot loop for large
 * matrices: for each changed row r (block of 8 columns at c0, change Δ), G[r, :] −= Δ·H[c0…c0+7, :].
 *
 * The kernel is assembled at module load (no build step, deterministic bytes) and runs on G and
 * H placed in its own linear memory. Each G element is updated as g − (((Δ₀h₀ + Δ₁h₁) + Δ₂h₂) + …
 * + Δ₇h₇) in float64, the same expression and order as {@link flushUpdates8Ref}, so both give
 * bit-identical results. Where WebAssembly SIMD is missing the workspace is `null` and callers
 * use the plain kernel. Internal: not exported from the package.
 */

import { assembleModule, uleb } from '@caldera/linalg';

const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number): number[] => [0x20, ...uleb(i)];
const set = (i: number): number[] => [0x21, ...uleb(i)];
const tee = (i: number): number[] => [0x22, ...uleb(i)];
const I32_ADD = [0x6a];
const I32_MUL = [0x6c];
const I32_LT_U = [0x49];
/** i32.const for 0 ≤ v < 8192 (signed LEB128). */
const i32c = (v: number): number[] => (v < 64 ? [0x41, v] : [0x41, 0x80 | (v & 0x7f), v >> 7]);
const V128_LOAD = [0xfd, 0x00, 4, 0];
const V128_STORE = [0xfd, 0x0b, 4, 0];
const I32_LOAD = [0x28, 2, 0];
const F64X2_SPLAT = [0xfd, 0x14];
const F64_LOAD = (off: number): number[] => [0x2b, 3, ...uleb(off)];
const F64X2_ADD = [0xfd, 0xf0, 0x01];
const F64X2_SUB = [0xfd, 0xf1, 0x01];
const F64X2_MUL = [0xfd, 0xf2, 0x01];

// flush8(h, g, dc, idx, nc, n, c0): byte offsets h, g, dc, idx; counts nc, n; column c0.
const P_H = 0;
const P_G = 1;
const P_DC = 2;
const P_IDX = 3;
const P_NC = 4;
const P_N = 5;
const P_C0 = 6;
// locals
const L_Q = 7;
const L_J = 8;
const L_ROWB = 9; // n·8
const L_HB = 10; // h + c0·n·8
const L_GROW = 11;
const L_HP = 12;
const L_C = 13; // 8 v128 coefficient splats: 13…20
const L_ACC = 21;

function flushBody(): number[] {
  const b: number[] = [];
  b.push(...get(P_N), ...i32c(8), ...I32_MUL, ...set(L_ROWB));
  b.push(...get(P_H), ...get(P_C0), ...get(L_ROWB), ...I32_MUL, ...I32_ADD, ...set(L_HB));
  b.push(...i32c(0), ...set(L_Q));
  b.push(0x02, 0x40); // block $done
  b.push(0x03, 0x40); // loop $rows
  // if !(q < nc) break
  b.push(...get(L_Q), ...get(P_NC), ...I32_LT_U, 0x45, 0x0d, ...uleb(1));
  // gRow = g + idx[q]·rowBytes
  b.push(...get(P_IDX), ...get(L_Q), ...i32c(4), ...I32_MUL, ...I32_ADD, ...I32_LOAD);
  b.push(...get(L_ROWB), ...I32_MUL, ...get(P_G), ...I32_ADD, ...set(L_GROW));
  // coefficient splats from dc + q·64
  for (let i = 0; i < 8; i++) {
    b.push(...get(P_DC), ...get(L_Q), ...i32c(64), ...I32_MUL, ...I32_ADD, ...F64_LOAD(8 * i));
    b.push(...F64X2_SPLAT, ...set(L_C + i));
  }
  b.push(...i32c(0), ...set(L_J));
  b.push(0x03, 0x40); // loop $cols
  // hp = hb + j; acc = c0·H[hp]
  b.push(...get(L_HB), ...get(L_J), ...I32_ADD, ...tee(L_HP), ...V128_LOAD);
  b.push(...get(L_C), ...F64X2_MUL, ...set(L_ACC));
  for (let i = 1; i < 8; i++) {
    // hp += rowBytes; acc = acc + c_i·H[hp]
    b.push(...get(L_ACC));
    b.push(...get(L_HP), ...get(L_ROWB), ...I32_ADD, ...tee(L_HP), ...V128_LOAD);
    b.push(...get(L_C + i), ...F64X2_MUL, ...F64X2_ADD, ...set(L_ACC));
  }
  // G[gRow + j] = G[gRow + j] − acc
  b.push(...get(L_GROW), ...get(L_J), ...I32_ADD, ...tee(L_HP)); // address (reuse hp)
  b.push(...get(L_HP), ...V128_LOAD, ...get(L_ACC), ...F64X2_SUB, ...V128_STORE);
  // j += 16; continue while j < rowBytes
  b.push(...get(L_J), ...i32c(16), ...I32_ADD, ...tee(L_J), ...get(L_ROWB), ...I32_LT_U);
  b.push(0x0d, ...uleb(0)); // br_if $cols
  b.push(0x0b); // end $cols
  b.push(...get(L_Q), ...i32c(1), ...I32_ADD, ...set(L_Q));
  b.push(0x0c, ...uleb(0)); // br $rows
  b.push(0x0b, 0x0b); // end $rows, end $done
  return b;
}

/** Most memory pages (64 KiB each): 4 GiB. */
const MAX_PAGES = 65536;

function assemble(): Uint8Array<ArrayBuffer> {
  // params h, g, dc, idx, nc, n, c0; locals: 6 i32 (q … hp), 8 v128 splats and the accumulator
  const params = [I32, I32, I32, I32, I32, I32, I32];
  const locals = [...Array<number>(6).fill(I32), ...Array<number>(9).fill(V128)];
  return assembleModule(
    [{ name: 'flush8', params, results: [], locals, body: flushBody() }],
    false,
    MAX_PAGES,
  );
}

type Flush8 = (
  h: number,
  g: number,
  dc: number,
  idx: number,
  nc: number,
  n: number,
  c0: number,
) => void;

interface Runtime {
  memory: WebAssembly.Memory;
  flush8: Flush8;
}

let runtime: Runtime | null | undefined;

function getRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  runtime = null;
  if (typeof WebAssembly === 'undefined') return null;
  try {
    const bytes = assemble();
    if (!WebAssembly.validate(bytes)) return null;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    runtime = { memory, flush8: inst.exports.flush8 as unknown as Flush8 };
  } catch {
    runtime = null;
  }
  return runtime;
}

/**
 * Arrays of one tune phase placed in the kernel's memory, and the update on them.
 *
 * @example
 * ```ts
 * const ws = flushWorkspace(m, n, 256);
 * if (ws) { ws.h.set(h); ws.flush(nc, c0); }
 * ```
 */
export interface FlushWorkspace {
  /** H, n × n (fill it). */
  h: Float64Array;
  /** G, m × n. */
  gm: Float64Array;
  /** Changes Δ of the gathered rows, chunk × 8. */
  dc: Float64Array;
  /** Indices of the gathered rows, chunk. */
  idx: Int32Array;
  /** G[idx_q, :] −= Δ_q·H[c0…c0+7, :] for q < nc. */
  flush(nc: number, c0: number): void;
}

/**
 * A workspace for an m × n problem (g = 8) in the kernel's memory, or `null` when WebAssembly
 * SIMD is unavailable or the arrays do not fit in 32-bit memory. The views stay valid until the
 * next call (which may grow the memory).
 *
 * @param m - rows
 * @param n - columns (multiple of 8)
 * @param chunk - gather capacity
 * @returns the workspace or null
 * @example
 * ```ts
 * const ws = flushWorkspace(1024, 1024, 256);
 * ```
 */
export function flushWorkspace(m: number, n: number, chunk: number): FlushWorkspace | null {
  const rt = getRuntime();
  if (rt === null || n % 8 !== 0) return null;
  const hBytes = 8 * n * n;
  const gBytes = 8 * m * n;
  const dcBytes = 64 * chunk;
  const need = hBytes + gBytes + dcBytes + 4 * chunk;
  if (need > 3.5 * 2 ** 30) return null;
  const have = rt.memory.buffer.byteLength;
  try {
    if (need > have) rt.memory.grow(Math.ceil((need - have) / 65536));
  } catch {
    return null;
  }
  const buf = rt.memory.buffer;
  const hOff = 0;
  const gOff = hBytes;
  const dcOff = gOff + gBytes;
  const idxOff = dcOff + dcBytes;
  const f = rt.flush8;
  const gm = new Float64Array(buf, gOff, m * n);
  gm.fill(0);
  return {
    h: new Float64Array(buf, hOff, n * n),
    gm,
    dc: new Float64Array(buf, dcOff, 8 * chunk),
    idx: new Int32Array(buf, idxOff, chunk),
    flush(nc, c0) {
      if (nc > 0) f(hOff, gOff, dcOff, idxOff, nc, n, c0);
    },
  };
}
