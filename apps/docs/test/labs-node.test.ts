// The playground's computations in Node (the same functions its Web Worker runs).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProgressEvent } from '@caldera/core';
import { parseSafetensors, serializeSafetensors } from '@caldera/io';
import { beforeAll, describe, expect, it } from 'vitest';
import { labThreads } from '../src/lab/browser-lab';
import { heatmapPixels, polyline } from '../src/lab/charts';
import {
  type LabModelFiles,
  type LabProblem,
  listLayers,
  prepareModelProblem,
  runMatrixLab,
  tensorProblem,
} from '../src/lab/matrix-lab';
import { runModelLab } from '../src/lab/model-lab';

const dir = fileURLToPath(new URL('../../../models/pycode-6m/', import.meta.url));
const files: LabModelFiles = {
  safetensors: readFileSync(`${dir}model.safetensors`),
  config: JSON.parse(readFileSync(`${dir}config.json`, 'utf8')) as unknown,
  tokenizer: readFileSync(`${dir}tokenizer.model`),
  text: readFileSync(`${dir}heldout_sample.txt`, 'utf8'),
};
const base = { rank: 16, qFamily: 'e8p' as const, qBits: 2, lrBits: 4, iterations: 3, seed: 42 };

describe('Matrix lab', () => {
  let problem: LabProblem;
  beforeAll(async () => {
    problem = await prepareModelProblem(files, {
      layer: 0,
      name: 'k_proj',
      windows: 4,
      seqLen: 64,
      seed: 42,
    });
  });

  it('lists the 42 projections of the embedded model with their shapes', () => {
    const layers = listLayers(files.config);
    expect(layers).toHaveLength(42);
    const st = parseSafetensors(files.safetensors);
    for (const l of layers) expect(st.tensor(l.label).shape).toEqual([l.m, l.n]);
  });

  it('builds the Hessian from calibration windows (symmetric, positive diagonal)', () => {
    const { h, n, m } = problem;
    expect([m, n]).toEqual([128, 256]);
    expect(problem.calibrationTokens).toBe(256);
    for (let i = 0; i < n; i++) {
      expect(h![i * n + i]!).toBeGreaterThan(0);
      expect(h![i * n + (n - 1 - i)]).toBeCloseTo(h![(n - 1 - i) * n + i]!, 10);
    }
  });

  it('orders the methods by error at 2 bits: caldera < ldlq < rtn; low-rank is cheapest', () => {
    const r = Object.fromEntries(
      (['caldera', 'ldlq', 'rtn', 'low-rank'] as const).map((method) => [
        method,
        runMatrixLab(problem, { ...base, method }),
      ]),
    );
    expect(r.caldera!.relativeError).toBeLessThan(r.ldlq!.relativeError);
    expect(r.ldlq!.relativeError).toBeLessThan(r.rtn!.relativeError);
    expect(r.rtn!.bitsPerParameter).toBeGreaterThan(2);
    expect(r.rtn!.bitsPerParameter).toBeLessThan(2.1);
    // 2 + 4·16·(128 + 256)/(128·256) = 2.75, plus side data.
    expect(r.caldera!.bitsPerParameter).toBeGreaterThan(2.75);
    expect(r.caldera!.bitsPerParameter).toBeLessThan(2.85);
    expect(r['low-rank']!.bitsPerParameter).toBeLessThan(1);
    expect(r.caldera!.trace.length).toBe(6);
    const c = r.caldera!;
    expect(c.spectrumW).toHaveLength(128);
    // The residual's spectrum lies below W's, and it is W − Ŵ.
    expect(c.spectrumResidual[0]!).toBeLessThan(c.spectrumW[0]!);
    let ss = 0;
    for (const v of c.residual) ss += v * v;
    let sv = 0;
    for (const s of c.spectrumResidual) sv += s * s;
    expect(Math.abs(ss - sv) / ss).toBeLessThan(1e-6);
  });

  it('stops at the next step when aborted from a progress event', () => {
    const ac = new AbortController();
    const seen: ProgressEvent[] = [];
    expect(() =>
      runMatrixLab(
        problem,
        { ...base, method: 'caldera', iterations: 50 },
        {
          signal: ac.signal,
          onProgress: (e) => {
            seen.push(e);
            if (e.type === 'progress' && e.current === 2) ac.abort();
          },
        },
      ),
    ).toThrow(expect.objectContaining({ code: 'ABORTED' }));
    expect(seen.filter((e) => e.type === 'progress').length).toBe(2);
  });

  it('takes any 2-D tensor of a dropped file with H = I, and refuses vectors', () => {
    const w = new Float32Array(32 * 64).map((_, i) => Math.sin(i * 0.37) + ((i * 7919) % 13) / 13);
    const bytes = serializeSafetensors([
      { name: 'w', dtype: 'F32', shape: [32, 64], data: w },
      { name: 'b', dtype: 'F32', shape: [64], data: new Float32Array(64) },
    ]);
    const st = parseSafetensors(bytes);
    const p = tensorProblem(st, 'w');
    expect(p.h).toBeNull();
    const r = runMatrixLab(p, { ...base, rank: 4, method: 'ldlq' });
    expect(r.relativeError).toBeGreaterThan(0);
    expect(r.relativeError).toBeLessThan(0.5);
    expect(() => tensorProblem(st, 'b')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('Model lab', () => {
  it('compresses every projection and generates from both models', async () => {
    const tasks = new Set<string>();
    let last = 0;
    const result = await runModelLab(
      files,
      {
        method: 'rtn',
        rank: 0,
        qBits: 4,
        lrBits: 4,
        iterations: 1,
        seed: 1,
        windows: 2,
        seqLen: 32,
        prompt: 'def add(a, b):\n',
        maxTokens: 12,
      },
      {
        onProgress: (e) => {
          tasks.add(e.task);
          if (e.type === 'progress' && e.task === 'compress') {
            expect(e.current).toBe(last + 1);
            last = e.current;
          }
        },
      },
    );
    expect([...tasks]).toEqual(['calibrate', 'compress']);
    expect(last).toBe(42);
    expect(result.projections).toBe(42);
    expect(result.bitsPerParameter).toBeGreaterThan(4);
    expect(result.bitsPerParameter).toBeLessThan(4.1);
    expect(result.meanError).toBeGreaterThan(0);
    expect(result.meanError).toBeLessThan(0.2);
    expect(result.originalText.length).toBeGreaterThan(0);
    expect(result.compressedText.length).toBeGreaterThan(0);
  });
});

describe('charts', () => {
  it('maps series into the box, on linear and log axes', () => {
    expect(polyline([1, 0.5, 0], 100, 50, false)).toBe('0,0 50,25 100,50');
    expect(polyline([100, 10, 1], 10, 10, true)).toBe('0,0 5,5 10,10');
  });

  it('colours residuals: red positive, blue negative, white zero; downsamples', () => {
    const { pixels, width, height } = heatmapPixels([1, 0, -1, 0.5], 2, 2, 10, 10);
    expect([width, height]).toEqual([2, 2]);
    expect([...pixels.slice(0, 4)]).toEqual([255, 0, 0, 255]);
    expect([...pixels.slice(4, 8)]).toEqual([255, 255, 255, 255]);
    expect([...pixels.slice(8, 12)]).toEqual([0, 0, 255, 255]);
    const small = heatmapPixels(new Float32Array(100 * 300).fill(1), 100, 300, 64, 64);
    expect(small.width).toBeLessThanOrEqual(64);
    expect(small.height).toBeLessThanOrEqual(64);
  });

  it('uses one thread without cross-origin isolation', () => {
    expect(labThreads('?threads=3', false, 8)).toBe(1);
    expect(labThreads('?threads=3', true, 8)).toBe(3);
    expect(labThreads('', true, 8)).toBe(4);
    expect(labThreads('', true, 2)).toBe(2);
  });
});
