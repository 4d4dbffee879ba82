import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensorsFile } from '@caldera/io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isLordCheckpoint,
  LINEAR_NAMES,
  linearShape,
  linearTensorName,
  loadLordModel,
  lordTensorNames,
  readLordConfig,
} from '../src/index';

const hf = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 8,
  intermediate_size: 16,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  vocab_size: 16,
  max_position_embeddings: 32,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  hidden_act: 'silu',
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
};

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 0.37) * 0.3);
}
const f32 = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-lord-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeFolder(sub: string, lordConfig: Record<string, unknown>, rank = 2) {
  const out = join(dir, sub);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(out, { recursive: true });
  const tensors: { name: string; shape: number[]; data: Float32Array }[] = [
    { name: 'model.embed_tokens.weight', shape: [16, 8], data: values(128, 1) },
    { name: 'model.norm.weight', shape: [8], data: new Float32Array(8).fill(1) },
    { name: 'lm_head.weight', shape: [16, 8], data: values(128, 2) },
    {
      name: 'model.layers.0.input_layernorm.weight',
      shape: [8],
      data: new Float32Array(8).fill(1),
    },
    {
      name: 'model.layers.0.post_attention_layernorm.weight',
      shape: [8],
      data: new Float32Array(8).fill(1),
    },
  ];
  const config = { numHeads: 2, numKvHeads: 1, headDim: 4, hiddenSize: 8, intermediateSize: 16 };
  LINEAR_NAMES.forEach((ln, i) => {
    const [m, n] = linearShape(config as never, ln);
    const name = linearTensorName(0, ln);
    if (ln === 'up_proj') {
      const { first, second } = lordTensorNames(name);
      tensors.push({ name: first, shape: [rank, n], data: values(rank * n, 10 + i) });
      tensors.push({ name: second, shape: [m, 2], data: values(m * 2, 20 + i) });
    } else tensors.push({ name, shape: [m, n], data: values(m * n, 30 + i) });
  });
  await writeSafetensorsFile(
    join(out, 'model.safetensors'),
    tensors.map((t) => ({
      name: t.name,
      dtype: 'F32',
      shape: t.shape,
      data: async () => f32(t.data),
    })),
    { metadata: { format: 'pt', lord_format_version: '1' } },
  );
  await writeFile(join(out, 'config.json'), JSON.stringify({ ...hf, lord_config: lordConfig }));
  return { out, tensors };
}

const good = {
  format: 'caldera-lord',
  format_version: 1,
  decomposition: 'whitened',
  factor_dtype: 'F32',
  parameter_reduction: 0.1,
  linear_parameters: 0,
  dense_linear_parameters: 0,
  ranks: { 'model.layers.0.mlp.up_proj': 2 },
};

describe('LoRD checkpoints', () => {
  it('names the factors as nn.Sequential(Linear(in,k), Linear(k,out))', () => {
    expect(lordTensorNames('model.layers.3.self_attn.o_proj.weight')).toEqual({
      first: 'model.layers.3.self_attn.o_proj.0.weight',
      second: 'model.layers.3.self_attn.o_proj.1.weight',
    });
  });

  it('loads X.0.weight / X.1.weight as a low-rank layer equal to L·R', async () => {
    const { out, tensors } = await writeFolder('ok', good);
    expect(await isLordCheckpoint(out)).toBe(true);
    expect((await readLordConfig(out))?.ranks).toEqual({ 'model.layers.0.mlp.up_proj': 2 });
    const model = await loadLordModel(out);
    const up = model.linear(0, 'up_proj');
    expect(up.kind).toBe('low-rank');
    const r = tensors.find((t) => t.name.endsWith('up_proj.0.weight'))!.data;
    const l = tensors.find((t) => t.name.endsWith('up_proj.1.weight'))!.data;
    const w = up.toDense();
    let s = 0;
    for (let t = 0; t < 2; t++) s += l[3 * 2 + t]! * r[t * 8 + 5]!;
    expect(w[3 * 8 + 5]).toBeCloseTo(s, 6);
    expect(model.linear(0, 'q_proj').kind).toBe('dense');
    const logits = model.createSession({ maxContext: 8 }).forward([1, 5, 7]);
    expect(logits.every(Number.isFinite)).toBe(true);
  });

  it('rejects an unknown version and factors that disagree with the ranks', async () => {
    const v2 = await writeFolder('v2', { ...good, format_version: 2 });
    await expect(loadLordModel(v2.out)).rejects.toMatchObject({ code: 'CHECKPOINT_FORMAT' });
    expect(await isLordCheckpoint(v2.out)).toBe(false);
    const bad = await writeFolder('bad', { ...good, ranks: { 'model.layers.0.mlp.up_proj': 3 } });
    await expect(loadLordModel(bad.out)).rejects.toMatchObject({ code: 'CHECKPOINT_FORMAT' });
  });
});
