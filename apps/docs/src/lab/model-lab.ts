/**
 * The playground's Model lab: compress every projection of the embedded model (Hessians from
 * calibration on the original model), then generate from the original and the compressed model.
 */

import { decompose, toRuntimeLinear } from '@caldera/caldera';
import { type LongRunningOptions, throwIfAborted } from '@caldera/core';
import { makeWindows, parseHfConfig, parseSafetensors, SentencePieceTokenizer } from '@caldera/io';
import type { OrtModuleLike } from '@caldera/onnx';
import {
  collectCalibration,
  type DenseLinear,
  generate,
  inputSiteOf,
  LINEAR_NAMES,
  type LlamaModel,
} from '@caldera/runtime';
import type { LabModelFiles } from './matrix-lab';
import { loadMemoryModel } from './memory-model';
import { type LabGeneration, type OrtLabResult, runOrtLab } from './ort-lab';

/**
 * Options of {@link runModelLab}.
 *
 * @example
 * ```ts
 * const r: ModelLabRequest = { method: 'rtn', rank: 0, qBits: 4, lrBits: 4, iterations: 1, seed: 42, windows: 8, seqLen: 64, prompt: 'def ', maxTokens: 32 };
 * ```
 */
export interface ModelLabRequest {
  method: 'caldera' | 'ldlq' | 'rtn';
  rank: number;
  qBits: number;
  lrBits: number;
  iterations: number;
  seed: number;
  windows: number;
  seqLen: number;
  prompt: string;
  maxTokens: number;
}

/**
 * What {@link runModelLab} reports.
 *
 * @example
 * ```ts
 * console.log(result.bitsPerParameter, result.compressedText);
 * ```
 */
export interface ModelLabResult {
  /** Projections compressed. */
  projections: number;
  /** Bits per parameter over all projections (parameter-weighted). */
  bitsPerParameter: number;
  /** Mean relative data-aware error of the projections. */
  meanError: number;
  /** Greedy continuation of the prompt by the original model. */
  originalText: string;
  /** The same by the compressed model. */
  compressedText: string;
  /** Seconds spent compressing. */
  compressSeconds: number;
  /** The TypeScript runtime's generations (ids, text, tokens/s). */
  runtime: { original: LabGeneration; compressed: LabGeneration };
  /** The same prompt through ONNX Runtime, when an `ort` module was passed. */
  ort?: OrtLabResult;
}

async function loadModel(files: LabModelFiles, options: LongRunningOptions): Promise<LlamaModel> {
  return loadMemoryModel(parseHfConfig(files.config), parseSafetensors(files.safetensors), options);
}

/**
 * Compresses the model and generates from both versions (greedy).
 *
 * @param files - the model's files
 * @param r - method, bits, calibration, prompt
 * @param options - progress (tasks `calibrate`, `compress` with unit `projections`), abort
 *   signal, `onToken` for streamed text, and `ort` (with its `ortBackend` label) to also run
 *   both models as in-memory ONNX decoders with ONNX Runtime
 * @returns the summary
 * @throws CalderaError `ABORTED`, and whatever loading, calibration or the solver throws
 * @example
 * ```ts
 * const res = await runModelLab(files, { method: 'rtn', rank: 0, qBits: 4, lrBits: 4, iterations: 1, seed: 1, windows: 4, seqLen: 64, prompt: 'def ', maxTokens: 16 });
 * ```
 */
export async function runModelLab(
  files: LabModelFiles,
  r: ModelLabRequest,
  options: LongRunningOptions & {
    onToken?: (which: 'original' | 'compressed', text: string) => void;
    ort?: OrtModuleLike;
    ortBackend?: string;
  } = {},
): Promise<ModelLabResult> {
  const { onProgress, signal } = options;
  const original = await loadModel(files, { signal });
  const compressed = await loadModel(files, { signal });
  const tokenizer = SentencePieceTokenizer.fromBytes(files.tokenizer);
  const tokens = Int32Array.from(tokenizer.encode(files.text));
  const windows = makeWindows(tokens, {
    seqLen: r.seqLen,
    count: r.windows,
    seed: r.seed,
    sampling: 'random',
  });
  const stats = await collectCalibration(original, windows, { onProgress, signal });
  const c = original.config;
  const total = c.numLayers * LINEAR_NAMES.length;
  const t0 = performance.now();
  let bits = 0;
  let params = 0;
  let errors = 0;
  onProgress?.({ type: 'start', task: 'compress', total, unit: 'projections' });
  for (let layer = 0; layer < c.numLayers; layer++) {
    for (const name of LINEAR_NAMES) {
      throwIfAborted(signal, 'runModelLab');
      const dense = original.linear(layer, name) as DenseLinear;
      const m = dense.outFeatures;
      const n = dense.inFeatures;
      const w = dense.weight;
      const h = stats.inputMoment(layer, inputSiteOf(name));
      const q = { family: 'e8p' as const, bits: r.qBits as 2 | 3 | 4 };
      const d = decompose(r.method, w, m, n, h, {
        rank: r.method === 'caldera' ? r.rank : 0,
        qQuantizer: q,
        quantizer: q,
        lrQuantizer: { family: 'e8p', bits: r.lrBits as 2 | 3 | 4 },
        iterations: r.iterations,
        seed: r.seed,
        signal,
      });
      compressed.setLinear(layer, name, toRuntimeLinear(d));
      bits += d.bitsPerParameter * m * n;
      params += m * n;
      errors += d.dataAwareError;
      const done = layer * LINEAR_NAMES.length + LINEAR_NAMES.indexOf(name) + 1;
      onProgress?.({
        type: 'progress',
        task: 'compress',
        current: done,
        total,
        unit: 'projections',
        metrics: { error: d.dataAwareError },
      });
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  onProgress?.({ type: 'done', task: 'compress' });
  const compressSeconds = (performance.now() - t0) / 1000;
  const gen = async (model: LlamaModel, which: 'original' | 'compressed') => {
    let text = '';
    const t = performance.now();
    const res = await generate(model, r.prompt, {
      tokenizer,
      maxTokens: r.maxTokens,
      temperature: 0,
      signal,
      onToken: (e) => {
        text += e.text;
        options.onToken?.(which, text);
      },
    });
    const seconds = (performance.now() - t) / 1000;
    return {
      promptTokens: res.promptTokens,
      generation: {
        text: res.text,
        tokens: res.tokens,
        tokensPerSecond: res.tokens.length / Math.max(seconds, 1e-9),
      },
    };
  };
  const a = await gen(original, 'original');
  const b = await gen(compressed, 'compressed');
  const ort = options.ort
    ? await runOrtLab(
        options.ort,
        { original, compressed },
        tokenizer,
        a.promptTokens,
        { original: a.generation.tokens, compressed: b.generation.tokens },
        { maxTokens: r.maxTokens, backend: options.ortBackend ?? 'onnxruntime', signal },
      )
    : undefined;
  return {
    projections: total,
    bitsPerParameter: bits / params,
    meanError: errors / total,
    originalText: a.generation.text,
    compressedText: b.generation.text,
    compressSeconds,
    runtime: { original: a.generation, compressed: b.generation },
    ...(ort ? { ort } : {}),
  };
}
