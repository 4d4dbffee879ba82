/**
 * Generates the WebAssembly SIMD GEMM micro-kernel loop as bytecode.
 *
 * `gemm_block(a, b, c, mPanels, nPanels, kc, aPanelStride, bPanelStride, ldc)` (all addresses and
 * strides in bytes) computes, for every row panel i < mPanels and column panel j < nPanels, the
 * MR×NR tile `C[i, j] += Σ_{p<kc} Apanel_i[p] ⊗ Bpanel_j[p]` where row panel i of packed A starts
 * at `a + i·aPanelStride` and stores MR values per p, column panel j of packed B starts at
 * `b + j·bPanelStride` and stores NR values (two v128) per p, and tile (i, j) of C starts at
 * `c + i·MR·ldc + j·NR·elementBytes`. The 2·MR accumulators stay in v128 locals for the whole
 * k loop; A values are broadcast with `v128.load32_splat` / `load64_splat`. The `zeroInit`
 * variant starts the accumulators at zero instead of loading C (`C[i, j] = Σ …`), so the first
 * k block needs no cleared C buffer.
 * Both `mPanels` and `nPanels` must be at least 1.
 */
import { I32, op, V128, type WasmFunction } from './assembler';

/**
 * Builds the `gemm_block` function for float32 (f32x4, NR = 8) or float64 (f64x2, NR = 4).
 *
 * @param precision - `'f32'` or `'f64'`
 * @param mr - rows per register tile (4 or 6)
 * @param exportName - the export name
 * @param unroll - k steps per loop iteration (kc must then be a multiple of it)
 * @param zeroInit - overwrite C with the product instead of accumulating into it
 * @returns the function description for {@link assembleModule}
 * @example
 * ```ts
 * const fn = gemmBlockFunction('f32', 4, 'sgemm_block');
 * ```
 */
export function gemmBlockFunction(
  precision: 'f32' | 'f64',
  mr: number,
  exportName: string,
  unroll = 1,
  zeroInit = false,
): WasmFunction {
  const eb = precision === 'f32' ? 4 : 8;
  const splat = precision === 'f32' ? op.v128Load32Splat : op.v128Load64Splat;
  const add = precision === 'f32' ? op.f32x4Add : op.f64x2Add;
  const mul = precision === 'f32' ? op.f32x4Mul : op.f64x2Mul;
  // params
  const A = 0,
    B = 1,
    C = 2,
    MP = 3,
    NP = 4,
    KC = 5,
    APS = 6,
    BPS = 7,
    LDC = 8;
  // i32 locals
  const I = 9,
    J = 10,
    AP = 11,
    BP = 12,
    CP = 13,
    KEND = 14,
    AROW = 15,
    CROW = 16,
    T = 17;
  const ACC = 18; // 2·mr v128 accumulators
  const BV0 = ACC + 2 * mr,
    BV1 = BV0 + 1,
    AV = BV0 + 2;
  const locals = [I32, I32, I32, I32, I32, I32, I32, I32, I32];
  for (let r = 0; r < 2 * mr + 3; r++) locals.push(V128);
  const b: number[] = [];
  const emit = (...parts: (number | number[])[]) => {
    for (const p of parts) {
      if (typeof p === 'number') b.push(p);
      else b.push(...p);
    }
  };
  emit(op.i32Const(0), op.localSet(I), op.localGet(A), op.localSet(AROW));
  emit(op.localGet(C), op.localSet(CROW));
  emit(op.loop); // L_i
  emit(op.i32Const(0), op.localSet(J));
  emit(op.loop); // L_j
  // cp = crow + j * 2 * 16
  emit(op.localGet(CROW), op.localGet(J), op.i32Const(32), op.i32Mul, op.i32Add, op.localSet(CP));
  emit(op.localGet(CP), op.localSet(T));
  for (let r = 0; r < mr; r++) {
    if (zeroInit) {
      emit(op.v128Zero, op.localSet(ACC + 2 * r), op.v128Zero, op.localSet(ACC + 2 * r + 1));
      continue;
    }
    emit(op.localGet(T), op.v128Load(0), op.localSet(ACC + 2 * r));
    emit(op.localGet(T), op.v128Load(16), op.localSet(ACC + 2 * r + 1));
    if (r < mr - 1) emit(op.localGet(T), op.localGet(LDC), op.i32Add, op.localSet(T));
  }
  emit(op.localGet(AROW), op.localSet(AP));
  emit(op.localGet(B), op.localGet(J), op.localGet(BPS), op.i32Mul, op.i32Add, op.localSet(BP));
  emit(op.localGet(AP), op.localGet(KC), op.i32Const(mr * eb), op.i32Mul, op.i32Add);
  emit(op.localSet(KEND));
  emit(op.block);
  emit(op.localGet(AP), op.localGet(KEND), op.i32LtU, op.i32Eqz, op.brIf(0));
  emit(op.loop); // L_k
  for (let u = 0; u < unroll; u++) {
    const ao = u * mr * eb;
    const bo = u * 32;
    emit(op.localGet(BP), op.v128Load(bo), op.localSet(BV0));
    emit(op.localGet(BP), op.v128Load(bo + 16), op.localSet(BV1));
    for (let r = 0; r < mr; r++) {
      emit(op.localGet(AP), splat(ao + r * eb), op.localSet(AV));
      emit(op.localGet(ACC + 2 * r), op.localGet(AV), op.localGet(BV0), mul, add);
      emit(op.localSet(ACC + 2 * r));
      emit(op.localGet(ACC + 2 * r + 1), op.localGet(AV), op.localGet(BV1), mul, add);
      emit(op.localSet(ACC + 2 * r + 1));
    }
  }
  emit(op.localGet(AP), op.i32Const(unroll * mr * eb), op.i32Add, op.localSet(AP));
  emit(op.localGet(BP), op.i32Const(unroll * 32), op.i32Add, op.localSet(BP));
  emit(op.localGet(AP), op.localGet(KEND), op.i32LtU, op.brIf(0));
  emit(op.end);
  emit(op.end);
  emit(op.localGet(CP), op.localSet(T));
  for (let r = 0; r < mr; r++) {
    emit(op.localGet(T), op.localGet(ACC + 2 * r), op.v128Store(0));
    emit(op.localGet(T), op.localGet(ACC + 2 * r + 1), op.v128Store(16));
    if (r < mr - 1) emit(op.localGet(T), op.localGet(LDC), op.i32Add, op.localSet(T));
  }
  emit(op.localGet(J), op.i32Const(1), op.i32Add, op.localTee(J));
  emit(op.localGet(NP), op.i32LtU, op.brIf(0));
  emit(op.end);
  emit(op.localGet(AROW), op.localGet(APS), op.i32Add, op.localSet(AROW));
  emit(op.localGet(CROW), op.localGet(LDC), op.i32Const(mr), op.i32Mul, op.i32Add);
  emit(op.localSet(CROW));
  emit(op.localGet(I), op.i32Const(1), op.i32Add, op.localTee(I));
  emit(op.localGet(MP), op.i32LtU, op.brIf(0));
  emit(op.end);
  return {
    name: exportName,
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals,
    body: b,
  };
}
