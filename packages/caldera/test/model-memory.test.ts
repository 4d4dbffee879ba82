// Bounded memory on a real model (pycode-6m, float32): while compressing, the pipeline holds
// one source weight at a time (an instrumented reader checks it) and its memory grows by far
// less than the whole model plus all its Hessians would take.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openModel } from '@caldera/io';
import { collectCalibration, INPUT_SITES, inputSiteDim, LlamaModel } from '@caldera/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressModel } from './imports';

const assets = fileURLToPath(new URL('../../../../shared/assets/', import.meta.url));
const MODEL = join(assets, 'models/pycode-6m');

// Garbage is freed at the collector's leisure; collect it at every progress event so that the
// pipeline's memory samples (taken after each layer) measure what it keeps alive.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-memory-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('compressModel memory', () => {
  it('holds one weight at a time and grows far less than model + Hessians', async () => {
    const source = await openModel(MODEL);
    try {
      const c = source.config;
      const stats = await collectCalibration(await LlamaModel.load(source), [
        Int32Array.from({ length: 32 }, (_, i) => (i * 37) % c.vocabSize),
      ]);
      const modelF32Bytes =
        4 * source.tensors().reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
      const hessianBytes =
        c.numLayers * INPUT_SITES.reduce((a, s) => a + 8 * inputSiteDim(c, s) ** 2, 0);
      // Instrumented reader: how many weights were read and not yet finished, at most.
      let inFlight = 0;
      let maxInFlight = 0;
      let compressing = false;
      const read = source.readTensor.bind(source);
      const counted = Object.create(source) as typeof source;
      counted.readTensor = async (name: string) => {
        if (compressing && name.endsWith('_proj.weight')) {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
        }
        return read(name);
      };
      // ArrayBuffers are freed by a concurrent sweeper: collect, let it run, collect again.
      gc();
      await new Promise((r) => setTimeout(r, 100));
      gc();
      const before = process.memoryUsage().arrayBuffers;
      let live = before;
      const s = await compressModel(
        counted,
        stats,
        { defaults: { method: 'rtn', qBits: 4 } },
        {
          outDir: join(dir, 'rtn'),
          onProgress: (e) => {
            gc();
            live = Math.max(live, process.memoryUsage().arrayBuffers);
            if (e.type === 'start' && e.task === 'compress') compressing = true;
            if (e.type === 'progress' && e.task === 'compress') inFlight--;
          },
        },
      );
      expect(s.layers).toHaveLength(42);
      expect(maxInFlight).toBe(1);
      expect(s.maxWeightsHeld).toBe(1);
      // Live growth (after a collection, at every event) vs. model + all Hessians (58 MB).
      const liveGrowth = live - before;
      // The pipeline's own high-water mark (garbage included) while compressing.
      const { peaks, baseline } = s.compressMemory;
      const reportedGrowth = peaks.arrayBufferBytes - baseline.arrayBufferBytes;
      console.log(
        `pycode-6m rtn: model f32 ${modelF32Bytes} B + Hessians ${hessianBytes} B; array-buffer growth while compressing: live ${liveGrowth} B, reported ${reportedGrowth} B; peak RSS ${s.memory.rssBytes} B`,
      );
      expect(liveGrowth).toBeGreaterThan(0); // it did measure: a weight, its Hessian, its codes
      // Measured: 13–20 MB here (≤ 11 MB in a plain Node process); all weights or all Hessians
      // at once would alone exceed half of the 58 MB.
      expect(liveGrowth).toBeLessThan((modelF32Bytes + hessianBytes) / 2);
      expect(reportedGrowth).toBeLessThan(modelF32Bytes + hessianBytes);
      expect(s.memory.rssBytes).toBeGreaterThanOrEqual(s.compressMemory.peaks.rssBytes);
    } finally {
      await source.close();
    }
  });
});
