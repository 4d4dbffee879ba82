/**
 * Emitting one runtime {@link Linear} as ONNX nodes, for row inputs `x` (`[…, n]` → `[…, m]`,
 * y = x·Wᵀ exactly as the runtime's `forward`):
 *
 * - dense: `MatMul(x, Wᵀ)` (Wᵀ stored float32, or float16 + `Cast`);
 * - low-rank (LoRD, W = L·R): `MatMul(MatMul(x, Rᵀ), Lᵀ)`;
 * - uniform: `com.microsoft::MatMulNBits` (b-bit codes packed along K, one scale and one float
 *   zero point per group: `offset + (c − mid)·s = (c − z)·s` with `z = mid − offset/s`);
 * - CALDERA (`g·diag(SV)·M_m(Q̂ + L̂R̂)M_nᵀ·diag(SU)`): the E8P codes are decoded in the graph
 *   (uint16 codes → `Cast` → `Gather` from the 65,536×8 codebook → `Reshape`); in mode
 *   `decode` the whole effective Wᵀ is an expression of constants (ONNX Runtime folds it once
 *   at load, then runs a dense `MatMul`); in mode `decode-rht` the two Hadamard transforms
 *   run on the activations (`Mul` by the signs, `MatMul` by the shared ±1/√d matrices);
 *   mode `dense` dequantises at export.
 *
 * Layers a mode cannot express (RVQ3B codes, columns not a multiple of 8, uniform groups that
 * are not a power of two ≥ 16) are exported dense.
 */
import { float16BitsToFloat32, float32ToFloat16Bits } from '@caldera/core';
import { e8pCodebook, RVQ4B_RESID_SCALE } from '@caldera/quant';
import {
  CalderaLinear,
  DenseLinear,
  type Linear,
  LowRankLinear,
  type PackedE8Matrix,
  RhtRows,
  UniformLinear,
} from '@caldera/runtime';
import type { GraphBuilder } from './graph-builder';

/**
 * How compressed layers are written.
 *
 * @example
 * ```ts
 * const o: LinearExportOptions = { weightDtype: 'float32', caldera: 'decode', uniform: 'matmulnbits' };
 * ```
 */
export interface LinearExportOptions {
  /** Storage of dense weights (float16 is cast to float32 in the graph). */
  weightDtype: 'float32' | 'float16';
  /** CALDERA layers: codes decoded in the graph (`decode`, `decode-rht`) or dequantised (`dense`). */
  caldera: 'decode' | 'decode-rht' | 'dense';
  /** Uniform layers: `MatMulNBits` or dequantised (`dense`). */
  uniform: 'matmulnbits' | 'dense';
}

/** Per-graph caches of shared constants (codebook, Hadamard matrices). */
export interface SharedConstants {
  codebook?: string;
  hadamard: Map<string, string>;
}

function transpose(w: Float32Array, m: number, n: number): Float32Array {
  const t = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = w[i * n + j]!;
  return t;
}

/** A float weight constant `[rows, cols]` as float32 (stored float32 or float16 + Cast). */
function weight(
  g: GraphBuilder,
  name: string,
  w: Float32Array,
  dims: number[],
  dtype: LinearExportOptions['weightDtype'],
): string {
  if (dtype === 'float32') return g.constF32(name, w, dims);
  const half = g.constant(`${name}_f16`, 'float16', dims, float32ToFloat16Bits(w));
  return g.op('Cast', [half], { to: 1 }, { prefix: name });
}

/** The 65,536 × 8 E8P codebook (float16 when exact — every entry is a multiple of ¼). */
function codebook(g: GraphBuilder, shared: SharedConstants): string {
  if (shared.codebook) return shared.codebook;
  const t = e8pCodebook();
  const bits = float32ToFloat16Bits(t);
  const back = float16BitsToFloat32(bits);
  const exact = back.every((v, i) => v === t[i]);
  const name = exact
    ? g.op(
        'Cast',
        [g.constant('e8p_codebook_f16', 'float16', [65536, 8], bits)],
        { to: 1 },
        { prefix: 'e8p_codebook' },
      )
    : g.constF32('e8p_codebook', t, [65536, 8]);
  shared.codebook = name;
  return name;
}

/** Whether a packed E8 matrix can be decoded by table lookups in the graph. */
function decodable(p: PackedE8Matrix | Float32Array | undefined): boolean {
  return (
    p === undefined ||
    p instanceof Float32Array ||
    (p.cols % 8 === 0 && p.quantizer !== 'e8p12rvq3b')
  );
}

/** Decodes a packed E8 matrix in the graph: a float32 `[rows, cols]` value. */
function e8Matrix(
  g: GraphBuilder,
  shared: SharedConstants,
  name: string,
  p: PackedE8Matrix,
): string {
  const vpr = p.cols / 8;
  const table = codebook(g, shared);
  const lookup = (codes: Uint16Array, tag: string) => {
    const c = g.constant(`${name}_${tag}`, 'uint16', [p.rows, vpr], codes);
    const idx = g.op('Cast', [c], { to: 6 });
    return g.op('Gather', [table, idx], { axis: 0 });
  };
  let words = lookup(p.codes1, 'codes');
  if (p.quantizer === 'e8p12rvq4b') {
    const resid = lookup(p.codes2, 'codes2');
    const scaled = g.op('Mul', [resid, g.scalarF32(`${name}_rinv`, 1 / RVQ4B_RESID_SCALE)]);
    words = g.op('Add', [words, scaled]);
  }
  const flat = g.op('Reshape', [words, g.constI64(`${name}_shape`, [p.rows, p.cols])]);
  return g.op('Mul', [flat, g.scalarF32(`${name}_scale`, p.scale)], {}, { prefix: name });
}

/** A factor of a CALDERA layer as float32 `[rows, cols]`. */
function factor(
  g: GraphBuilder,
  shared: SharedConstants,
  name: string,
  f: PackedE8Matrix | Float32Array,
  rows: number,
  cols: number,
): string {
  return f instanceof Float32Array
    ? g.constF32(name, f, [rows, cols])
    : e8Matrix(g, shared, name, f);
}

/**
 * The shared d×d matrix M of the runtime's randomized Hadamard transform without signs
 * (`forward`: x·M is the transform of x; `inverse`: y·M is its inverse), as float32; stored as
 * int8 ±1 times 1/√d when every entry is ±1/√d (always, for Sylvester/Paley blocks).
 */
function hadamard(g: GraphBuilder, shared: SharedConstants, d: number, inverse: boolean): string {
  const key = `${d}_${inverse ? 'inv' : 'fwd'}`;
  const cached = shared.hadamard.get(key);
  if (cached) return cached;
  const m = new Float32Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = 1;
  new RhtRows(d).apply(m, d, new Float32Array(d).fill(1), inverse);
  const s = 1 / Math.sqrt(d);
  const signs = new Int8Array(d * d);
  let pm = true;
  for (let i = 0; i < d * d && pm; i++) {
    const v = m[i]! / s;
    signs[i] = Math.round(v);
    pm = Math.abs(Math.abs(v) - 1) < 1e-4;
  }
  const name = `hadamard_${key}`;
  const out = pm
    ? g.op(
        'Mul',
        [
          g.op('Cast', [g.constant(`${name}_signs`, 'int8', [d, d], signs)], { to: 1 }),
          g.scalarF32(`${name}_scale`, s),
        ],
        {},
        { prefix: name },
      )
    : g.constF32(name, m, [d, d]);
  shared.hadamard.set(key, out);
  return out;
}

function denseLinear(
  g: GraphBuilder,
  x: string,
  name: string,
  w: Float32Array,
  m: number,
  n: number,
  o: LinearExportOptions,
): string {
  return g.op(
    'MatMul',
    [x, weight(g, `${name}.weight_t`, transpose(w, m, n), [n, m], o.weightDtype)],
    {},
    { prefix: name },
  );
}

function packCodes(layer: UniformLinear): Uint8Array | undefined {
  const { outFeatures: m, inFeatures: n, bits, groupSize, packed } = layer;
  const blob = (groupSize * bits) / 8;
  const blocks = n / groupSize;
  const out = new Uint8Array(m * blocks * blob);
  const mask = (1 << bits) - 1;
  const perByte = 8 / bits;
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) {
      const bit = (r * n + j) * bits;
      const b = bit >>> 3;
      const code = ((packed[b]! | (packed[b + 1]! << 8)) >>> (bit & 7)) & mask;
      const dst = r * blocks * blob + Math.floor(j / perByte);
      out[dst] = out[dst]! | (code << ((j % perByte) * bits));
    }
  }
  return out;
}

function uniformLinear(
  g: GraphBuilder,
  x: string,
  name: string,
  layer: UniformLinear,
  o: LinearExportOptions,
): string {
  const { outFeatures: m, inFeatures: n, bits, groupSize, symmetric } = layer;
  const pow2 = groupSize >= 16 && (groupSize & (groupSize - 1)) === 0;
  const ok = o.uniform === 'matmulnbits' && [2, 4, 8].includes(bits) && pow2 && n % groupSize === 0;
  const scales = layer.scales;
  const mid = symmetric ? 2 ** (bits - 1) - 1 : 0;
  const zp = new Float32Array(scales.length);
  let finite = true;
  for (let i = 0; i < scales.length; i++) {
    const s = scales[i]!;
    const off = symmetric ? 0 : layer.offsets[i]!;
    if (s === 0 && off !== 0) finite = false;
    zp[i] = s === 0 ? mid : mid - off / s;
  }
  const codes = ok && finite ? packCodes(layer) : undefined;
  if (codes === undefined) return denseLinear(g, x, name, layer.toDense(), m, n, o);
  const blocks = n / groupSize;
  const b = g.constant(`${name}.qweight`, 'uint8', [m, blocks, (groupSize * bits) / 8], codes);
  const s = g.constF32(`${name}.scales`, Float32Array.from(scales), [m * blocks]);
  const z = g.constF32(`${name}.zero_points`, zp, [m * blocks]);
  return g.op(
    'MatMulNBits',
    [x, b, s, z],
    { K: n, N: m, bits, block_size: groupSize, accuracy_level: 0 },
    { domain: 'com.microsoft', prefix: name },
  );
}

function calderaLinear(
  g: GraphBuilder,
  shared: SharedConstants,
  x: string,
  name: string,
  layer: CalderaLinear,
  o: LinearExportOptions,
): string {
  const { outFeatures: m, inFeatures: n, rank: k } = layer;
  const ok =
    o.caldera !== 'dense' && decodable(layer.q) && decodable(layer.lt) && decodable(layer.r);
  if (!ok) return denseLinear(g, x, name, layer.toDense(), m, n, o);
  const q = e8Matrix(g, shared, `${name}.q`, layer.q);
  let inner = g.op('Transpose', [q], { perm: [1, 0] }); // Q̂ᵀ, n × m
  if (k > 0) {
    const r = factor(g, shared, `${name}.r`, layer.r!, k, n);
    const lt = factor(g, shared, `${name}.lt`, layer.lt!, k, m);
    const rt = g.op('Transpose', [r], { perm: [1, 0] });
    inner = g.op('Add', [inner, g.op('MatMul', [rt, lt])]); // (Q̂ + L̂R̂)ᵀ
  }
  const su = g.constF32(`${name}.su`, layer.su, [n]);
  const svg = g.constF32(
    `${name}.sv_g`,
    layer.sv.map((v) => v * layer.globalScale),
    [m],
  );
  const hin = hadamard(g, shared, n, false);
  const hout = hadamard(g, shared, m, true);
  if (o.caldera === 'decode') {
    // Wᵀ = diag(SU)·M_n·(Q̂ + L̂R̂)ᵀ·M_m⁻¹·diag(SV·g), all constants (folded at load).
    const left = g.op('Mul', [hin, g.op('Unsqueeze', [su, g.constI64(`${name}.ax1`, [1])])]);
    const wt = g.op('MatMul', [g.op('MatMul', [left, inner]), hout]);
    return g.op('MatMul', [x, g.op('Mul', [wt, svg])], {}, { prefix: name });
  }
  const xr = g.op('MatMul', [g.op('Mul', [x, su]), hin]);
  const y = g.op('MatMul', [xr, inner]);
  return g.op('Mul', [g.op('MatMul', [y, hout]), svg], {}, { prefix: name });
}

/**
 * Emits a linear layer: `y = x·Wᵀ` for `x` of shape `[…, inFeatures]`.
 *
 * @param g - the graph
 * @param shared - shared constants of this graph
 * @param x - the input value's name
 * @param name - the layer's name (prefix of its constants)
 * @param layer - the runtime layer
 * @param o - how compressed kinds are written
 * @returns the output value's name
 * @example
 * ```ts
 * const y = emitLinear(g, { hadamard: new Map() }, 'x', 'layers.0.q_proj', model.linear(0, 'q_proj'), opts);
 * ```
 */
export function emitLinear(
  g: GraphBuilder,
  shared: SharedConstants,
  x: string,
  name: string,
  layer: Linear,
  o: LinearExportOptions,
): string {
  if (layer instanceof DenseLinear)
    return denseLinear(g, x, name, layer.weight, layer.outFeatures, layer.inFeatures, o);
  if (layer instanceof LowRankLinear) {
    const { outFeatures: m, inFeatures: n, rank: k } = layer;
    const t = g.op('MatMul', [
      x,
      weight(g, `${name}.r_t`, transpose(layer.r, k, n), [n, k], o.weightDtype),
    ]);
    return g.op(
      'MatMul',
      [t, weight(g, `${name}.l_t`, transpose(layer.l, m, k), [k, m], o.weightDtype)],
      {},
      { prefix: name },
    );
  }
  if (layer instanceof UniformLinear) return uniformLinear(g, x, name, layer, o);
  if (layer instanceof CalderaLinear) return calderaLinear(g, shared, x, name, layer, o);
  return denseLinear(g, x, name, layer.toDense(), layer.outFeatures, layer.inFeatures, o);
}
