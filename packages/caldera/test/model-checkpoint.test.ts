import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCalderaError } from '@caldera/core';
import { inputSiteOf, type LinearName } from '@caldera/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompressedCheckpoint,
  type CompressionPlan,
  compressModel,
  decodeLinear,
  decomposeLayer,
  encodeLinear,
  isCompressedCheckpoint,
  loadCompressedModel,
  toRuntimeLinear,
} from './imports';
import { TINY_CONFIG, tinySource, tinyStats } from './model-fixtures';

const PLAN: CompressionPlan = {
  defaults: { method: 'caldera', rank: 4, qBits: 2, lrBits: 4, iterations: 2, lplrRounds: 2 },
  rules: [{ pattern: /down_proj/, method: 'rtn', qBits: 4 }],
};

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir: string;
let out: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-ckpt-'));
  out = join(dir, 'tiny');
  await compressModel(tinySource(), tinyStats(), PLAN, {
    outDir: out,
    keptDtype: 'F32',
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('compressed checkpoint format', () => {
  // Pinned SHA-256 of a fixed-seed compression of the synthetic model (seeded weights and
  // calibration, no forward pass). A change here means the format or the solver's numbers
  // changed: bump CHECKPOINT_FORMAT_VERSION for the former, re-pin deliberately for the latter.
  it('writes the pinned bytes (golden: keeps the format from drifting)', async () => {
    const st = await readFile(join(out, 'model.safetensors'));
    const cfg = await readFile(join(out, 'config.json'));
    expect({ st: sha(st), cfg: sha(cfg) }).toEqual({
      st: '565202310e8184b03b37c8de67736ca95ce11cdb67a88388799ca21c9641485b',
      cfg: 'a6bcbd19d8068e5b71d79a05e9c3e0bfce2c2b57305b83f542efda28e826fd9f',
    });
  });

  it('has the documented layout', async () => {
    const json = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    const qc = json.quantization_config;
    expect(qc.format).toBe('caldera');
    expect(qc.format_version).toBe(1);
    expect(qc.quant_method).toBe('caldera');
    expect(qc.kept_dtype).toBe('F32');
    expect(json.num_hidden_layers).toBe(2);
    expect(Object.keys(qc.tensors)).toHaveLength(14);
    const q = qc.tensors['model.layers.0.self_attn.q_proj.weight'];
    expect(q).toMatchObject({ method: 'caldera', shape: [16, 16], rank: 4, rht: true });
    expect(q.q).toEqual({ storage: 'cqnt', quantizer: 'e8p12', rows: 16, cols: 16 });
    expect(q.lt).toEqual({ storage: 'cqnt', quantizer: 'e8p12rvq4b', rows: 4, cols: 16 });
    const down = qc.tensors['model.layers.1.mlp.down_proj.weight'];
    expect(down).toMatchObject({ method: 'rtn', rank: 0, rht: false, lt: null });
    expect(down.q.quantizer).toBe('uniform4');
    const ckpt = await CompressedCheckpoint.open(out);
    try {
      const names = ckpt.compressedNames();
      expect(names).toContain('model.layers.1.mlp.up_proj.weight');
      expect(await ckpt.readKept('model.norm.weight')).toEqual(new Float32Array(16).fill(1));
    } finally {
      await ckpt.close();
    }
    expect(await isCompressedCheckpoint(out)).toBe(true);
    expect(await isCompressedCheckpoint(dir)).toBe(false);
  });

  it('reloads every layer exactly as the in-memory decomposition', async () => {
    const src = tinySource();
    const stats = tinyStats();
    const ckpt = await CompressedCheckpoint.open(out);
    try {
      for (const name of ckpt.compressedNames()) {
        const m = /layers\.(\d+)\.\w+\.(\w+)\.weight/.exec(name)!;
        const layer = Number(m[1]);
        const proj = m[2] as LinearName;
        const w = await src.readTensor(name);
        const info = src.tensors().find((t) => t.name === name)!;
        const [rows, cols] = info.shape as [number, number];
        const h = stats.inputMoment(layer, inputSiteOf(proj));
        const settings =
          proj === 'down_proj'
            ? { ...PLAN.defaults, method: 'rtn' as const, qBits: 4 as const }
            : PLAN.defaults;
        const mem = decomposeLayer(settings, w, rows, cols, h);
        const back = await ckpt.readDecomposition(name);
        expect(back.reconstruct()).toEqual(mem.reconstruct());
        expect(back.bitsPerParameter).toBe(mem.bitsPerParameter);
        expect(back.rank).toBe(mem.rank);
      }
    } finally {
      await ckpt.close();
    }
  });

  it('loads into the runtime with CalderaLinear/UniformLinear layers that match the reconstruction', async () => {
    const model = await loadCompressedModel(out);
    expect(model.linear(0, 'q_proj').kind).toBe('caldera');
    // RTN (uniform Q, no RHT): multiplied straight from its 4-bit codes.
    expect(model.linear(1, 'down_proj').kind).toBe('uniform');
    const ckpt = await CompressedCheckpoint.open(out);
    try {
      for (const proj of ['up_proj', 'down_proj'] as const) {
        const d = await ckpt.readDecomposition(`model.layers.1.mlp.${proj}.weight`);
        const dense = model.linear(1, proj).toDense();
        const ref = d.reconstruct();
        let worst = 0;
        let scale = 0;
        for (let i = 0; i < ref.length; i++) {
          worst = Math.max(worst, Math.abs(dense[i]! - ref[i]!));
          scale = Math.max(scale, Math.abs(ref[i]!));
        }
        expect(worst).toBeLessThan(1e-5 * scale);
      }
    } finally {
      await ckpt.close();
    }
    const session = model.createSession({ maxContext: 16 });
    const logits = session.forward(Int32Array.from([1, 5, 7, 9]));
    expect(logits.length).toBeGreaterThanOrEqual(TINY_CONFIG.vocabSize);
    expect(Array.from(logits).every(Number.isFinite)).toBe(true);
  });

  it('round-trips LoRD factors (float32) and falls back to a dense runtime layer', async () => {
    const src = tinySource();
    const w = await src.readTensor('model.layers.0.mlp.up_proj.weight');
    const h = new Float64Array(16 * 16);
    for (let i = 0; i < 16; i++) h[i * 17] = 1 + i / 16;
    const d = decomposeLayer({ method: 'lord', rank: 3 }, w, 32, 16, h);
    const { entry, tensors } = encodeLinear('x.weight', d);
    expect(entry.q).toBeNull();
    expect(tensors.map((t) => t.name)).toEqual(['x.lt', 'x.r']);
    const byName = new Map(tensors.map((t) => [t.name, t.data]));
    const back = await decodeLinear('x.weight', entry, async (n) => byName.get(n)!);
    expect(back.reconstruct()).toEqual(d.reconstruct());
    expect(toRuntimeLinear(back).kind).toBe('dense');
  });

  it('rejects folders that are not checkpoints with clear codes', async () => {
    const code = async (p: Promise<unknown>) => {
      try {
        await p;
        return 'ok';
      } catch (e) {
        return isCalderaError(e) ? e.code : String(e);
      }
    };
    expect(await code(CompressedCheckpoint.open(join(dir, 'missing')))).toBe('FILE_NOT_FOUND');
    const plain = join(dir, 'plain');
    await mkdir(plain);
    await writeFile(join(plain, 'config.json'), '{"model_type":"llama"}');
    expect(await code(loadCompressedModel(plain))).toBe('CHECKPOINT_FORMAT');
    await writeFile(
      join(plain, 'config.json'),
      '{"quantization_config":{"format":"caldera","format_version":2}}',
    );
    expect(await code(loadCompressedModel(plain))).toBe('CHECKPOINT_FORMAT');
  });
});
