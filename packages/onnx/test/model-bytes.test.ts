// The in-memory builder (`buildOnnxModelBytes`): weights embedded in one protobuf, opened by
// onnxruntime-node from bytes (no file, no external data), logits equal to @caldera/runtime.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  buildOnnxModelBytes,
  DEFAULT_VARIANTS,
  OrtDecoder,
  type OrtModuleLike,
} from '../src/index';
import {
  loadFloat,
  PROMPT,
  PYCODE,
  relMaxDiff,
  runtimeGreedy,
  runtimeLogits,
  toUniform,
} from './helpers';

const prompt = PROMPT[PYCODE]!;

async function decoder(bytes: Uint8Array, config: Parameters<typeof OrtDecoder.create>[2]) {
  return OrtDecoder.create(ort as unknown as OrtModuleLike, bytes, config);
}

describe('buildOnnxModelBytes', () => {
  it('float pycode-6m from bytes matches the runtime (logits and greedy)', async () => {
    const model = await loadFloat(PYCODE);
    const bytes = buildOnnxModelBytes(model, DEFAULT_VARIANTS.float[0]!);
    expect(bytes).toBeInstanceOf(Uint8Array);
    // Every weight is inside: at least 4 bytes per float32 parameter of the 24 MB model.
    let params = 0;
    for (const l of model.weights.layers)
      for (const x of Object.values(l.linears)) params += x.outFeatures * x.inFeatures;
    expect(bytes.byteLength).toBeGreaterThan(4 * params);
    const dec = await decoder(bytes, model.config);
    expect(relMaxDiff(await dec.forward(prompt), runtimeLogits(model, prompt))).toBeLessThan(2e-5);
    dec.reset();
    expect(await dec.greedy(prompt, 16)).toEqual(runtimeGreedy(model, prompt, 16));
    await dec.session.release?.();
  });

  it('compressed (4-bit uniform, MatMulNBits) pycode-6m from bytes matches the runtime', async () => {
    const model = toUniform(await loadFloat(PYCODE), 'asymmetric');
    const bytes = buildOnnxModelBytes(model, DEFAULT_VARIANTS.compressed[0]!, { maxPositions: 64 });
    const dec = await decoder(bytes, model.config);
    expect(relMaxDiff(await dec.forward(prompt), runtimeLogits(model, prompt))).toBeLessThan(2e-5);
    await dec.session.release?.();
  });

  it('rejects a bad variant or maxPositions with INVALID_ARGUMENT', async () => {
    const model = await loadFloat(PYCODE);
    const v = DEFAULT_VARIANTS.float[0]!;
    expect(() => buildOnnxModelBytes(model, { ...v, caldera: 'x' as 'dense' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => buildOnnxModelBytes(model, v, { maxPositions: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
