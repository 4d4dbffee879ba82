import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCalderaError } from '../error';
import { bfloat16BitsToFloat32, float32ToBfloat16Bits } from './bf16';
import {
  float16BitsToFloat32,
  float16ToNumber,
  float32ToFloat16Bits,
  numberToFloat16Bits,
} from './f16';
import { float64ToFloat32 } from './f64';
import {
  decodeFloatBitsRef,
  encodeFloatBitsRef,
  float32BitsToBfloat16BitsRef,
  float32BitsToFloat16BitsRef,
} from './reference';

const ALL16 = Uint16Array.from({ length: 65536 }, (_, i) => i);

function f32FromBits(bits: Uint32Array): Float32Array {
  return new Float32Array(bits.buffer, bits.byteOffset, bits.length);
}

function bitsOf(f: Float32Array): Uint32Array {
  return new Uint32Array(f.buffer, f.byteOffset, f.length);
}

/** float32 patterns around every 16-bit pattern placed in the top half: exact, ties, near-ties. */
function nearTies(lowBits: number[], shiftTo: (h: number) => number): Uint32Array {
  const out = new Uint32Array(65536 * lowBits.length);
  let k = 0;
  for (let h = 0; h < 65536; h++) {
    const base = shiftTo(h);
    for (const lo of lowBits) out[k++] = (base + lo) >>> 0;
  }
  return out;
}

describe('reference formats', () => {
  it('decodes and encodes known float16 and bfloat16 values', () => {
    expect(decodeFloatBitsRef(0x3c00, 5, 10)).toBe(1);
    expect(decodeFloatBitsRef(0x7bff, 5, 10)).toBe(65504);
    expect(decodeFloatBitsRef(0x0001, 5, 10)).toBe(2 ** -24);
    expect(decodeFloatBitsRef(0xfc00, 5, 10)).toBe(Number.NEGATIVE_INFINITY);
    expect(decodeFloatBitsRef(0x3f80, 8, 7)).toBe(1);
    expect(encodeFloatBitsRef(65519, 5, 10)).toBe(0x7bff);
    expect(encodeFloatBitsRef(65520, 5, 10)).toBe(0x7c00);
    expect(encodeFloatBitsRef(-0, 5, 10)).toBe(0x8000);
    expect(encodeFloatBitsRef(2 ** -25, 5, 10)).toBe(0);
    expect(encodeFloatBitsRef(3 * 2 ** -25, 5, 10)).toBe(2);
    expect(encodeFloatBitsRef(1 + 2 ** -8, 8, 7)).toBe(0x3f80);
    expect(encodeFloatBitsRef(1 + 3 * 2 ** -8, 8, 7)).toBe(0x3f82);
  });
});

describe('float16 kernels', () => {
  it('widens all 65,536 patterns exactly (NaN payloads kept)', () => {
    const out = float16BitsToFloat32(ALL16);
    const bits = bitsOf(out);
    for (let h = 0; h < 65536; h++) {
      const ref = decodeFloatBitsRef(h, 5, 10);
      if (Number.isNaN(ref)) {
        expect(Number.isNaN(out[h]!)).toBe(true);
        expect(bits[h]! >>> 31).toBe(h >>> 15);
        expect((bits[h]! >>> 13) & 0x3ff).toBe(h & 0x3ff);
      } else if (!Object.is(out[h], ref)) {
        expect.fail(`f16 0x${h.toString(16)}: got ${out[h]}, want ${ref}`);
      }
    }
  });

  it('round-trips every non-NaN pattern and quiets NaNs', () => {
    const back = float32ToFloat16Bits(float16BitsToFloat32(ALL16));
    for (let h = 0; h < 65536; h++) {
      const nan = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      const want = nan ? h | 0x200 : h;
      if (back[h] !== want)
        expect.fail(`0x${h.toString(16)} came back as 0x${back[h]!.toString(16)}`);
    }
  });

  it('narrows exact values, ties and near-ties like the reference', () => {
    const src = nearTies([0, 1, 0xfff, 0x1000, 0x1001, 0x1fff], (h) => {
      // place h's exponent/mantissa at the matching float32 position (normal range only)
      const f = new Float32Array([decodeFloatBitsRef(h & 0x7fff, 5, 10)]);
      const b = bitsOf(f)[0]!;
      return ((h & 0x8000) << 16) + (Number.isFinite(f[0]!) ? b : 0x7f800000);
    });
    const got = float32ToFloat16Bits(f32FromBits(src));
    for (let i = 0; i < src.length; i++) {
      const want = float32BitsToFloat16BitsRef(src[i]!);
      if (got[i] !== want) {
        expect.fail(
          `f32 0x${src[i]!.toString(16)}: got 0x${got[i]!.toString(16)}, want 0x${want.toString(16)}`,
        );
      }
    }
  });

  it('narrows subnormal ties and near-ties like the reference', () => {
    const mids = new Float32Array(2 * 2048);
    for (let n = 0; n < 2048; n++) {
      mids[2 * n] = (n + 0.5) * 2 ** -24;
      mids[2 * n + 1] = -(n + 0.5) * 2 ** -24;
    }
    const midBits = bitsOf(mids);
    const src = new Uint32Array(midBits.length * 3);
    for (let i = 0; i < midBits.length; i++) {
      src[3 * i] = midBits[i]!;
      src[3 * i + 1] = midBits[i]! + 1;
      src[3 * i + 2] = midBits[i]! - 1;
    }
    const got = float32ToFloat16Bits(f32FromBits(src));
    for (let i = 0; i < src.length; i++) {
      if (got[i] !== float32BitsToFloat16BitsRef(src[i]!)) expect.fail(`0x${src[i]!.toString(16)}`);
    }
    expect(got[0]).toBe(0); // 0.5 · 2^-24 ties to even (zero)
    expect(got[3]).toBe(0x8000);
    expect(got[6]).toBe(2); // 1.5 · 2^-24 ties to 2
  });

  it('narrows random float32 patterns like the reference', () => {
    fc.assert(
      fc.property(fc.uint32Array({ minLength: 1, maxLength: 64 }), (bits) => {
        const got = float32ToFloat16Bits(f32FromBits(bits));
        for (let i = 0; i < bits.length; i++) {
          if (got[i] !== float32BitsToFloat16BitsRef(bits[i]!)) return false;
        }
        return true;
      }),
      { seed: 16, numRuns: 2000 },
    );
  });

  it('rejects a short output array', () => {
    let caught: unknown;
    try {
      float16BitsToFloat32(new Uint16Array(4), new Float32Array(3));
    } catch (e) {
      caught = e;
    }
    expect(isCalderaError(caught, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('bfloat16 kernels', () => {
  it('widens all 65,536 patterns exactly', () => {
    const out = bfloat16BitsToFloat32(ALL16);
    const bits = bitsOf(out);
    for (let h = 0; h < 65536; h++) {
      const ref = decodeFloatBitsRef(h, 8, 7);
      if (Number.isNaN(ref)) {
        if (bits[h] !== (h << 16) >>> 0) expect.fail(`NaN 0x${h.toString(16)} lost its bits`);
      } else if (!Object.is(out[h], ref)) {
        expect.fail(`bf16 0x${h.toString(16)}: got ${out[h]}, want ${ref}`);
      }
    }
  });

  it('narrows exact values, ties and near-ties of every pattern like the reference', () => {
    const src = nearTies([0, 1, 0x7fff, 0x8000, 0x8001, 0xffff], (h) => h * 65536);
    const got = float32ToBfloat16Bits(f32FromBits(src));
    for (let i = 0; i < src.length; i++) {
      const want = float32BitsToBfloat16BitsRef(src[i]!);
      if (got[i] !== want) {
        expect.fail(
          `f32 0x${src[i]!.toString(16)}: got 0x${got[i]!.toString(16)}, want 0x${want.toString(16)}`,
        );
      }
    }
    // every pattern survives widen + narrow (NaNs come back quiet)
    const back = float32ToBfloat16Bits(bfloat16BitsToFloat32(ALL16));
    for (let h = 0; h < 65536; h++) {
      const nan = (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;
      if (back[h] !== (nan ? h | 0x40 : h)) expect.fail(`0x${h.toString(16)} did not round-trip`);
    }
  });
});

describe('float64 kernel', () => {
  it('matches Math.fround', () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { maxLength: 64 }), (xs) => {
        const got = float64ToFloat32(Float64Array.from(xs));
        return xs.every((x, i) => Object.is(got[i], Math.fround(x)));
      }),
      { seed: 64, numRuns: 500 },
    );
  });
});

describe('scalar float16 helpers', () => {
  it('agree with the array kernels on every pattern', () => {
    const wide = float16BitsToFloat32(ALL16);
    for (let h = 0; h < 65536; h++) {
      const v = float16ToNumber(h);
      if (Number.isNaN(wide[h]!)) expect(Number.isNaN(v)).toBe(true);
      else {
        expect(v).toBe(wide[h]);
        expect(numberToFloat16Bits(v)).toBe(h);
      }
    }
    expect(numberToFloat16Bits(0.1)).toBe(0x2e66);
    expect(float16ToNumber(0x2e66)).toBe(0.0999755859375);
  });
});
