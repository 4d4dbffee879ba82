import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlamaConfig } from '../model/model-source';
import { writeShardedSafetensors } from '../safetensors/sharded-writer';
import { type TensorWriteEntry, writeSafetensorsFile } from '../safetensors/writer';
import { loadHfModel } from './hf-folder';
import { expectedHfTensors } from './hf-tensors';

const PYCODE = fileURLToPath(
  new URL('../../../../../shared/assets/models/pycode-6m', import.meta.url),
);

describe('loadHfModel on pycode-6m', () => {
  it('matches the config and reads tensors lazily', async () => {
    const model = await loadHfModel(PYCODE);
    try {
      expect(model.format).toBe('hf-safetensors');
      expect(model.config.numKvHeads).toBe(4);
      const list = model.tensors();
      expect(list.length).toBe(57);
      expect(model.ignoredTensors).toEqual([]);
      const shapes = new Map(list.map((t) => [t.name, t.shape]));
      expect(shapes.get('model.embed_tokens.weight')).toEqual([4096, 256]);
      expect(shapes.get('model.layers.5.self_attn.k_proj.weight')).toEqual([128, 256]);
      expect(shapes.get('model.layers.5.mlp.down_proj.weight')).toEqual([256, 688]);
      expect(shapes.get('lm_head.weight')).toEqual([4096, 256]);
      const norm = await model.readTensor('model.norm.weight');
      expect(norm.length).toBe(256);
      expect(norm.every(Number.isFinite)).toBe(true);
      // Values from an independent Python reader of the same file.
      expect(norm[0]).toBeCloseTo(1.6719944477081299, 6);
      expect(norm[255]).toBeCloseTo(1.6021870374679565, 6);
      expect(norm.reduce((a, b) => a + b, 0)).toBeCloseTo(406.10188233852386, 3);
      await expect(model.readTensor('model.layers.6.mlp.up_proj.weight')).rejects.toMatchObject({
        code: 'TENSOR_NOT_FOUND',
      });
    } finally {
      await model.close();
    }
  });
});

const tiny: LlamaConfig = {
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
  tieWordEmbeddings: true,
  ropeStyle: 'half',
  attentionBias: false,
  bosTokenId: 1,
  eosTokenId: 2,
};

function hfJson(c: LlamaConfig): Record<string, unknown> {
  return {
    model_type: c.modelType,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    vocab_size: c.vocabSize,
    max_position_embeddings: c.maxSeqLen,
    rms_norm_eps: c.rmsNormEps,
    tie_word_embeddings: c.tieWordEmbeddings,
  };
}

/** Entries for every tensor of `c` (tensor k holds k*1000 + index), under `rename`d names. */
function entries(
  c: LlamaConfig,
  rename: (n: string) => string,
  extra: string[] = [],
): TensorWriteEntry[] {
  const list = expectedHfTensors(c)
    .map((e) => e.name)
    .concat(extra);
  return list.map((name, k) => {
    const shape = expectedHfTensors(c).find((e) => e.name === name)?.shape ?? [
      c.vocabSize,
      c.hiddenSize,
    ];
    const data = Float32Array.from(
      { length: shape.reduce((a, b) => a * b, 1) },
      (_, i) => k * 1000 + i,
    );
    return { name: rename(name), dtype: 'F32', shape, data };
  });
}

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'caldera-hf-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folder(
  name: string,
  config: Record<string, unknown>,
  tensors: TensorWriteEntry[],
  shardBytes?: number,
): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  if (shardBytes === undefined) await writeSafetensorsFile(join(dir, 'model.safetensors'), tensors);
  else await writeShardedSafetensors(dir, tensors, { maxShardBytes: shardBytes });
  return dir;
}

describe('loadHfModel on synthetic folders', () => {
  it('loads a tied checkpoint stored without the model. prefix, with a redundant lm_head', async () => {
    const written = entries(tiny, (n) => n.replace(/^model\./, ''), ['lm_head.weight']);
    const dir = await folder('tied', hfJson(tiny), written);
    const model = await loadHfModel(dir);
    try {
      expect(model.config.tieWordEmbeddings).toBe(true);
      expect(model.tensors().some((t) => t.name === 'lm_head.weight')).toBe(false);
      expect(model.ignoredTensors).toEqual(['lm_head.weight']);
      const embed = await model.readTensor('model.embed_tokens.weight');
      expect([embed[0], embed[79]]).toEqual([0, 79]);
      const norm = await model.readTensor('model.norm.weight');
      const k = expectedHfTensors(tiny).findIndex((e) => e.name === 'model.norm.weight');
      expect([...norm]).toEqual(Array.from({ length: 8 }, (_, i) => k * 1000 + i));
      await expect(model.readTensor('lm_head.weight')).rejects.toMatchObject({
        code: 'TENSOR_NOT_FOUND',
      });
    } finally {
      await model.close();
    }
  });

  it('loads a sharded qwen2 checkpoint with q/k/v biases', async () => {
    const qwen = {
      ...tiny,
      modelType: 'qwen2' as const,
      attentionBias: true,
      tieWordEmbeddings: false,
    };
    const dir = await folder(
      'sharded',
      hfJson(qwen),
      entries(qwen, (n) => n),
      600,
    );
    expect(existsSync(join(dir, 'model.safetensors'))).toBe(false);
    expect(existsSync(join(dir, 'model.safetensors.index.json'))).toBe(true);
    const model = await loadHfModel(dir);
    try {
      expect(model.config.attentionBias).toBe(true);
      expect(model.tensors().length).toBe(1 + 2 * 12 + 2);
      const bias = await model.readTensor('model.layers.1.self_attn.k_proj.bias');
      expect(bias.length).toBe(4);
      const head = await model.readTensor('lm_head.weight');
      expect(head[79]).toBe((model.tensors().length - 1) * 1000 + 79);
    } finally {
      await model.close();
    }
  });

  it('names a missing lm_head and a wrong shape', async () => {
    const untied = { ...tiny, tieWordEmbeddings: false };
    const dir = await folder(
      'missing',
      hfJson(untied),
      entries(tiny, (n) => n),
    );
    await expect(loadHfModel(dir)).rejects.toMatchObject({
      code: 'MISSING_TENSOR',
      message: expect.stringContaining('lm_head.weight of shape [10, 8]'),
    });
    const wide = await folder(
      'wide',
      { ...hfJson(tiny), intermediate_size: 16 },
      entries(tiny, (n) => n),
    );
    await expect(loadHfModel(wide)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(
        'model.layers.0.mlp.gate_proj.weight has shape [12, 8] but config.json implies [16, 8]',
      ),
    });
    const empty = join(root, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(loadHfModel(empty)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await writeFile(join(empty, 'config.json'), JSON.stringify(hfJson(tiny)));
    await expect(loadHfModel(empty)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
