import { Rng } from '@caldera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type E8QuantizerName, e8Dequantize, e8Quantize } from './e8-matrix';
import {
  bitsPerWeight,
  packedSize,
  packQuantized,
  QUANT_FORMAT_VERSION,
  unpackQuantized,
} from './format';
import { getQuantizer, listQuantizers, registerQuantizer } from './registry';
import { type UniformBits, uniformDequantize, uniformQuantize } from './uniform';

const shape = fc.tuple(
  fc.integer({ min: 1, max: 9 }),
  fc.integer({ min: 1, max: 40 }),
  fc.integer(),
);

describe('packed format', () => {
  it('E8 family: pack/unpack round trip for any shape (property)', () => {
    fc.assert(
      fc.property(
        shape,
        fc.constantFrom<E8QuantizerName>('e8p12', 'e8p12rvq3b', 'e8p12rvq4b'),
        ([rows, cols, seed], name) => {
          const w = new Rng(seed).fillGaussian(new Float32Array(rows * cols));
          const q = e8Quantize(name, w, rows, cols);
          const blob = packQuantized(q);
          expect(blob.length).toBe(packedSize(q));
          const u = unpackQuantized(blob);
          expect(u).toEqual(q);
          if (u.family !== 'e8p') throw new Error('wrong family');
          expect(e8Dequantize(u)).toEqual(e8Dequantize(q));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('uniform: pack/unpack round trip for any shape and options (property)', () => {
    fc.assert(
      fc.property(
        shape,
        fc.constantFrom<UniformBits>(2, 3, 4, 8),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom('symmetric' as const, 'asymmetric' as const),
        fc.constantFrom('f32' as const, 'f16' as const),
        ([rows, cols, seed], bits, groupSize, scheme, scaleFormat) => {
          const w = new Rng(seed).fillGaussian(new Float32Array(rows * cols));
          const q = uniformQuantize(w, rows, cols, { bits, groupSize, scheme, scaleFormat });
          const u = unpackQuantized(packQuantized(q));
          expect(u).toEqual(q);
          if (u.family !== 'uniform') throw new Error('wrong family');
          expect(uniformDequantize(u)).toEqual(uniformDequantize(q));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('header fields and honest bits per weight', () => {
    const q = e8Quantize('e8p12', new Rng(1).fillGaussian(new Float32Array(256 * 256)), 256, 256);
    const blob = packQuantized(q);
    const dv = new DataView(blob.buffer);
    expect(new TextDecoder().decode(blob.subarray(0, 4))).toBe('CQNT');
    expect(dv.getUint16(4, true)).toBe(QUANT_FORMAT_VERSION);
    expect(dv.getUint16(6, true)).toBe(1);
    expect(bitsPerWeight(q)).toBeCloseTo(2 + (8 * 36) / 65536, 12);
    const r4 = e8Quantize('e8p12rvq4b', new Float32Array(256 * 256), 256, 256, 1);
    expect(bitsPerWeight(r4)).toBeCloseTo(4 + (8 * 36) / 65536, 12);
    const r3 = e8Quantize('e8p12rvq3b', new Float32Array(256 * 256), 256, 256, 1);
    expect(bitsPerWeight(r3)).toBeCloseTo(3 + (8 * 36) / 65536, 12);
    // padded columns are paid for: 12 columns → 2 vectors per row
    expect(bitsPerWeight(e8Quantize('e8p12', new Float32Array(12), 1, 12, 1))).toBe(
      (8 * (36 + 4)) / 12,
    );
    // uniform 4-bit, groups of 128, f16 scale + offset: 4 + 32/128 bits, plus header
    const u = uniformQuantize(new Float32Array(128 * 128), 128, 128, {
      bits: 4,
      groupSize: 128,
      scheme: 'asymmetric',
      scaleFormat: 'f16',
    });
    expect(bitsPerWeight(u)).toBeCloseTo(4 + 0.25 + (8 * 32) / (128 * 128), 12);
  });

  it('rejects corrupt, truncated, future-version and unknown-id blobs', () => {
    const blob = packQuantized(uniformQuantize(Float32Array.of(1, 2, 3, 4), 2, 2, { bits: 4 }));
    expect(() => unpackQuantized(blob.subarray(0, blob.length - 1))).toThrow(
      expect.objectContaining({ code: 'CORRUPT_PACKED_DATA' }),
    );
    const bad = blob.slice();
    bad[0] = 0;
    expect(() => unpackQuantized(bad)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_PACKED_DATA' }),
    );
    const future = blob.slice();
    future[4] = 2;
    expect(() => unpackQuantized(future)).toThrow(
      expect.objectContaining({ code: 'FORMAT_VERSION_UNSUPPORTED' }),
    );
    const unknown = blob.slice();
    unknown[6] = 250;
    expect(() => unpackQuantized(unknown)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_QUANTIZER' }),
    );
  });
});

describe('quantizer registry', () => {
  it('has stable built-in ids', () => {
    expect(getQuantizer('e8p12').id).toBe(1);
    expect(getQuantizer('e8p12rvq3b').id).toBe(2);
    expect(getQuantizer('e8p12rvq4b').id).toBe(3);
    expect([2, 3, 4, 8].map((b) => getQuantizer(`uniform${b}`).id)).toEqual([18, 19, 20, 24]);
    expect(getQuantizer(3).name).toBe('e8p12rvq4b');
    expect(getQuantizer(1).blockSize).toBe(8);
    expect(listQuantizers().map((q) => q.id)).toEqual(
      [...listQuantizers().map((q) => q.id)].sort((a, b) => a - b),
    );
  });

  it('registers new quantizers and rejects unknown / duplicate / malformed ones', () => {
    registerQuantizer({ name: 'test-nf4', id: 4242, family: 'custom', codeBits: 4, blockSize: 1 });
    expect(getQuantizer(4242).name).toBe('test-nf4');
    expect(() => getQuantizer('nope')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_QUANTIZER' }),
    );
    expect(() => getQuantizer(999)).toThrow(expect.objectContaining({ code: 'UNKNOWN_QUANTIZER' }));
    expect(() =>
      registerQuantizer({ name: 'e8p12', id: 5000, family: 'custom', codeBits: 2, blockSize: 8 }),
    ).toThrow(expect.objectContaining({ code: 'DUPLICATE_QUANTIZER' }));
    expect(() =>
      registerQuantizer({ name: 'fresh', id: 1, family: 'custom', codeBits: 2, blockSize: 8 }),
    ).toThrow(expect.objectContaining({ code: 'DUPLICATE_QUANTIZER' }));
    expect(() =>
      registerQuantizer({
        name: 'Bad Name',
        id: 5001,
        family: 'custom',
        codeBits: 2,
        blockSize: 8,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
