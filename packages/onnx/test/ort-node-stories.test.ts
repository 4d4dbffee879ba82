// onnxruntime-node runs the exported graphs: logits match @caldera/runtime and greedy
// generations are identical, for stories260K float, CALDERA, LoRD-style low rank and uniform
// 4-bit, in every compressed-layer mode (pycode-6m: ort-node-pycode.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LlamaModel } from '@caldera/runtime';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, type OnnxVariant, OrtDecoder, type OrtModuleLike } from '../src/index';
import {
  compressFast,
  loadCompressed,
  loadFloat,
  PROMPT,
  relMaxDiff,
  runtimeGreedy,
  runtimeLogits,
  STORIES,
  toLowRank,
  toUniform,
} from './helpers';

const VARIANTS: OnnxVariant[] = [
  { suffix: '', weightDtype: 'float32', caldera: 'decode', uniform: 'matmulnbits' },
  { suffix: '_rht', weightDtype: 'float32', caldera: 'decode-rht', uniform: 'matmulnbits' },
  { suffix: '_fp16', weightDtype: 'float16', caldera: 'dense', uniform: 'dense' },
];
// float32 graphs agree with the runtime to float32 rounding; float16 weights to ~1e-3.
const TOL: Record<string, number> = { '': 2e-5, _rht: 2e-5, _fp16: 3e-3 };
const GEN = 24;

let dir: string;
const cases: { name: string; path: string; model: LlamaModel }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-onnx-node-'));
  const storiesCkpt = await compressFast(STORIES, 8);
  cases.push(
    { name: 'stories-float', path: STORIES, model: await loadFloat(STORIES) },
    { name: 'stories-caldera', path: STORIES, model: await loadCompressed(storiesCkpt) },
    { name: 'stories-lowrank', path: STORIES, model: toLowRank(await loadFloat(STORIES), 8) },
    {
      name: 'stories-uniform',
      path: STORIES,
      model: toUniform(await loadFloat(STORIES), 'asymmetric'),
    },
  );
  await rm(join(storiesCkpt, '..'), { recursive: true, force: true });
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('onnxruntime-node parity with @caldera/runtime', () => {
  it('has the compressed kinds it claims to test', () => {
    const kinds = (i: number) =>
      new Set(
        cases[i]!.model.weights.layers.flatMap((l) => Object.values(l.linears).map((x) => x.kind)),
      );
    expect(kinds(1).has('caldera')).toBe(true);
    expect(kinds(2)).toEqual(new Set(['low-rank']));
    expect(kinds(3)).toEqual(new Set(['uniform']));
  });

  for (const idx of [0, 1, 2, 3]) {
    it(`case ${idx}: logits within tolerance and identical greedy tokens in every variant`, async () => {
      const { name, path, model } = cases[idx]!;
      const out = join(dir, name);
      const r = await exportOnnx(model, out, { variants: VARIANTS });
      expect(r.files.map((f) => f.file)).toEqual([
        'onnx/model.onnx',
        'onnx/model_rht.onnx',
        'onnx/model_fp16.onnx',
      ]);
      const prompt = PROMPT[path]!;
      const ref = runtimeLogits(model, prompt);
      const greedy = runtimeGreedy(model, prompt, GEN);
      for (const v of VARIANTS) {
        const dec = await OrtDecoder.create(
          ort as unknown as OrtModuleLike,
          join(out, `onnx/model${v.suffix}.onnx`),
          model.config,
        );
        const logits = await dec.forward(prompt);
        expect(logits.length).toBe(ref.length);
        expect(relMaxDiff(logits, ref), `${name} ${v.suffix}`).toBeLessThan(TOL[v.suffix]!);
        // one cached step after the prompt matches too
        const step = await dec.forward([greedy[0]!]);
        const s = model.createSession({ maxContext: 64 });
        s.forward(prompt);
        expect(relMaxDiff(step, s.step(greedy[0]!))).toBeLessThan(TOL[v.suffix]!);
        if (v.weightDtype === 'float32') expect(await dec.greedy(prompt, GEN)).toEqual(greedy);
        await dec.session.release?.();
      }
    });
  }
});
