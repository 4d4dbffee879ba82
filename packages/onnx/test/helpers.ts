// Shared fixtures of the @caldera/onnx tests: the real models, small compressed variants of
// them built through the library, and logit comparisons against @caldera/runtime.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compressModel, loadCompressedModel } from '@caldera/caldera';
import { Rng } from '@caldera/core';
import { loadTokenizer, openModel, readTextDocuments, tokenizeDocuments } from '@caldera/io';
import { uniformQuantize } from '@caldera/quant';
import {
  argmax,
  collectCalibration,
  LINEAR_NAMES,
  LlamaModel,
  LowRankLinear,
  UniformLinear,
} from '@caldera/runtime';

export const ASSETS = fileURLToPath(new URL('../../../../shared/assets/', import.meta.url));
export const STORIES = join(ASSETS, 'models/stories260K/stories260K.bin');
export const STORIES_TOK = join(ASSETS, 'models/stories260K/tok512.bin');
export const PYCODE = join(ASSETS, 'models/pycode-6m');
const TEXT: Record<string, string> = {
  [STORIES]: join(ASSETS, 'text/tinystories/tinystories_validation_head.txt'),
  [PYCODE]: join(ASSETS, 'models/pycode-6m/heldout_dev.txt'),
};
const TOKENIZER: Record<string, string> = { [STORIES]: STORIES_TOK, [PYCODE]: PYCODE };

/** Prompt ids used by the parity tests (BOS first). */
export const PROMPT: Record<string, number[]> = {
  [STORIES]: [1, 403, 407, 261, 378, 290],
  [PYCODE]: [1, 593, 2168, 289, 302, 2013, 40],
};

/** Loads a float model. */
export async function loadFloat(path: string): Promise<LlamaModel> {
  const src = await openModel(path);
  try {
    return await LlamaModel.load(src);
  } finally {
    await src.close();
  }
}

/**
 * Compresses a model with CALDERA (Q 2-bit E8P, L/R 4-bit, small rank, few calibration windows,
 * one iteration: fast, not good) into a fresh temp folder and returns the folder. `only`
 * restricts compression to the weights matching a regular expression.
 */
export async function compressFast(path: string, rank = 8, only?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'caldera-onnx-'));
  const out = join(dir, 'ckpt');
  const tok = await loadTokenizer(TOKENIZER[path]!);
  const docs = await readTextDocuments(TEXT[path]!, { split: 'none' });
  const stream = tokenizeDocuments([docs[0]!.slice(0, 20_000)], tok);
  const seq = 64;
  const windows = Array.from({ length: 4 }, (_, i) => stream.slice(i * seq, (i + 1) * seq));
  const src = await openModel(path);
  try {
    const stats = await collectCalibration(await LlamaModel.load(src), windows);
    await compressModel(
      src,
      stats,
      {
        defaults: { method: 'caldera', rank, qBits: 2, lrBits: 4, iterations: 1, lplrRounds: 1 },
        // `only`: a regular expression of the weights to compress; the others are kept.
        ...(only ? { rules: [{ pattern: `^(?!${only})`, keep: true }] } : {}),
      },
      {
        outDir: out,
        ...(existsSync(join(path, 'tokenizer.model')) ? {} : { tokenizerFiles: [STORIES_TOK] }),
      },
    );
  } finally {
    await src.close();
  }
  return out;
}

/** Loads a compressed checkpoint. */
export function loadCompressed(dir: string): Promise<LlamaModel> {
  return loadCompressedModel(dir);
}

/** Replaces every projection with a LoRD-style `LowRankLinear` (rank `k`, truncated from W's rows). */
export function toLowRank(model: LlamaModel, k: number): LlamaModel {
  const rng = new Rng(7);
  for (let l = 0; l < model.config.numLayers; l++) {
    for (const name of LINEAR_NAMES) {
      const lin = model.linear(l, name);
      const m = lin.outFeatures;
      const n = lin.inFeatures;
      const w = lin.toDense();
      // R = k random rows mixing W's rows, L = W's projection coefficients: a rank-k map.
      const r = new Float32Array(k * n);
      for (let t = 0; t < k; t++)
        for (let i = 0; i < m; i++) {
          const a = rng.nextFloat() - 0.5;
          for (let j = 0; j < n; j++) r[t * n + j]! += (a * w[i * n + j]!) / Math.sqrt(m);
        }
      const lft = new Float32Array(m * k);
      for (let i = 0; i < m; i++)
        for (let t = 0; t < k; t++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += w[i * n + j]! * r[t * n + j]!;
          lft[i * k + t] = s;
        }
      model.setLinear(l, name, new LowRankLinear(lft, r, m, k, n));
    }
  }
  return model;
}

/** Replaces every projection with a 4-bit uniform layer (group 32; symmetric or asymmetric). */
export function toUniform(model: LlamaModel, scheme: 'symmetric' | 'asymmetric'): LlamaModel {
  for (let l = 0; l < model.config.numLayers; l++) {
    for (const name of LINEAR_NAMES) {
      const lin = model.linear(l, name);
      const q = uniformQuantize(lin.toDense(), lin.outFeatures, lin.inFeatures, {
        bits: 4,
        groupSize: 32,
        scheme,
      });
      model.setLinear(l, name, new UniformLinear(q));
    }
  }
  return model;
}

/** The runtime's logits for every position of `tokens` (rows × vocab). */
export function runtimeLogits(model: LlamaModel, tokens: number[]): Float32Array {
  const v = model.config.vocabSize;
  const out = new Float32Array(tokens.length * v);
  model.createSession({ maxContext: 256 }).forward(tokens, {
    onLogits: (l, rows, pos0) => out.set(l.subarray(0, rows * v), pos0 * v),
  });
  return out;
}

/** The runtime's greedy continuation. */
export function runtimeGreedy(model: LlamaModel, prompt: number[], n: number): number[] {
  const s = model.createSession({ maxContext: 256 });
  let logits = s.forward(prompt);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = argmax(logits, 0, logits.length);
    out.push(t);
    if (i < n - 1) logits = s.step(t);
  }
  return out;
}

/** max |a − b| relative to max |b|. */
export function relMaxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}
