/**
 * The playground's Matrix lab, as plain functions shared by the Web Worker and by Node (the
 * browser test runs the same call in both and compares the numbers): pick one projection of a
 * model, build its Hessian from calibration text, decompose it with one method and summarise
 * the result (error trace, spectra, bits per parameter, residual).
 */

import { type Decomposition, decompose } from '@caldera/caldera';
import { CalderaError, describeValue, type LongRunningOptions } from '@caldera/core';
import {
  makeWindows,
  parseHfConfig,
  parseSafetensors,
  type SafetensorsBuffer,
  SentencePieceTokenizer,
} from '@caldera/io';
import { svd } from '@caldera/linalg';
import {
  collectCalibration,
  inputSiteOf,
  LINEAR_NAMES,
  type LinearName,
  linearTensorName,
} from '@caldera/runtime';
import { loadMemoryModel } from './memory-model';

/**
 * The methods the lab offers.
 *
 * @example
 * ```ts
 * const m: LabMethod = 'caldera';
 * ```
 */
export type LabMethod = 'caldera' | 'ldlq' | 'rtn' | 'low-rank';

/**
 * The files of an embedded Hugging Face style model, in memory.
 *
 * @example
 * ```ts
 * const files: LabModelFiles = { safetensors, config: JSON.parse(cfg), tokenizer, text };
 * ```
 */
export interface LabModelFiles {
  /** model.safetensors bytes. */
  safetensors: Uint8Array;
  /** Parsed config.json. */
  config: unknown;
  /** tokenizer.model bytes (SentencePiece). */
  tokenizer: Uint8Array;
  /** Calibration text. */
  text: string;
}

/**
 * What to decompose and how.
 *
 * @example
 * ```ts
 * const r: MatrixLabRequest = { layer: 0, name: 'k_proj', method: 'caldera', rank: 16, qBits: 2, lrBits: 4, iterations: 3, seed: 42, windows: 4, seqLen: 64 };
 * ```
 */
export interface MatrixLabRequest {
  /** Block index. */
  layer: number;
  /** Projection. */
  name: LinearName;
  /** Method. */
  method: LabMethod;
  /** Rank of L·R (caldera, low-rank). */
  rank: number;
  /** Bits of Q (2, 3 or 4 with E8P; 2, 3, 4 or 8 uniform). */
  qBits: number;
  /** Quantizer family of Q. */
  qFamily: 'e8p' | 'uniform';
  /** Bits of L and R (E8P; 16 keeps float16). */
  lrBits: number;
  /** CALDERA outer iterations. */
  iterations: number;
  /** Seed of the RHT and of the calibration windows. */
  seed: number;
  /** Calibration windows. */
  windows: number;
  /** Tokens per window. */
  seqLen: number;
}

/**
 * One matrix and its Hessian.
 *
 * @example
 * ```ts
 * const p: LabProblem = { label: 'w', w, m: 2, n: 2, h: null, calibrationTokens: 0 };
 * ```
 */
export interface LabProblem {
  /** Tensor name. */
  label: string;
  /** W, m×n row-major. */
  w: Float32Array;
  m: number;
  n: number;
  /** H = XᵀX/N, n×n (null: identity, i.e. the plain Frobenius error). */
  h: Float64Array | null;
  /** Tokens the Hessian was accumulated over. */
  calibrationTokens: number;
}

/**
 * The lab's summary of one decomposition (structured-clone friendly).
 *
 * @example
 * ```ts
 * console.log(result.relativeError, result.bitsPerParameter);
 * ```
 */
export interface MatrixLabResult {
  label: string;
  method: LabMethod;
  m: number;
  n: number;
  rank: number;
  /** Relative data-aware error ‖(W − Ŵ)X‖/‖WX‖. */
  relativeError: number;
  /** Honest bits per parameter. */
  bitsPerParameter: number;
  /** Error after each solver step. */
  trace: { iteration: number; step: 'LR' | 'Q'; error: number }[];
  /** Singular values of W, descending. */
  spectrumW: Float64Array;
  /** Singular values of W − Ŵ, descending. */
  spectrumResidual: Float64Array;
  /** W − Ŵ, m×n row-major. */
  residual: Float32Array;
  /** Wall time of the decomposition alone, seconds. */
  seconds: number;
}

const METHODS: readonly LabMethod[] = ['caldera', 'ldlq', 'rtn', 'low-rank'];

/**
 * Lists the projection tensors of a model config (the lab's layer menu).
 *
 * @param config - parsed config.json
 * @returns `{ layer, name, label, m, n }` for every projection
 * @example
 * ```ts
 * listLayers(JSON.parse(configText))[0]; // { layer: 0, name: 'q_proj', … }
 * ```
 */
export function listLayers(
  config: unknown,
): { layer: number; name: LinearName; label: string; m: number; n: number }[] {
  const c = parseHfConfig(config);
  const kv = c.numKvHeads * c.headDim;
  const shapes: Record<LinearName, [number, number]> = {
    q_proj: [c.numHeads * c.headDim, c.hiddenSize],
    k_proj: [kv, c.hiddenSize],
    v_proj: [kv, c.hiddenSize],
    o_proj: [c.hiddenSize, c.numHeads * c.headDim],
    gate_proj: [c.intermediateSize, c.hiddenSize],
    up_proj: [c.intermediateSize, c.hiddenSize],
    down_proj: [c.hiddenSize, c.intermediateSize],
  };
  const out = [];
  for (let layer = 0; layer < c.numLayers; layer++) {
    for (const name of LINEAR_NAMES) {
      const [m, n] = shapes[name];
      out.push({ layer, name, label: linearTensorName(layer, name), m, n });
    }
  }
  return out;
}

/**
 * Reads a projection and accumulates its input Hessian by running the (original) model over
 * seeded random windows of the calibration text.
 *
 * @param files - the model's files
 * @param request - layer, projection, windows, seqLen, seed
 * @param options - progress (task `calibrate`) and abort signal
 * @returns the problem
 * @throws CalderaError `INVALID_ARGUMENT` for a bad layer; whatever loading or calibration throws
 * @example
 * ```ts
 * const p = await prepareModelProblem(files, { layer: 0, name: 'k_proj', windows: 4, seqLen: 64, seed: 42 });
 * ```
 */
export async function prepareModelProblem(
  files: LabModelFiles,
  request: Pick<MatrixLabRequest, 'layer' | 'name' | 'windows' | 'seqLen' | 'seed'>,
  options: LongRunningOptions = {},
): Promise<LabProblem> {
  const config = parseHfConfig(files.config);
  if (!Number.isInteger(request.layer) || request.layer < 0 || request.layer >= config.numLayers) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `layer ${describeValue(request.layer)} out of range`,
    );
  }
  const st = parseSafetensors(files.safetensors);
  const model = await loadMemoryModel(config, st, options);
  const tok = SentencePieceTokenizer.fromBytes(files.tokenizer);
  const tokens = Int32Array.from(tok.encode(files.text));
  const windows = makeWindows(tokens, {
    seqLen: request.seqLen,
    count: request.windows,
    seed: request.seed,
    sampling: 'random',
  });
  const site = inputSiteOf(request.name);
  const stats = await collectCalibration(model, windows, {
    layers: [request.layer],
    sites: [site],
    ...options,
  });
  const label = linearTensorName(request.layer, request.name);
  const t = st.tensor(label);
  const [m, n] = t.shape as [number, number];
  return {
    label,
    w: st.readFloat32(label),
    m,
    n,
    h: stats.inputMoment(request.layer, site),
    calibrationTokens: stats.tokens,
  };
}

/**
 * A problem from any 2-D tensor of a dropped safetensors file, with H = I (no calibration data).
 *
 * @param st - the parsed file
 * @param name - a 2-D tensor
 * @returns the problem
 * @throws CalderaError `INVALID_ARGUMENT` when the tensor is not 2-D
 * @example
 * ```ts
 * const p = tensorProblem(parseSafetensors(bytes), 'model.layers.0.mlp.up_proj.weight');
 * ```
 */
export function tensorProblem(st: SafetensorsBuffer, name: string): LabProblem {
  const t = st.tensor(name);
  if (t.shape.length !== 2) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `${name} has shape ${JSON.stringify(t.shape)}; the lab needs a matrix`,
    );
  }
  const [m, n] = t.shape as [number, number];
  return { label: name, w: st.readFloat32(name), m, n, h: null, calibrationTokens: 0 };
}

function identity(n: number): Float64Array {
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++) h[i * n + i] = 1;
  return h;
}

/**
 * Runs one method on a problem and summarises the result.
 *
 * @param p - the problem
 * @param r - method, rank, quantizers, bits, iterations, seed
 * @param options - progress (the solver's events) and abort signal
 * @returns the summary
 * @throws CalderaError `INVALID_OPTIONS` for an unknown method; whatever the solver throws
 * @example
 * ```ts
 * const res = runMatrixLab(problem, { method: 'rtn', rank: 0, qBits: 2, qFamily: 'e8p', lrBits: 4, iterations: 1, seed: 42 });
 * ```
 */
export function runMatrixLab(
  p: LabProblem,
  r: Pick<
    MatrixLabRequest,
    'method' | 'rank' | 'qBits' | 'qFamily' | 'lrBits' | 'iterations' | 'seed'
  >,
  options: LongRunningOptions = {},
): MatrixLabResult {
  if (!METHODS.includes(r.method)) {
    throw new CalderaError('INVALID_OPTIONS', `unknown lab method ${describeValue(r.method)}`);
  }
  const h = p.h ?? identity(p.n);
  const qQuantizer =
    r.qFamily === 'e8p'
      ? { family: 'e8p' as const, bits: r.qBits as 2 | 3 | 4 }
      : { family: 'uniform' as const, bits: r.qBits as 2 | 3 | 4 };
  const lrQuantizer =
    r.lrBits >= 16
      ? { family: 'float' as const }
      : { family: 'e8p' as const, bits: r.lrBits as 2 | 3 | 4 };
  const t0 = performance.now();
  const d: Decomposition = decompose(r.method, p.w, p.m, p.n, h, {
    rank: r.method === 'caldera' || r.method === 'low-rank' ? r.rank : 0,
    qQuantizer,
    quantizer: qQuantizer,
    lrQuantizer,
    iterations: r.iterations,
    seed: r.seed,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const seconds = (performance.now() - t0) / 1000;
  const w2 = d.reconstruct();
  const residual = new Float32Array(p.m * p.n);
  for (let i = 0; i < residual.length; i++) residual[i] = p.w[i]! - w2[i]!;
  return {
    label: p.label,
    method: r.method,
    m: p.m,
    n: p.n,
    rank: d.rank,
    relativeError: d.dataAwareError,
    bitsPerParameter: d.bitsPerParameter,
    trace: d.trace.map((t) => ({ ...t })),
    spectrumW: svd(p.w, p.m, p.n).s,
    spectrumResidual: svd(residual, p.m, p.n).s,
    residual,
    seconds,
  };
}
