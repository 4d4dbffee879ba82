import { CalderaError } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import type { LlamaConfig, TensorInfo } from '../model/model-source';
import { expectedHfTensors, mapHfTensors, storedNameCandidates } from './hf-tensors';

const config: LlamaConfig = {
  modelType: 'llama',
  hiddenSize: 8,
  intermediateSize: 12,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 2,
  vocabSize: 10,
  maxSeqLen: 16,
  ropeTheta: 10000,
  rmsNormEps: 1e-5,
  tieWordEmbeddings: false,
  ropeStyle: 'half',
  attentionBias: false,
  bosTokenId: 1,
  eosTokenId: 2,
};

function stored(c: LlamaConfig, rename: (n: string) => string = (n) => n): TensorInfo[] {
  return expectedHfTensors(c).map((e) => ({ name: rename(e.name), dtype: 'F32', shape: e.shape }));
}

function errorOf(fn: () => unknown): CalderaError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CalderaError) return e;
    throw e;
  }
  throw new Error('expected a CalderaError');
}

describe('expectedHfTensors', () => {
  it('lists every tensor with [out, in] shapes', () => {
    const list = expectedHfTensors(config);
    expect(list.length).toBe(1 + 2 * 9 + 2);
    const byName = new Map(list.map((e) => [e.name, e.shape]));
    expect(byName.get('model.embed_tokens.weight')).toEqual([10, 8]);
    expect(byName.get('model.layers.1.self_attn.q_proj.weight')).toEqual([8, 8]);
    expect(byName.get('model.layers.1.self_attn.k_proj.weight')).toEqual([4, 8]);
    expect(byName.get('model.layers.0.self_attn.o_proj.weight')).toEqual([8, 8]);
    expect(byName.get('model.layers.0.mlp.down_proj.weight')).toEqual([8, 12]);
    expect(byName.get('lm_head.weight')).toEqual([10, 8]);
    const tiedQwen = expectedHfTensors({ ...config, tieWordEmbeddings: true, attentionBias: true });
    expect(tiedQwen.some((e) => e.name === 'lm_head.weight')).toBe(false);
    expect(tiedQwen.find((e) => e.name === 'model.layers.0.self_attn.v_proj.bias')?.shape).toEqual([
      4,
    ]);
    expect(storedNameCandidates('lm_head.weight')).toEqual(['lm_head.weight']);
  });
});

describe('mapHfTensors', () => {
  it('maps names with and without the model. prefix and ignores extras', () => {
    const bare = stored(config, (n) => n.replace(/^model\./, ''));
    bare.push({ name: 'layers.0.self_attn.rotary_emb.inv_freq', dtype: 'F32', shape: [1] });
    const m = mapHfTensors(config, bare, 'x');
    expect(m.tensors.map((t) => t.name)).toEqual(expectedHfTensors(config).map((e) => e.name));
    expect(m.storedName.get('model.norm.weight')).toBe('norm.weight');
    expect(m.storedName.get('lm_head.weight')).toBe('lm_head.weight');
    expect(m.ignored).toEqual(['layers.0.self_attn.rotary_emb.inv_freq']);
  });

  it('ignores a stored lm_head when the config ties embeddings', () => {
    const tied = { ...config, tieWordEmbeddings: true };
    const m = mapHfTensors(tied, stored(config), 'x');
    expect(m.tensors.some((t) => t.name === 'lm_head.weight')).toBe(false);
    expect(m.ignored).toEqual(['lm_head.weight']);
  });

  it('names a missing tensor and its expected shape', () => {
    const e = errorOf(() =>
      mapHfTensors(config, stored({ ...config, tieWordEmbeddings: true }), 'dir'),
    );
    expect(e.code).toBe('MISSING_TENSOR');
    expect(e.message).toContain('lm_head.weight of shape [10, 8]');
    const noBias = errorOf(() =>
      mapHfTensors({ ...config, attentionBias: true }, stored(config), 'dir'),
    );
    expect(noBias.message).toContain('model.layers.0.self_attn.q_proj.bias of shape [8]');
  });

  it('rejects a shape that disagrees with the config', () => {
    const bad = stored(config).map((t) =>
      t.name === 'model.layers.1.mlp.up_proj.weight' ? { ...t, shape: [12, 9] } : t,
    );
    const e = errorOf(() => mapHfTensors(config, bad, 'dir'));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(
      'model.layers.1.mlp.up_proj.weight has shape [12, 9] but config.json implies [12, 8]',
    );
  });
});
