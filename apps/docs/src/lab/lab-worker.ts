/**
 * The playground's Web Worker: loads the embedded model once, runs Matrix-lab and Model-lab
 * jobs off the main thread, streams progress, and cancels through an AbortSignal fed by a
 * shared flag (checked at every progress event) or by a `cancel` message (seen between awaits).
 */
import { isCalderaError, type ProgressEvent } from '@caldera/core';
import { parseSafetensors } from '@caldera/io';
import { getBackend, startThreads } from '@caldera/linalg';
import type { OrtModuleLike } from '@caldera/onnx';
// The .wasm ONNX Runtime fetches, served by Vite (dev: from node_modules; build: emitted asset).
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import {
  type LabModelFiles,
  type LabProblem,
  listLayers,
  type MatrixLabRequest,
  prepareModelProblem,
  runMatrixLab,
  tensorProblem,
} from './matrix-lab';
import { runModelLab } from './model-lab';
import type { FromWorker, ModelUrls, ToWorker } from './protocol';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  crossOriginIsolated?: boolean;
}

const scope = globalThis as unknown as WorkerScope;
let modelUrls: ModelUrls | undefined;
let files: Promise<LabModelFiles> | undefined;
const running = new Map<number, AbortController>();

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetch ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function modelFiles(): Promise<LabModelFiles> {
  if (!modelUrls) throw new Error('lab worker: init first');
  const u = modelUrls;
  files ??= Promise.all([
    fetchBytes(u.safetensors),
    fetch(u.config).then((r) => r.json()),
    fetchBytes(u.tokenizer),
    fetch(u.text).then((r) => r.text()),
  ]).then(([safetensors, config, tokenizer, text]) => ({ safetensors, config, tokenizer, text }));
  return files;
}

/** The last calibrated problem: re-running other methods on the same layer skips calibration. */
let lastProblem: { key: string; problem: LabProblem } | undefined;

async function cachedProblem(
  r: MatrixLabRequest,
  onProgress: (e: ProgressEvent) => void,
  signal: AbortSignal,
): Promise<LabProblem> {
  const key = JSON.stringify([r.layer, r.name, r.windows, r.seqLen, r.seed]);
  if (lastProblem?.key === key) return lastProblem.problem;
  const problem = await prepareModelProblem(await modelFiles(), r, { onProgress, signal });
  lastProblem = { key, problem };
  return problem;
}

function progressFor(id: number, flag: Int32Array | undefined, ac: AbortController) {
  return (event: ProgressEvent) => {
    if (flag && Atomics.load(flag, 0) !== 0) ac.abort();
    scope.postMessage({ type: 'progress', id, event });
  };
}

/**
 * onnxruntime-web's WebAssembly-only build (73 kB + a 14 MB .wasm, half the default build's
 * WebGPU-capable 28 MB), loaded on the first Model-lab run: the Matrix lab never needs it.
 */
async function loadOrt() {
  const ort = await import('onnxruntime-web/wasm');
  ort.env.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, location.href).href };
  ort.env.wasm.numThreads = scope.crossOriginIsolated === true ? 2 : 1;
  const threads = ort.env.wasm.numThreads;
  return { ort, backend: `onnxruntime-web wasm, ${threads} thread${threads === 1 ? '' : 's'}` };
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init': {
      modelUrls = msg.model;
      const threads = await startThreads(Math.max(1, msg.threads));
      scope.postMessage({
        type: 'ready',
        threads,
        isolated: scope.crossOriginIsolated === true,
        backend: getBackend().name,
      });
      return;
    }
    case 'cancel':
      running.get(msg.id)?.abort();
      return;
    case 'layers': {
      if (msg.file) {
        const st = parseSafetensors(msg.file);
        const layers = st
          .tensors()
          .filter((t) => t.shape.length === 2)
          .map((t) => ({ label: t.name, m: t.shape[0]!, n: t.shape[1]! }));
        scope.postMessage({ type: 'layers', id: msg.id, layers });
      } else {
        const f = await modelFiles();
        scope.postMessage({ type: 'layers', id: msg.id, layers: listLayers(f.config) });
      }
      return;
    }
    case 'matrix': {
      const ac = new AbortController();
      running.set(msg.id, ac);
      const onProgress = progressFor(msg.id, msg.cancel, ac);
      const problem = msg.file
        ? tensorProblem(parseSafetensors(msg.file.bytes), msg.file.tensor)
        : await cachedProblem(msg.request, onProgress, ac.signal);
      const result = runMatrixLab(problem, msg.request, { onProgress, signal: ac.signal });
      scope.postMessage({ type: 'matrix', id: msg.id, result }, [result.residual.buffer]);
      return;
    }
    case 'model': {
      const ac = new AbortController();
      running.set(msg.id, ac);
      const { ort, backend } = await loadOrt();
      const result = await runModelLab(await modelFiles(), msg.request, {
        ort: ort as unknown as OrtModuleLike,
        ortBackend: backend,
        onProgress: progressFor(msg.id, msg.cancel, ac),
        signal: ac.signal,
        onToken: (which, text) => scope.postMessage({ type: 'token', id: msg.id, which, text }),
      });
      scope.postMessage({ type: 'model', id: msg.id, result });
      return;
    }
  }
}

scope.onmessage = (e) => {
  const msg = e.data;
  handle(msg)
    .catch((err: unknown) => {
      const id = 'id' in msg ? msg.id : -1;
      const code = isCalderaError(err) ? err.code : 'ERROR';
      scope.postMessage({
        type: 'error',
        id,
        code,
        message: (err as Error)?.message ?? String(err),
      });
    })
    .finally(() => {
      if ('id' in msg && msg.type !== 'cancel') running.delete(msg.id);
    });
};
