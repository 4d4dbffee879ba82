import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensorsFile } from '@caldera/io';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCalibration, saveCalibration } from '../src/calibrate/calibration-file';
import { collectCalibration } from '../src/calibrate/collect-calibration';
import { MomentAccumulator } from '../src/calibrate/moment-accumulator';
import { LlamaModel } from '../src/model/llama-model';
import type { InputSite } from '../src/model/observer';
import { randomModelSource, tinyConfig } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'caldera-runtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WINDOWS = [
  Int32Array.of(1, 5, 9, 33, 2, 17, 17, 4, 39, 0),
  Int32Array.of(1, 11, 12, 13, 14),
  Int32Array.of(1, 20, 21, 22, 23, 24, 25),
];

/** Cholesky-free PSD check: xᵀHx ≥ −tol for random x, and the diagonal is non-negative. */
function expectSymmetricPsd(h: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    expect(h[i * n + i]!).toBeGreaterThanOrEqual(0);
    for (let j = 0; j < i; j++) expect(h[i * n + j]).toBe(h[j * n + i]);
  }
  for (let t = 0; t < 20; t++) {
    const x = Array.from({ length: n }, (_, i) => Math.sin(7 * t + 3 * i));
    let q = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q += x[i]! * h[i * n + j]! * x[j]!;
    expect(q).toBeGreaterThan(-1e-9);
  }
}

describe('MomentAccumulator', () => {
  it('equals XᵀX/n and the mean computed densely, over several blocks', () => {
    const n = 5;
    const rows = [3, 1, 4];
    const all: number[][] = [];
    const acc = new MomentAccumulator(n);
    let k = 0;
    for (const r of rows) {
      const x = new Float32Array(r * n);
      for (let i = 0; i < x.length; i++) x[i] = Math.fround(Math.cos(1.3 * k++));
      for (let i = 0; i < r; i++) all.push(Array.from(x.subarray(i * n, i * n + n)));
      acc.add(x, r);
    }
    const h = acc.secondMoment();
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const dense = all.reduce((s, row) => s + row[i]! * row[j]!, 0) / all.length;
        expect(Math.abs(h[i * n + j]! - dense)).toBeLessThan(1e-14);
      }
    expect(acc.count).toBe(8);
    expect(acc.mean()[2]).toBeCloseTo(all.reduce((s, row) => s + row[2]!, 0) / 8, 14);
    expectSymmetricPsd(h, n);
  });
});

describe('collectCalibration', () => {
  it('input Hessians equal XᵀX/n of the captured activations and are symmetric PSD', async () => {
    const model = await LlamaModel.load(randomModelSource(tinyConfig(), 9));
    const stats = await collectCalibration(model, WINDOWS, { outputs: ['down_proj', 'k_proj'] });
    expect(stats.windows).toBe(3);
    expect(stats.tokens).toBe(22);
    // capture activations densely with an observer on a fresh pass
    const captured = new Map<string, number[][]>();
    for (const w of WINDOWS) {
      const s = model.createSession({ maxContext: 16 });
      s.forward(w, {
        observer: {
          linearInput: (l, site, x, rows, dim) => {
            const key = `${l}.${site}`;
            const list = captured.get(key) ?? [];
            for (let r = 0; r < rows; r++)
              list.push(Array.from(x.subarray(r * dim, r * dim + dim)));
            captured.set(key, list);
          },
          linearOutput: (l, name, y, rows, dim) => {
            const key = `${l}.${name}`;
            const list = captured.get(key) ?? [];
            for (let r = 0; r < rows; r++)
              list.push(Array.from(y.subarray(r * dim, r * dim + dim)));
            captured.set(key, list);
          },
        },
      });
    }
    for (const l of [0, 1]) {
      for (const site of ['qkv', 'o', 'up', 'down'] as InputSite[]) {
        const xs = captured.get(`${l}.${site}`)!;
        expect(xs).toHaveLength(22);
        const n = xs[0]!.length;
        const h = stats.inputMoment(l, site);
        expect(h.length).toBe(n * n);
        expectSymmetricPsd(h, n);
        for (let i = 0; i < n; i += 3)
          for (let j = 0; j < n; j += 5) {
            const dense = xs.reduce((s, x) => s + x[i]! * x[j]!, 0) / xs.length;
            expect(Math.abs(h[i * n + j]! - dense)).toBeLessThan(1e-9 * (1 + Math.abs(dense)));
          }
      }
      const ys = captured.get(`${l}.down_proj`)!;
      const o = stats.outputMoment(l, 'down_proj');
      const dense00 = ys.reduce((s, y) => s + y[0]! * y[0]!, 0) / ys.length;
      expect(Math.abs(o[0]! - dense00)).toBeLessThan(1e-9 * (1 + dense00));
      expect(stats.outputMoment(l, 'k_proj').length).toBe(16 * 16);
    }
    expect(() => stats.outputMoment(0, 'q_proj')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('saves, loads and resumes: resumed statistics equal a single run', async () => {
    const model = await LlamaModel.load(randomModelSource(tinyConfig(), 9));
    const full = await collectCalibration(model, WINDOWS, { layers: [1], outputs: true });
    const part = await collectCalibration(model, WINDOWS.slice(0, 2), {
      layers: [1],
      outputs: true,
    });
    const path = join(dir, 'calib.safetensors');
    await saveCalibration(path, part);
    const loaded = await loadCalibration(path);
    expect(loaded.windows).toBe(2);
    expect(loaded.config).toEqual(model.config);
    expect(Array.from(loaded.inputMoment(1, 'up'))).toEqual(Array.from(part.inputMoment(1, 'up')));
    const resumed = await collectCalibration(model, WINDOWS, {
      layers: [1],
      outputs: true,
      resume: loaded,
    });
    expect(resumed.tokens).toBe(full.tokens);
    for (const key of full.entries.keys()) {
      const a = full.get(key).secondMoment();
      const b = resumed.get(key).secondMoment();
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-12 * (1 + Math.abs(a[i]!)));
    }
    expect([...full.entries.keys()].sort()).toEqual([...resumed.entries.keys()].sort());
    expect(full.entries.has('layers.0.input.qkv')).toBe(false);
  });

  it('rejects a file of another format', async () => {
    const path = join(dir, 'other.safetensors');
    await writeSafetensorsFile(
      path,
      [{ name: 'w', dtype: 'F32', shape: [1], data: Float32Array.of(1) }],
      {
        metadata: { format: 'pt' },
      },
    );
    await expect(loadCalibration(path)).rejects.toMatchObject({ code: 'CALIBRATION_FORMAT' });
  });
});
