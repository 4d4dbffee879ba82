import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCalderaError } from '@caldera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSource } from '../model/model-source';
import { loadLlama2c } from './load-llama2c';

const ASSETS = new URL('../../../../../shared/assets/', import.meta.url);
const STORIES = fileURLToPath(new URL('models/stories260K/stories260K.bin', ASSETS));
const greedy = JSON.parse(
  readFileSync(new URL('golden/stories260K_greedy.json', ASSETS), 'utf8'),
) as { logits_pos0_first16: number[] };

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isCalderaError(e) ? e.code : 'not-caldera';
  }
  return undefined;
}

function rmsnorm(x: Float64Array, w: Float32Array): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const s = 1 / Math.sqrt(ss / x.length + 1e-5);
  return x.map((v, i) => v * s * w[i]!);
}

/** y = W x for W [rows, cols] row-major. */
function matvec(w: Float32Array, x: Float64Array, rows: number): Float64Array {
  const cols = x.length;
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let c = 0; c < cols; c++) acc += w[r * cols + c]! * x[c]!;
    y[r] = acc;
  }
  return y;
}

/**
 * Logits of the first position (one token): attention over a single position is the value
 * vector of that position, and RoPE at position 0 is the identity, so q/k do not matter.
 */
async function logitsAtFirstPosition(src: ModelSource, token: number): Promise<Float64Array> {
  const c = src.config;
  const emb = await src.readTensor('model.embed_tokens.weight');
  let x = Float64Array.from(emb.subarray(token * c.hiddenSize, (token + 1) * c.hiddenSize));
  const group = c.numHeads / c.numKvHeads;
  for (let l = 0; l < c.numLayers; l++) {
    const t = (n: string) => src.readTensor(`model.layers.${l}.${n}.weight`);
    const xb = rmsnorm(x, await t('input_layernorm'));
    const v = matvec(await t('self_attn.v_proj'), xb, c.numKvHeads * c.headDim);
    const heads = new Float64Array(c.numHeads * c.headDim);
    for (let h = 0; h < c.numHeads; h++) {
      const kv = Math.floor(h / group);
      heads.set(v.subarray(kv * c.headDim, (kv + 1) * c.headDim), h * c.headDim);
    }
    const o = matvec(await t('self_attn.o_proj'), heads, c.hiddenSize);
    x = x.map((val, i) => val + o[i]!);
    const xf = rmsnorm(x, await t('post_attention_layernorm'));
    const g = matvec(await t('mlp.gate_proj'), xf, c.intermediateSize);
    const u = matvec(await t('mlp.up_proj'), xf, c.intermediateSize);
    const hidden = g.map((gv, i) => (gv / (1 + Math.exp(-gv))) * u[i]!);
    const d = matvec(await t('mlp.down_proj'), hidden, c.hiddenSize);
    x = x.map((val, i) => val + d[i]!);
  }
  const xn = rmsnorm(x, await src.readTensor('model.norm.weight'));
  return matvec(emb, xn, c.vocabSize);
}

describe('loadLlama2c on stories260K', () => {
  it('reads the header into the normalised config', async () => {
    const src = await loadLlama2c(STORIES);
    try {
      expect(src.format).toBe('llama2c');
      expect(src.config).toEqual({
        modelType: 'llama',
        hiddenSize: 64,
        intermediateSize: 172,
        numLayers: 5,
        numHeads: 8,
        numKvHeads: 4,
        headDim: 8,
        vocabSize: 512,
        maxSeqLen: 512,
        ropeTheta: 10000,
        rmsNormEps: 1e-5,
        tieWordEmbeddings: true,
        ropeStyle: 'interleaved',
        attentionBias: false,
        bosTokenId: 1,
        eosTokenId: 2,
      });
    } finally {
      await src.close();
    }
  });

  it('lists Hugging Face names with 260,032 parameters in all', async () => {
    const src = await loadLlama2c(STORIES);
    const tensors = src.tensors();
    await src.close();
    const total = tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
    expect(total).toBe(260_032);
    expect(tensors).toHaveLength(1 + 5 * 9 + 1);
    expect(tensors.map((t) => t.name)).not.toContain('lm_head.weight');
    const shape = (n: string) => tensors.find((t) => t.name === n)?.shape;
    expect(shape('model.embed_tokens.weight')).toEqual([512, 64]);
    expect(shape('model.layers.4.self_attn.q_proj.weight')).toEqual([64, 64]);
    expect(shape('model.layers.0.self_attn.k_proj.weight')).toEqual([32, 64]);
    expect(shape('model.layers.2.mlp.gate_proj.weight')).toEqual([172, 64]);
    expect(shape('model.layers.2.mlp.down_proj.weight')).toEqual([64, 172]);
    expect(shape('model.norm.weight')).toEqual([64]);
  });

  it('reads tensors at the right offsets', async () => {
    const raw = readFileSync(STORIES);
    const f32 = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    const src = await loadLlama2c(STORIES);
    try {
      // The embedding starts right after the 28-byte header (7 floats' worth).
      const emb = await src.readTensor('model.embed_tokens.weight');
      expect(Array.from(emb.subarray(0, 4))).toEqual(Array.from(f32.subarray(7, 11)));
      // rms_att of layer 1 follows the embedding and rms_att of layer 0.
      const norm1 = await src.readTensor('model.layers.1.input_layernorm.weight');
      const at = 7 + 512 * 64 + 64;
      expect(Array.from(norm1)).toEqual(Array.from(f32.subarray(at, at + 64)));
      expect(await codeOf(src.readTensor('lm_head.weight'))).toBe('TENSOR_NOT_FOUND');
    } finally {
      await src.close();
    }
    expect(await codeOf(src.readTensor('model.norm.weight'))).toBe('FILE_READ_FAILED');
  });

  it('reproduces the golden logits at position 0 (BOS)', async () => {
    const src = await loadLlama2c(STORIES);
    try {
      const logits = await logitsAtFirstPosition(src, 1);
      greedy.logits_pos0_first16.forEach((want, i) => {
        expect(logits[i]).toBeCloseTo(want, 4);
      });
    } finally {
      await src.close();
    }
  });
});

describe('loadLlama2c on synthetic files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'caldera-l2c-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes a checkpoint whose float k holds the value k (so offsets can be checked). */
  async function write(name: string, header: number[], floats: number): Promise<string> {
    const buf = new ArrayBuffer(28 + 4 * floats);
    const view = new DataView(buf);
    header.forEach((v, i) => {
      view.setInt32(4 * i, v, true);
    });
    for (let k = 0; k < floats; k++) view.setFloat32(28 + 4 * k, k, true);
    const path = join(dir, name);
    await writeFile(path, new Uint8Array(buf));
    return path;
  }

  // dim 4, hidden 6, 2 layers, 2 heads, 1 kv head, vocab 5 (untied), seq 3: head 2, kv dim 2.
  const perLayer = 4 + 16 + 8 + 8 + 16 + 4 + 24 + 24 + 24;
  const rope = 2 * 3; // 2 tables × (3 · 2 / 2)
  const untiedFloats = 5 * 4 + 2 * perLayer + 4 + rope + 5 * 4;

  it('reads an untied classifier after the RoPE tables', async () => {
    const path = await write('untied.bin', [4, 6, 2, 2, 1, -5, 3], untiedFloats);
    const src = await loadLlama2c(path);
    try {
      expect(src.config.tieWordEmbeddings).toBe(false);
      expect(src.tensors().at(-1)).toEqual({ name: 'lm_head.weight', dtype: 'F32', shape: [5, 4] });
      const head = await src.readTensor('lm_head.weight');
      expect(head[0]).toBe(untiedFloats - 20);
      // w3 (up) of layer 1 comes after w1 and w2 of both layers.
      const up1 = await src.readTensor('model.layers.1.mlp.up_proj.weight');
      const w3Start = 20 + 2 * (4 + 16 + 8 + 8 + 16 + 4) + 2 * 24 + 2 * 24;
      expect(up1[0]).toBe(w3Start + 24);
    } finally {
      await src.close();
    }
  });

  it('rejects sizes that disagree with the header', async () => {
    const path = await write('short.bin', [4, 6, 2, 2, 1, -5, 3], untiedFloats - 1);
    expect(await codeOf(loadLlama2c(path))).toBe('LLAMA2C_SIZE_MISMATCH');
    // The same bytes read as tied: the classifier is extra.
    const tied = await write('tied.bin', [4, 6, 2, 2, 1, 5, 3], untiedFloats);
    expect(await codeOf(loadLlama2c(tied))).toBe('LLAMA2C_SIZE_MISMATCH');
  });

  it('rejects bad header values', async () => {
    const cases: number[][] = [
      [0, 6, 2, 2, 1, 5, 3], // dim 0
      [4, 6, 2, 3, 1, 5, 3], // heads do not divide dim
      [4, 6, 2, 2, 3, 5, 3], // kv heads do not divide heads
      [4, 6, 2, 2, 1, 0, 3], // vocab 0
      [4, 6, -1, 2, 1, 5, 3], // negative layers
      [0x616b3432, 1, 4, 6, 2, 2, 1], // versioned export magic
    ];
    for (const [i, header] of cases.entries()) {
      const path = await write(`bad${i}.bin`, header, 16);
      expect(await codeOf(loadLlama2c(path))).toBe('LLAMA2C_BAD_HEADER');
    }
    await writeFile(join(dir, 'tiny.bin'), Uint8Array.of(1, 2, 3));
    expect(await codeOf(loadLlama2c(join(dir, 'tiny.bin')))).toBe('LLAMA2C_BAD_HEADER');
    expect(await codeOf(loadLlama2c(join(dir, 'missing.bin')))).toBe('FILE_NOT_FOUND');
  });
});
