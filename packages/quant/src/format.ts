import { CalderaError, describeValue } from '@caldera/core';
import { packBits, packedByteLength, unpackBits } from './bitpack';
import type { E8Quantized, E8QuantizerName } from './e8-matrix';
import { fromFloat16Bits, toFloat16Bits } from './float16';
import { getQuantizer } from './registry';
import { groupsPerRow, type UniformBits, type UniformQuantized } from './uniform';

/**
 * The versioned packed layout of a quantised matrix ("CQNT" blob), all little-endian:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 4 | magic `"CQNT"` (ASCII) |
 * | 4 | 2 | format version (currently 1) |
 * | 6 | 2 | quantiser id (registry) |
 * | 8 | 4 | rows |
 * | 12 | 4 | cols (unpadded) |
 * | 16 | 4 | group size (E8 family: 8) |
 * | 20 | 1 | scale format: 0 = float32, 1 = float16 |
 * | 21 | 1 | flags: bit 0 = asymmetric (offsets follow the scales) |
 * | 22 | 2 | reserved, 0 |
 * | 24 | 4 | number of scales S |
 * | 28 | 4 | byte length of the code section |
 * | 32 | … | S scales, then S offsets if asymmetric; zero-padded to a multiple of 4 |
 * | … | … | code section |
 *
 * Code sections: e8p12: one uint16 per 8-vector (rows × ⌈cols/8⌉, row-major); e8p12rvq4b:
 * the stage-1 uint16 array then the stage-2 uint16 array; e8p12rvq3b: the stage-1 uint16
 * array then the stage-2 uint8 array; uniform b-bit: the rows·cols codes (row-major) as a
 * {@link packBits} bit stream. E8 family: one float32 scale. Uniform: one scale (and offset)
 * per group, rows × ⌈cols/groupSize⌉, row-major.
 */

/**
 * The current packed format version (bytes 4–5 of every blob).
 *
 * @example
 * ```ts
 * new DataView(blob.buffer).getUint16(4, true) === QUANT_FORMAT_VERSION;
 * ```
 */
export const QUANT_FORMAT_VERSION = 1;
const HEADER_BYTES = 32;
const MAGIC = 0x544e5143; // "CQNT" read as little-endian uint32

/**
 * Any quantised matrix of this package.
 *
 * @example
 * ```ts
 * const q: QuantizedMatrix = uniformQuantize(new Float32Array(4), 1, 4, { bits: 4 });
 * ```
 */
export type QuantizedMatrix = E8Quantized | UniformQuantized;

/**
 * The registry name of a quantised matrix's quantiser.
 *
 * @param q - the quantised matrix
 * @returns e.g. `'e8p12'` or `'uniform4'`
 * @example
 * ```ts
 * quantizerNameOf(uniformQuantize(new Float32Array(4), 1, 4, { bits: 4 })); // 'uniform4'
 * ```
 */
export function quantizerNameOf(q: QuantizedMatrix): string {
  return q.family === 'e8p' ? q.quantizer : `uniform${q.bits}`;
}

function sections(q: QuantizedMatrix): { scaleBytes: number; codeBytes: number } {
  if (q.family === 'e8p') {
    const n = q.codes.length;
    const per = q.quantizer === 'e8p12' ? 2 : q.quantizer === 'e8p12rvq4b' ? 4 : 3;
    return { scaleBytes: 4, codeBytes: n * per };
  }
  const s = q.scales.length * (q.scaleFormat === 'f16' ? 2 : 4);
  const scaleBytes = (q.scheme === 'asymmetric' ? 2 : 1) * s;
  return { scaleBytes: (scaleBytes + 3) & ~3, codeBytes: packedByteLength(q.codes.length, q.bits) };
}

/**
 * Size in bytes of {@link packQuantized}'s output, header included.
 *
 * @param q - the quantised matrix
 * @returns the blob size
 * @example
 * ```ts
 * packedSize(e8Quantize('e8p12', new Float32Array(64), 1, 64, 1)); // 32 + 4 + 16
 * ```
 */
export function packedSize(q: QuantizedMatrix): number {
  const { scaleBytes, codeBytes } = sections(q);
  return HEADER_BYTES + scaleBytes + codeBytes;
}

/**
 * Honest bits per weight: every byte of the packed blob (header, scales, offsets, padding,
 * codes) divided by the number of weights.
 *
 * @param q - the quantised matrix
 * @returns 8 · packedSize / (rows · cols)
 * @example
 * ```ts
 * bitsPerWeight(e8Quantize('e8p12', new Float32Array(4096 * 64), 4096, 64, 1)); // ≈ 2.0001
 * ```
 */
export function bitsPerWeight(q: QuantizedMatrix): number {
  return (8 * packedSize(q)) / (q.rows * q.cols);
}

/**
 * Packs a quantised matrix into a versioned blob (layout in the module comment).
 *
 * @param q - the quantised matrix
 * @returns the blob
 * @throws CalderaError `UNKNOWN_QUANTIZER` if its quantiser is not registered
 * @example
 * ```ts
 * const blob = packQuantized(e8Quantize('e8p12', new Float32Array(8), 1, 8, 1));
 * unpackQuantized(blob).codes.length; // 1
 * ```
 */
export function packQuantized(q: QuantizedMatrix): Uint8Array {
  const info = getQuantizer(quantizerNameOf(q));
  const { scaleBytes, codeBytes } = sections(q);
  const out = new Uint8Array(HEADER_BYTES + scaleBytes + codeBytes);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint16(4, QUANT_FORMAT_VERSION, true);
  dv.setUint16(6, info.id, true);
  dv.setUint32(8, q.rows, true);
  dv.setUint32(12, q.cols, true);
  let p = HEADER_BYTES;
  if (q.family === 'e8p') {
    dv.setUint32(16, 8, true);
    dv.setUint32(24, 1, true);
    dv.setUint32(28, codeBytes, true);
    dv.setFloat32(p, q.scale, true);
    p += 4;
    const n = q.codes.length;
    if (q.quantizer === 'e8p12') {
      for (let k = 0; k < n; k++) dv.setUint16(p + 2 * k, q.codes[k]!, true);
    } else if (q.quantizer === 'e8p12rvq4b') {
      for (let k = 0; k < n; k++) {
        dv.setUint16(p + 2 * k, q.codes[k]! >>> 16, true);
        dv.setUint16(p + 2 * n + 2 * k, q.codes[k]! & 0xffff, true);
      }
    } else {
      for (let k = 0; k < n; k++) {
        dv.setUint16(p + 2 * k, q.codes[k]! >>> 8, true);
        out[p + 2 * n + k] = q.codes[k]! & 0xff;
      }
    }
    return out;
  }
  const f16 = q.scaleFormat === 'f16';
  const asym = q.scheme === 'asymmetric';
  dv.setUint32(16, q.groupSize, true);
  out[20] = f16 ? 1 : 0;
  out[21] = asym ? 1 : 0;
  dv.setUint32(24, q.scales.length, true);
  dv.setUint32(28, codeBytes, true);
  const writeAll = (a: Float32Array): void => {
    for (let k = 0; k < a.length; k++) {
      if (f16) {
        dv.setUint16(p, toFloat16Bits(a[k]!), true);
        p += 2;
      } else {
        dv.setFloat32(p, a[k]!, true);
        p += 4;
      }
    }
  };
  writeAll(q.scales);
  if (asym) writeAll(q.offsets);
  out.set(packBits(q.codes, q.bits), HEADER_BYTES + scaleBytes);
  return out;
}

function corrupt(message: string): CalderaError {
  return new CalderaError('CORRUPT_PACKED_DATA', `unpackQuantized: ${message}`);
}

/**
 * Reads a blob written by {@link packQuantized}.
 *
 * @param blob - the packed bytes
 * @returns the quantised matrix
 * @throws CalderaError `CORRUPT_PACKED_DATA` (bad magic, truncated or inconsistent sizes),
 *   `FORMAT_VERSION_UNSUPPORTED` (newer format), `UNKNOWN_QUANTIZER` (unregistered id)
 * @example
 * ```ts
 * const q = uniformQuantize(Float32Array.of(1, -1), 1, 2, { bits: 4 });
 * unpackQuantized(packQuantized(q)).codes; // Uint8Array [15, 1]
 * ```
 */
export function unpackQuantized(blob: Uint8Array): QuantizedMatrix {
  if (blob.length < HEADER_BYTES) throw corrupt(`blob of ${blob.length} bytes has no header`);
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw corrupt('bad magic (expected "CQNT")');
  const version = dv.getUint16(4, true);
  if (version !== QUANT_FORMAT_VERSION) {
    throw new CalderaError(
      'FORMAT_VERSION_UNSUPPORTED',
      `unpackQuantized: format version ${describeValue(version)} is not supported (this build reads ${QUANT_FORMAT_VERSION})`,
    );
  }
  const info = getQuantizer(dv.getUint16(6, true));
  const rows = dv.getUint32(8, true);
  const cols = dv.getUint32(12, true);
  const groupSize = dv.getUint32(16, true);
  const f16 = blob[20] === 1;
  const asym = ((blob[21] ?? 0) & 1) === 1;
  const nScales = dv.getUint32(24, true);
  const codeBytes = dv.getUint32(28, true);
  if (cols < 1 || groupSize < 1)
    throw corrupt(`bad cols/groupSize ${describeValue([cols, groupSize])}`);
  let p = HEADER_BYTES;
  if (info.family === 'e8p') {
    const name = info.name as E8QuantizerName;
    const n = rows * Math.ceil(cols / 8);
    const per = name === 'e8p12' ? 2 : name === 'e8p12rvq4b' ? 4 : 3;
    if (nScales !== 1 || codeBytes !== n * per || blob.length !== HEADER_BYTES + 4 + codeBytes) {
      throw corrupt(`sizes do not match a ${rows}×${cols} ${name} matrix`);
    }
    const scale = dv.getFloat32(p, true);
    p += 4;
    const codes = new Uint32Array(n);
    for (let k = 0; k < n; k++) {
      const c1 = dv.getUint16(p + 2 * k, true);
      if (name === 'e8p12') codes[k] = c1;
      else if (name === 'e8p12rvq4b')
        codes[k] = ((c1 << 16) | dv.getUint16(p + 2 * n + 2 * k, true)) >>> 0;
      else codes[k] = (c1 << 8) | blob[p + 2 * n + k]!;
    }
    return { family: 'e8p', quantizer: name, rows, cols, scale, codes };
  }
  if (info.family !== 'uniform') throw corrupt(`quantizer ${info.name} has no built-in layout`);
  const bits = info.codeBits as UniformBits;
  const gpr = groupsPerRow(cols, groupSize);
  const scaleBytes = (((asym ? 2 : 1) * nScales * (f16 ? 2 : 4) + 3) & ~3) >>> 0;
  if (
    nScales !== rows * gpr ||
    codeBytes !== packedByteLength(rows * cols, bits) ||
    blob.length !== HEADER_BYTES + scaleBytes + codeBytes
  ) {
    throw corrupt(`sizes do not match a ${rows}×${cols} ${info.name} matrix`);
  }
  const readAll = (): Float32Array => {
    const a = new Float32Array(nScales);
    for (let k = 0; k < nScales; k++) {
      if (f16) {
        a[k] = fromFloat16Bits(dv.getUint16(p, true));
        p += 2;
      } else {
        a[k] = dv.getFloat32(p, true);
        p += 4;
      }
    }
    return a;
  };
  const scales = readAll();
  const offsets = asym ? readAll() : new Float32Array(0);
  const codes = unpackBits(
    blob.subarray(HEADER_BYTES + scaleBytes),
    bits,
    rows * cols,
    new Uint8Array(rows * cols),
  );
  return {
    family: 'uniform',
    rows,
    cols,
    bits,
    groupSize,
    scheme: asym ? 'asymmetric' : 'symmetric',
    scaleFormat: f16 ? 'f16' : 'f32',
    codes,
    scales,
    offsets,
  };
}
