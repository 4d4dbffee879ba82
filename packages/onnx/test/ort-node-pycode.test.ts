// onnxruntime-node parity on pycode-6m (GQA, half-rotation RoPE, untied head, a 688-wide MLP):
// float (float32 and float16 files) and CALDERA (q_proj and down_proj of block 0 compressed,
// so the 256- and 688-point Hadamard transforms are both exercised) against @caldera/runtime.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, OrtDecoder, type OrtModuleLike } from '../src/index';
import {
  compressFast,
  loadCompressed,
  loadFloat,
  PROMPT,
  PYCODE,
  relMaxDiff,
  runtimeGreedy,
  runtimeLogits,
} from './helpers';

const prompt = PROMPT[PYCODE]!;
let dir: string;
let ckpt: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-onnx-py-'));
  ckpt = await compressFast(PYCODE, 8, 'model\\.layers\\.0\\.(self_attn\\.q_proj|mlp\\.down_proj)');
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(join(ckpt, '..'), { recursive: true, force: true });
});

async function check(
  model: Awaited<ReturnType<typeof loadFloat>>,
  file: string,
  tol: number,
  greedy: boolean,
) {
  const dec = await OrtDecoder.create(ort as unknown as OrtModuleLike, file, model.config);
  expect(relMaxDiff(await dec.forward(prompt), runtimeLogits(model, prompt))).toBeLessThan(tol);
  if (greedy) expect(await dec.greedy(prompt, 24)).toEqual(runtimeGreedy(model, prompt, 24));
  await dec.session.release?.();
}

describe('pycode-6m through onnxruntime-node', () => {
  it('float export (default variants) matches the runtime', async () => {
    const model = await loadFloat(PYCODE);
    const r = await exportOnnx(PYCODE, join(dir, 'float'));
    expect(r.compressed).toBe(false);
    expect(r.files.map((f) => f.file)).toEqual(['onnx/model.onnx', 'onnx/model_fp16.onnx']);
    await check(model, join(dir, 'float/onnx/model.onnx'), 2e-5, true);
    await check(model, join(dir, 'float/onnx/model_fp16.onnx'), 3e-3, false);
  });

  it('CALDERA checkpoint export (from its path) matches the runtime, codes decoded in the graph', async () => {
    const model = await loadCompressed(ckpt);
    expect(model.linear(0, 'down_proj').kind).toBe('caldera');
    const r = await exportOnnx(ckpt, join(dir, 'caldera'));
    expect(r.compressed).toBe(true);
    await check(model, join(dir, 'caldera/onnx/model.onnx'), 2e-5, true);
    await check(model, join(dir, 'caldera/onnx/model_fp16.onnx'), 3e-3, false);
  });
});
