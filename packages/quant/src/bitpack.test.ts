import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packBits, packedByteLength, unpackBits } from './bitpack';

describe('bit packing', () => {
  it('documented LSB-first little-endian layout', () => {
    expect(Array.from(packBits(Uint8Array.of(1, 2, 3, 0), 2))).toEqual([0x39]);
    expect(Array.from(packBits(Uint8Array.of(5, 3, 7), 3))).toEqual([0xdd, 0x01]);
    expect(Array.from(packBits(Uint16Array.of(0xabc), 12))).toEqual([0xbc, 0x0a]);
    expect(packedByteLength(5, 3)).toBe(2);
  });

  it('round trips for any bits in 1..16 and any codes (property)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 16 })
          .chain((bits) =>
            fc.tuple(
              fc.constant(bits),
              fc.array(fc.integer({ min: 0, max: 2 ** bits - 1 }), { maxLength: 200 }),
            ),
          ),
        ([bits, codes]) => {
          const packed = packBits(Uint16Array.from(codes), bits);
          expect(packed.length).toBe(Math.ceil((codes.length * bits) / 8));
          expect(Array.from(unpackBits(packed, bits, codes.length))).toEqual(codes);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects codes that do not fit, bad bits and short input', () => {
    expect(() => packBits(Uint8Array.of(4), 2)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => packBits(Uint8Array.of(0), 0)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_BITS' }),
    );
    expect(() => unpackBits(new Uint8Array(1), 4, 3)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_PACKED_DATA' }),
    );
  });
});
