import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  E8P_ABS_TABLE,
  E8P_BASE_TABLE,
  e8pCodebook,
  e8pDecode,
  e8pDecodeOne,
  e8pDecodeTable,
  e8pPackedAbsWords,
} from './e8p-codebook';

const sha = (a: ArrayBufferView): string =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

describe('E8P12 codebook', () => {
  it('abs table: 227 + 29 rows, norm² histogram, all distinct, first part sorted', () => {
    const hist = new Map<number, number>();
    const keys = new Set<string>();
    for (let r = 0; r < 256; r++) {
      const row = Array.from(E8P_ABS_TABLE.subarray(r * 8, r * 8 + 8));
      const n2 = row.reduce((s, v) => s + v * v, 0);
      if (r < 227) hist.set(n2, (hist.get(n2) ?? 0) + 1);
      else expect(n2).toBe(12);
      keys.add(row.join(','));
      if (r > 0 && r < 227) {
        const prev = Array.from(E8P_ABS_TABLE.subarray(r * 8 - 8, r * 8));
        const k = row.findIndex((v, i) => v !== prev[i]);
        expect(row[k]!).toBeGreaterThan(prev[k]!);
      }
    }
    expect(Object.fromEntries(hist)).toEqual({ 2: 1, 4: 8, 6: 28, 8: 64, 10: 126 });
    expect(keys.size).toBe(256);
    expect(Array.from(E8P_ABS_TABLE.subarray(227 * 8, 228 * 8))).toEqual([
      1.5, 0.5, 0.5, 0.5, 1.5, 1.5, 1.5, 1.5,
    ]);
  });

  it('packed abs words match §6.1 and the §12 SHA-256 prefix', () => {
    const w = e8pPackedAbsWords();
    expect(Array.from(w.subarray(0, 4))).toEqual([0x99999999, 0x59999999, 0xd9999999, 0x7999b999]);
    expect(sha(w).slice(0, 16)).toBe('efc2c03c60acd955');
  });

  it('full 65,536×8 float32 codebook matches the §12 SHA-256 prefix', () => {
    const t = e8pCodebook();
    expect(t.length).toBe(65536 * 8);
    expect(sha(t).slice(0, 16)).toBe('69038254fded6881');
  });

  it('all rows distinct; row − shift ∈ D̂8 with the shift tied to sign parity', () => {
    const t = e8pCodebook();
    const seen = new Set<number>();
    let bad = 0;
    for (let c = 0; c < 65536; c++) {
      const row = t.subarray(c * 8, c * 8 + 8);
      let key = 0;
      for (const v of row) key = key * 64 + (v + 4) * 4; // 6 bits per coordinate, exact
      seen.add(key);
      let p = 0;
      for (let j = 0; j < 8; j++) p ^= (c >> j) & 1;
      const shift = p ? -0.25 : 0.25;
      let sum = 0;
      for (const v of row) {
        const y = v - shift;
        if (Math.abs(y - Math.round(y - 0.5) - 0.5) > 0) bad++; // half-integer
        sum += y;
      }
      if (sum % 2 !== 0) bad++;
    }
    expect(seen.size).toBe(65536);
    expect(bad).toBe(0);
  });

  it('example decodes of §6.1; per-call decode equals the table', () => {
    const v = new Float64Array(8);
    e8pDecodeOne(0, v);
    expect(Array.from(v)).toEqual(Array(8).fill(0.75));
    e8pDecodeOne(1, v);
    expect(Array.from(v)).toEqual(Array(8).fill(0.25));
    e8pDecodeOne(0x0100, v);
    expect(Array.from(v)).toEqual([0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, -1.25]);
    expect(E8P_BASE_TABLE[8 + 7]).toBe(-1.5);
    const codes = Uint16Array.from({ length: 4096 }, (_, i) => (i * 4099) & 0xffff);
    const viaTable = e8pDecodeTable(codes, 0.5);
    expect(e8pDecode(codes, 0.5)).toEqual(viaTable);
    const viaAbs = new Float32Array(codes.length * 8);
    for (let k = 0; k < codes.length; k++) e8pDecodeOne(codes[k]!, viaAbs, 8 * k, 0.5);
    let diff = 0;
    for (let i = 0; i < viaAbs.length; i++) if (viaAbs[i] !== viaTable[i]) diff++;
    expect(diff).toBe(0);
  });
});
