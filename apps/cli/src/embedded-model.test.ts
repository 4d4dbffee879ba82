import { readFile } from 'node:fs/promises';
import { SafetensorsFile } from '@caldera/io';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;

describe('embedded model models/pycode-6m', () => {
  it('is the shared float32 model rounded to float16, tensor by tensor', async () => {
    const f16 = await SafetensorsFile.open(`${root}models/pycode-6m/model.safetensors`);
    const f32 = await SafetensorsFile.open(
      `${root}../shared/assets/models/pycode-6m/model.safetensors`,
    );
    try {
      const names16 = f16.tensors().map((t) => t.name);
      expect(names16).toEqual(f32.tensors().map((t) => t.name));
      for (const t of f16.tensors()) {
        expect(t.dtype).toBe('F16');
        const a = await f16.readFloat32(t.name);
        const b = await f32.readFloat32(t.name);
        expect(a.length).toBe(b.length);
        let worst = 0;
        for (let i = 0; i < a.length; i++) {
          // float16 has an 11-bit significand: relative error ≤ 2^-11, absolute ≤ 2^-25 near zero.
          const err = Math.abs(a[i]! - b[i]!);
          worst = Math.max(worst, err / Math.max(Math.abs(b[i]!), 2 ** -14));
        }
        expect(worst).toBeLessThanOrEqual(2 ** -11);
      }
    } finally {
      await f16.close();
      await f32.close();
    }
  });

  it('ships a ≤ 100 KB held-out slice that is a prefix of the held-out text', async () => {
    const slice = await readFile(`${root}models/pycode-6m/heldout_sample.txt`, 'utf8');
    const full = await readFile(`${root}../shared/assets/models/pycode-6m/heldout_dev.txt`, 'utf8');
    expect(Buffer.byteLength(slice)).toBeLessThanOrEqual(100_000);
    expect(Buffer.byteLength(slice)).toBeGreaterThan(90_000);
    expect(full.startsWith(slice)).toBe(true);
    const config = JSON.parse(await readFile(`${root}models/pycode-6m/config.json`, 'utf8'));
    expect(config.torch_dtype).toBe('float16');
  });
});
