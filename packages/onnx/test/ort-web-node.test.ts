// onnxruntime-web (WASM) in Node runs the exported stories260K graphs — float, CALDERA
// (codes decoded in the graph) and uniform 4-bit (MatMulNBits) — with the weights handed over
// as external data buffers, as a browser would: logits match @caldera/runtime, greedy tokens
// are identical.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, OrtDecoder, type OrtModuleLike } from '../src/index';
import {
  compressFast,
  loadCompressed,
  loadFloat,
  PROMPT,
  relMaxDiff,
  runtimeGreedy,
  runtimeLogits,
  STORIES,
  toUniform,
} from './helpers';

const prompt = PROMPT[STORIES]!;
let dir: string;
let ckpt: string;

beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  dir = await mkdtemp(join(tmpdir(), 'caldera-onnx-web-'));
  ckpt = await compressFast(STORIES, 8);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(join(ckpt, '..'), { recursive: true, force: true });
});

describe('onnxruntime-web (WASM) in Node', () => {
  for (const kind of ['float', 'caldera', 'uniform'] as const) {
    it(`${kind}: logits and greedy tokens match the runtime`, async () => {
      const model =
        kind === 'caldera'
          ? await loadCompressed(ckpt)
          : kind === 'uniform'
            ? toUniform(await loadFloat(STORIES), 'symmetric')
            : await loadFloat(STORIES);
      const out = join(dir, kind);
      await exportOnnx(model, out, {
        variants: [
          { suffix: '', weightDtype: 'float32', caldera: 'decode', uniform: 'matmulnbits' },
        ],
      });
      const dec = await OrtDecoder.create(
        ort as unknown as OrtModuleLike,
        readFileSync(join(out, 'onnx/model.onnx')),
        model.config,
        {
          externalData: [
            { path: 'model.onnx_data', data: readFileSync(join(out, 'onnx/model.onnx_data')) },
          ],
        },
      );
      expect(relMaxDiff(await dec.forward(prompt), runtimeLogits(model, prompt))).toBeLessThan(
        2e-5,
      );
      expect(await dec.greedy(prompt, 24)).toEqual(runtimeGreedy(model, prompt, 24));
      await dec.session.release?.();
    });
  }
});
