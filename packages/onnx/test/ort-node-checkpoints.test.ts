// Checkpoint folders exported from their path match @caldera/runtime in onnxruntime-node:
// LoRD (each decomposed projection = two dense weights → two MatMuls) and RTN (uniform codes,
// loaded as UniformLinear → MatMulNBits, so the file is smaller than the float one).
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressLord, compressModel, loadCompressedModel } from '@caldera/caldera';
import { openModel } from '@caldera/io';
import { collectCalibration, LlamaModel, loadLordModel } from '@caldera/runtime';
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

describe('RTN checkpoint through onnxruntime-node', () => {
  it('exports MatMulNBits (smaller than float) and matches the runtime', async () => {
    const prompt = PROMPT[STORIES]!;
    const src = await openModel(STORIES);
    const windows = Array.from({ length: 2 }, (_, w) =>
      Array.from({ length: 64 }, (_, i) => 1 + ((w * 97 + i * 13) % 500)),
    );
    const ckpt = join(dir, 'rtn');
    try {
      const stats = await collectCalibration(await LlamaModel.load(src), windows);
      await compressModel(
        src,
        stats,
        { defaults: { method: 'rtn', qBits: 4 } },
        { outDir: ckpt, tokenizerFiles: [STORIES_TOK] },
      );
    } finally {
      await src.close();
    }
    const model = await loadCompressedModel(ckpt);
    expect(model.linear(0, 'up_proj').kind).toBe('uniform');
    await exportOnnx(ckpt, join(dir, 'rtn-onnx'));
    await exportOnnx(STORIES, join(dir, 'float-onnx'), { tokenizerFiles: [STORIES_TOK] });
    const file = join(dir, 'rtn-onnx/onnx/model.onnx');
    const size = async (d: string) =>
      (await stat(join(dir, d, 'onnx/model.onnx'))).size +
      (await stat(join(dir, d, 'onnx/model.onnx_data')).catch(() => ({ size: 0 }))).size;
    expect(await size('rtn-onnx')).toBeLessThan(await size('float-onnx'));
    const dec = await OrtDecoder.create(ort as unknown as OrtModuleLike, file, model.config);
    expect(relMaxDiff(await dec.forward(prompt), runtimeLogits(model, prompt))).toBeLessThan(2e-5);
    expect(await dec.greedy(prompt, 16)).toEqual(runtimeGreedy(model, prompt, 16));
    await dec.session.release?.();
  }, 120_000);
});
