/**
 * The Model lab's ONNX Runtime half: the original and the compressed model built as in-memory
 * ONNX decoders (`buildOnnxModelBytes`, no files), run greedily with the ONNX Runtime module
 * the caller passes (onnxruntime-web in the lab worker, onnxruntime-node in a test), on the same
 * prompt ids as the TypeScript runtime, so the page can say whether the tokens agree.
 */
import { throwIfAborted } from '@caldera/core';
import type { Tokenizer } from '@caldera/io';
import {
  buildOnnxModelBytes,
  DEFAULT_VARIANTS,
  OrtDecoder,
  type OrtModuleLike,
} from '@caldera/onnx';
import type { LlamaModel } from '@caldera/runtime';

/**
 * One greedy generation (runtime or ONNX Runtime).
 *
 * @example
 * ```ts
 * const g: LabGeneration = { text: ' return', tokens: [593], tokensPerSecond: 120 };
 * ```
 */
export interface LabGeneration {
  /** Decoded continuation of the prompt. */
  text: string;
  /** Generated ids (EOS excluded). */
  tokens: number[];
  /** Generated tokens over the wall time of prompt + decoding. */
  tokensPerSecond: number;
}

/**
 * What {@link runOrtLab} reports for one model.
 *
 * @example
 * ```ts
 * if (r.original.sameTokens) console.log('ORT and the runtime agree');
 * ```
 */
export interface OrtGeneration extends LabGeneration {
  /** Size of the in-memory `.onnx` model. */
  modelBytes: number;
  /** Seconds to build the bytes and create the session. */
  loadSeconds: number;
  /** Whether the ids equal the runtime's for the same model and prompt. */
  sameTokens: boolean;
}

/**
 * Both models through ONNX Runtime.
 *
 * @example
 * ```ts
 * console.log(r.backend, r.original.tokensPerSecond, r.compressed.sameTokens);
 * ```
 */
export interface OrtLabResult {
  /** A short label of the runtime (e.g. `onnxruntime-web wasm, 2 threads`). */
  backend: string;
  original: OrtGeneration;
  compressed: OrtGeneration;
}

/**
 * Generates greedily from the original and the compressed model with ONNX Runtime.
 *
 * @param ort - `onnxruntime-web` or `onnxruntime-node`
 * @param models - the loaded original and compressed models
 * @param tokenizer - decodes the generated ids
 * @param promptIds - the prompt ids the runtime used (BOS included)
 * @param runtime - the runtime's generated ids for each model, to compare with
 * @param options - `maxTokens`, `backend` label, abort `signal`
 * @returns outputs, speeds and agreement
 * @throws CalderaError `ABORTED`, and whatever the export or ONNX Runtime throws
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-web';
 * const r = await runOrtLab(ort, { original, compressed }, tok, [1, 593], { original: a, compressed: b }, { maxTokens: 16, backend: 'wasm' });
 * ```
 */
export async function runOrtLab(
  ort: OrtModuleLike,
  models: { original: LlamaModel; compressed: LlamaModel },
  tokenizer: Tokenizer,
  promptIds: readonly number[],
  runtime: { original: readonly number[]; compressed: readonly number[] },
  options: { maxTokens: number; backend: string; signal?: AbortSignal },
): Promise<OrtLabResult> {
  const { maxTokens, signal } = options;
  const one = async (
    model: LlamaModel,
    variant: (typeof DEFAULT_VARIANTS.float)[number],
    expected: readonly number[],
  ): Promise<OrtGeneration> => {
    throwIfAborted(signal, 'runOrtLab');
    const c = model.config;
    const t0 = performance.now();
    const bytes = buildOnnxModelBytes(model, variant, {
      maxPositions: Math.min(c.maxSeqLen, promptIds.length + maxTokens),
    });
    const decoder = await OrtDecoder.create(ort, bytes, {
      numLayers: c.numLayers,
      numKvHeads: c.numKvHeads,
      headDim: c.headDim,
    });
    const t1 = performance.now();
    throwIfAborted(signal, 'runOrtLab');
    // One untimed prompt pass: the first run sets up ONNX Runtime's kernels and thread pool.
    await decoder.forward(promptIds);
    const t2 = performance.now();
    const ids = await decoder.greedy(promptIds, maxTokens, c.eosTokenId);
    const seconds = (performance.now() - t2) / 1000;
    await decoder.session.release?.();
    if (ids.at(-1) === c.eosTokenId) ids.pop();
    const stream = tokenizer.createStreamDecoder({ stripDummyPrefix: false });
    let text = '';
    for (const id of ids) text += stream.push(id);
    text += stream.flush();
    return {
      text,
      tokens: ids,
      tokensPerSecond: ids.length / Math.max(seconds, 1e-9),
      modelBytes: bytes.byteLength,
      loadSeconds: (t1 - t0) / 1000,
      sameTokens: ids.length === expected.length && ids.every((t, i) => t === expected[i]),
    };
  };
  const original = await one(models.original, DEFAULT_VARIANTS.float[0]!, runtime.original);
  const compressed = await one(
    models.compressed,
    DEFAULT_VARIANTS.compressed[0]!,
    runtime.compressed,
  );
  return { backend: options.backend, original, compressed };
}
