import { describe, expect, it } from 'vitest';
import { DTYPE_ITEMSIZE, DTYPES, dtypeItemSize, isDType } from './dtype-info';

describe('dtype info', () => {
  it('lists the twelve safetensors dtypes with their sizes', () => {
    expect(DTYPES).toHaveLength(12);
    expect(DTYPES.map((d) => dtypeItemSize(d))).toEqual([8, 4, 2, 2, 8, 4, 2, 1, 1, 1, 1, 1]);
    expect(isDType('BF16')).toBe(true);
    expect(isDType('bf16')).toBe(false);
    expect(isDType('toString')).toBe(false);
    expect(isDType(4)).toBe(false);
    expect(DTYPE_ITEMSIZE.F8_E5M2).toBe(1);
  });
});
