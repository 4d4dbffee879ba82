import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CalderaError } from '@caldera/core';
import { afterAll, describe, expect, it } from 'vitest';
import { hfConfigSchema, parseHfConfig, readHfConfig } from './config';

const PYCODE = fileURLToPath(
  new URL('../../../../../shared/assets/models/pycode-6m/config.json', import.meta.url),
);

const base = {
  model_type: 'llama',
  hidden_size: 64,
  intermediate_size: 172,
  num_hidden_layers: 2,
  num_attention_heads: 8,
  vocab_size: 512,
  max_position_embeddings: 128,
  rms_norm_eps: 1e-5,
};

function codeOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof CalderaError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a CalderaError');
}

describe('readHfConfig', () => {
  it('reads pycode-6m', async () => {
    const c = await readHfConfig(PYCODE);
    expect(c).toEqual({
      modelType: 'llama',
      hiddenSize: 256,
      intermediateSize: 688,
      numLayers: 6,
      numHeads: 8,
      numKvHeads: 4,
      headDim: 32,
      vocabSize: 4096,
      maxSeqLen: 1024,
      ropeTheta: 10000,
      rmsNormEps: 1e-5,
      tieWordEmbeddings: false,
      ropeStyle: 'half',
      attentionBias: false,
      bosTokenId: 1,
      eosTokenId: 2,
    });
  });

  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('reports missing files and invalid JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'caldera-config-'));
    dirs.push(dir);
    await expect(readHfConfig(join(dir, 'nope.json'))).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    await writeFile(join(dir, 'config.json'), '{"model_type": "llama",');
    await expect(readHfConfig(join(dir, 'config.json'))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});

describe('parseHfConfig', () => {
  it('applies transformers defaults', () => {
    const c = parseHfConfig(base);
    expect(c.numKvHeads).toBe(8);
    expect(c.headDim).toBe(8);
    expect(c.ropeTheta).toBe(10000);
    expect(c.tieWordEmbeddings).toBe(false);
    expect(c.attentionBias).toBe(false);
    expect([c.bosTokenId, c.eosTokenId]).toEqual([1, 2]);
  });

  it('keeps unknown keys in the raw schema', () => {
    const raw = hfConfigSchema.parse({ ...base, architectures: ['LlamaForCausalLM'], foo: 3 });
    expect((raw as Record<string, unknown>).foo).toBe(3);
    expect(raw.rope_theta).toBe(10000);
  });

  it('reads a mistral config with explicit head_dim and sliding_window', () => {
    const c = parseHfConfig({
      ...base,
      model_type: 'mistral',
      hidden_size: 80,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      head_dim: 16,
      sliding_window: 4096,
      rope_theta: 1e6,
      eos_token_id: [2, 32000],
      rope_scaling: null,
    });
    expect(c.modelType).toBe('mistral');
    expect(c.headDim).toBe(16);
    expect(c.numKvHeads).toBe(2);
    expect(c.ropeTheta).toBe(1e6);
    expect(c.eosTokenId).toBe(2);
  });

  it('reads a qwen2 config: q/k/v bias on by default, tied embeddings', () => {
    const c = parseHfConfig({
      ...base,
      model_type: 'qwen2',
      tie_word_embeddings: true,
      bos_token_id: 151643,
      eos_token_id: 151645,
      use_sliding_window: false,
    });
    expect(c.attentionBias).toBe(true);
    expect(c.tieWordEmbeddings).toBe(true);
    expect([c.bosTokenId, c.eosTokenId]).toEqual([151643, 151645]);
  });

  it('rejects other model types with UNSUPPORTED_MODEL', () => {
    const e = codeOf(() => parseHfConfig({ ...base, model_type: 'gpt2' }));
    expect(e.code).toBe('UNSUPPORTED_MODEL');
    expect(e.message).toContain('"gpt2"');
  });

  it('names the field and value of a bad entry', () => {
    const e = codeOf(() => parseHfConfig({ ...base, hidden_size: '256' }));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('hidden_size');
    expect(e.message).toContain('"256"');
    const m = codeOf(() => parseHfConfig({ ...base, vocab_size: undefined }));
    expect(m.code).toBe('CONFIG_INVALID');
    expect(m.message).toContain('vocab_size');
    const neg = codeOf(() => parseHfConfig({ ...base, num_hidden_layers: -2 }));
    expect(neg.message).toMatch(/num_hidden_layers.*-2/);
  });

  it('checks head arithmetic', () => {
    expect(codeOf(() => parseHfConfig({ ...base, num_key_value_heads: 3 })).message).toContain(
      'num_key_value_heads (3)',
    );
    expect(codeOf(() => parseHfConfig({ ...base, hidden_size: 60 })).code).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseHfConfig({ ...base, head_dim: 7 })).message).toContain('head_dim');
    expect(codeOf(() => parseHfConfig([1, 2])).code).toBe('CONFIG_INVALID');
  });

  it('rejects unsupported rope scaling, activations and biases', () => {
    const rs = codeOf(() =>
      parseHfConfig({ ...base, rope_scaling: { rope_type: 'llama3', factor: 8 } }),
    );
    expect(rs.code).toBe('UNSUPPORTED_MODEL');
    expect(rs.message).toContain('llama3');
    expect(parseHfConfig({ ...base, rope_scaling: { type: 'default' } }).ropeStyle).toBe('half');
    expect(codeOf(() => parseHfConfig({ ...base, hidden_act: 'gelu' })).code).toBe(
      'UNSUPPORTED_MODEL',
    );
    expect(codeOf(() => parseHfConfig({ ...base, mlp_bias: true })).code).toBe('UNSUPPORTED_MODEL');
    expect(codeOf(() => parseHfConfig({ ...base, attention_bias: true })).code).toBe(
      'UNSUPPORTED_MODEL',
    );
    expect(
      parseHfConfig({ ...base, model_type: 'qwen2', attention_bias: false }).attentionBias,
    ).toBe(false);
  });
});
