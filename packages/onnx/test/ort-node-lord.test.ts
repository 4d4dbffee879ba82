// A LoRD checkpoint folder (each decomposed projection = two dense weights) exports from its
// path as two MatMuls per projection and matches @caldera/runtime in onnxruntime-node.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressLord } from '@caldera/caldera';
import { openModel } from '@caldera/io';
import { loadLordModel } from '@caldera/runtime';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, OrtDecoder, type OrtModuleLike } from '../src/index';
import { PROMPT, relMaxDiff, runtimeGreedy, runtimeLogits, STORIES, STORIES_TOK } from './helpers';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-onnx-lord-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LoRD checkpoint through onnxruntime-node', () => {
  it('exports two MatMuls per decomposed projection and matches the runtime', async () => {
    const prompt = PROMPT[STORIES]!;
    const src = await openModel(STORIES);
    const seq = 64;
    const windows = Array.from({ length: 4 }, (_, w) =>
      Array.from({ length: seq }, (_, i) => 1 + ((w * 131 + i * 17) % 500)),
    );
    const ckpt = join(dir, 'lord');
    try {
      await compressLord(
        src,
        { windows },
        { outDir: ckpt, dtype: 'F32', parameterReduction: 0.3, tokenizerFiles: [STORIES_TOK] },
      );
    } finally {
      await src.close();
    }
    const model = await loadLordModel(ckpt);
    const kinds = model.weights.layers.flatMap((l) => Object.values(l.linears).map((x) => x.kind));
    expect(kinds).toContain('low-rank');
    const r = await exportOnnx(ckpt, join(dir, 'onnx-out'));
    expect(r.compressed).toBe(true);
    const config = JSON.parse(await readFile(join(dir, 'onnx-out/config.json'), 'utf8'));
    expect(config.lord_config).toBeUndefined();
    const file = join(dir, 'onnx-out/onnx/model.onnx');
    const dec = await OrtDecoder.create(ort as unknown as OrtModuleLike, file, model.config);
    expect(relMaxDiff(await dec.forward(prompt), runtimeLogits(model, prompt))).toBeLessThan(2e-5);
    expect(await dec.greedy(prompt, 16)).toEqual(runtimeGreedy(model, prompt, 16));
    await dec.session.release?.();
  }, 120_000);
});
