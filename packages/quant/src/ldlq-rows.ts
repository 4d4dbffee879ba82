/**
 * LDLQ on two threads by rows. The rows of W are independent in LDLQ (each row's rounding
 * only sees H), so the rows are split in two: a helper worker thread runs LDLQ on the second
 * half while the calling thread runs it on the first, and the halves are joined. Each half does
 * exactly the arithmetic of the one-thread run on its rows, so results are bit-identical.
 *
 * The call stays synchronous: the caller blocks on a shared flag until the helper is done and
 * takes its answer with `receiveMessageOnPort`. The helper (Node worker_threads, one per
 * process, started on first use and never keeping the process alive) loads `ldlq-worker`; if
 * it never picks up a task (no tsx from the sources, a broken install) the caller does that half
 * itself and stops using the helper. Internal: the public switch is the `threads` option of the
 * LDLQ front ends.
 */
import { CalderaError, type CalderaErrorCode, workerEntry } from '@caldera/core';
import type { E8Quantized, E8QuantizerName } from './e8-matrix';
import type { LdlqCoreOptions } from './ldlq-core';
import type { UniformOptions, UniformQuantized } from './uniform';

/**
 * What the helper runs: the front end and its fixed parameters (structured-cloneable).
 *
 * @example
 * ```ts
 * const s: LdlqRowSpec = { kind: 'e8', name: 'e8p12', scale: 0.5 };
 * ```
 */
export type LdlqRowSpec =
  | { kind: 'e8'; name: E8QuantizerName; scale: number }
  | { kind: 'uniform'; uniform: UniformOptions };

/** The part of a front end's result that is joined (see `LdlqResult` of ldlq.ts). */
interface SliceResult {
  quantized: E8Quantized | UniformQuantized;
  dequantized: Float32Array;
  lossHistory: number[];
  timings: Record<string, number>;
}

/**
 * One task of the helper thread.
 *
 * @example
 * ```ts
 * // built by runRowSplit and posted to the helper
 * ```
 */
export interface LdlqRowTask {
  spec: LdlqRowSpec;
  w: Float32Array | Float64Array;
  rows: number;
  cols: number;
  /** H on shared memory. */
  h: Float64Array;
  /** A precomputed block LDL of (padded) H, on shared memory. */
  ldl?: { l: Float64Array; d: Float64Array };
  options: Pick<LdlqCoreOptions, 'tuneIters' | 'panel' | 'wasm' | 'skipUnchanged'>;
  /** [state, abort] (see the constants below). */
  ctrl: Int32Array;
  port: unknown;
}

/** ctrl[STATE]: posted → running → done, or posted → cancelled (by the caller). */
export const STATE = 0;
/** ctrl[ABORT]: 1 when the caller's half failed or was aborted. */
export const ABORT = 1;
export const POSTED = 0;
export const RUNNING = 1;
export const DONE = 2;
export const CANCELLED = 3;

/** Rows below which the split is not worth a hand-off. */
export const MIN_SPLIT_ROWS = 16;
/** Seconds the caller waits, after its own half, for the helper to pick up its task. */
const START_TIMEOUT_S = 60;

interface WorkerThreads {
  Worker: new (
    code: string,
    options: { eval: true; execArgv?: string[]; workerData: unknown },
  ) => {
    postMessage(m: unknown, t: unknown[]): void;
    unref(): void;
    terminate(): unknown;
    on(event: 'error', f: () => void): void;
  };
  MessageChannel: new () => { port1: Port; port2: unknown };
  receiveMessageOnPort(port: Port): { message: unknown } | undefined;
}
interface Port {
  close(): void;
}

/**
 * The helper's bootstrap (plain CommonJS): loads the entry — from the sources through tsx's
 * `tsImport`, since Node 20 starts a worker's code before its `--import` hooks are ready — then
 * reports 1 (ready) or −1 (failed) in `status[0]`.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const { status, file, tsxApi } = workerData;
const report = (v) => { Atomics.store(status, 0, v); Atomics.notify(status, 0); };
const url = pathToFileURL(file).href;
const load = file.endsWith('.cjs')
  ? Promise.resolve().then(() => require(file))
  : tsxApi
    ? import(pathToFileURL(tsxApi).href).then((api) => api.tsImport(url, url))
    : import(url);
load.then(() => report(1), () => report(-1));
`;

interface Helper {
  wt: WorkerThreads;
  /** [0]: 0 loading, 1 ready, −1 failed. */
  status: Int32Array;
  post(t: LdlqRowTask): void;
  stop(): void;
}

let helper: Helper | null | undefined;

function getHelper(): Helper | null {
  if (helper !== undefined) return helper;
  helper = null;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function' || typeof SharedArrayBuffer !== 'function') {
    return null;
  }
  try {
    const wt = proc.getBuiltinModule('node:worker_threads') as WorkerThreads;
    const { filename, execArgv, tsxApi } = workerEntry(
      import.meta.url,
      'ldlq-worker',
      './ldlq-worker.ts',
    );
    const status = new Int32Array(new SharedArrayBuffer(4));
    const worker = new wt.Worker(BOOTSTRAP, {
      eval: true,
      ...(execArgv !== undefined ? { execArgv } : {}),
      workerData: { status, file: filename, tsxApi },
    });
    worker.unref();
    const stop = (): void => {
      if (helper === h) helper = null;
      void worker.terminate();
    };
    // a thread that dies is not used again (its error is not the caller's)
    worker.on('error', stop);
    const h: Helper = { wt, status, post: (t) => worker.postMessage(t, [t.port]), stop };
    helper = h;
  } catch {
    helper = null;
  }
  return helper;
}

function shared(a: Float64Array): Float64Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const s = new Float64Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

function concat<T extends Float32Array | Uint32Array | Uint8Array>(a: T, b: T): T {
  const out = new (a.constructor as new (n: number) => T)(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function join(top: SliceResult, bottom: SliceResult, phase: string, waitS: number): SliceResult {
  const a = top.quantized;
  const b = bottom.quantized;
  const rows = a.rows + b.rows;
  const quantized: E8Quantized | UniformQuantized =
    a.family === 'e8p'
      ? { ...a, rows, codes: concat(a.codes, (b as E8Quantized).codes) }
      : {
          ...a,
          rows,
          codes: concat(a.codes, (b as UniformQuantized).codes),
          scales: concat(a.scales, (b as UniformQuantized).scales),
          offsets: concat(a.offsets, (b as UniformQuantized).offsets),
        };
  return {
    quantized,
    dequantized: concat(top.dequantized, bottom.dequantized),
    lossHistory: top.lossHistory.map((v, i) => v + (bottom.lossHistory[i] ?? 0)),
    timings: { ...top.timings, [phase]: waitS },
  };
}

/**
 * Runs LDLQ on rows [0, r1) here and [r1, rows) on the helper thread, and joins the halves;
 * `null` when the split is not possible (not Node, too few rows, the helper unavailable) and the
 * caller should run everything itself.
 *
 * @param spec - the front end and its fixed parameters
 * @param w - W, rows × cols
 * @param rows - rows
 * @param cols - columns
 * @param h - H (float64, cols × cols)
 * @param options - the front end's options (the helper gets the core ones; `ldl` is shared)
 * @param runLocal - runs the front end with one thread on a slice of W
 * @returns the joined result, or null
 * @throws what either half throws (`ABORTED` included)
 * @example
 * ```ts
 * const r = runRowSplit(spec, w, m, n, h, opts, (ws, r) => ldlqE8(name, ws, r, n, h, o1));
 * ```
 */
export function runRowSplit(
  spec: LdlqRowSpec,
  w: Float32Array | Float64Array,
  rows: number,
  cols: number,
  h: Float64Array,
  options: LdlqCoreOptions,
  runLocal: (ws: Float32Array | Float64Array, r: number) => SliceResult,
): SliceResult | null {
  if (rows < MIN_SPLIT_ROWS) return null;
  const hp = getHelper();
  if (!hp) return null;
  const r1 = Math.ceil(rows / 2);
  const { port1, port2 } = new hp.wt.MessageChannel();
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const { tuneIters, panel, wasm, skipUnchanged, ldl } = options;
  hp.post({
    spec,
    w: w.slice(r1 * cols),
    rows: rows - r1,
    cols,
    h: shared(h),
    ...(ldl ? { ldl: { l: shared(ldl.l), d: shared(ldl.d) } } : {}),
    options: { tuneIters, panel, wasm, skipUnchanged },
    ctrl,
    port: port2,
  });
  let top: SliceResult | null = null;
  let failure: unknown = null;
  try {
    top = runLocal(w.subarray(0, r1 * cols), r1);
  } catch (e) {
    failure = e;
    Atomics.store(ctrl, ABORT, 1);
  }
  const t0 = performance.now();
  let bottom: SliceResult | null = null;
  for (;;) {
    const s = Atomics.load(ctrl, STATE);
    if (s === DONE) break;
    const waited = (performance.now() - t0) / 1000;
    if (
      s === POSTED &&
      (Atomics.load(hp.status, 0) === -1 || waited > START_TIMEOUT_S) &&
      Atomics.compareExchange(ctrl, STATE, POSTED, CANCELLED) === POSTED
    ) {
      // the helper never started: do its half here and stop using it
      hp.stop();
      port1.close();
      if (failure) throw failure;
      bottom = runLocal(w.subarray(r1 * cols), rows - r1);
      return join(top as SliceResult, bottom, 'helperUnavailable', waited);
    }
    Atomics.wait(ctrl, STATE, s, 100);
  }
  const waitS = (performance.now() - t0) / 1000;
  const msg = hp.wt.receiveMessageOnPort(port1 as never)?.message as
    | { result?: SliceResult; error?: { code?: string; message: string } }
    | undefined;
  port1.close();
  if (failure) throw failure;
  if (!msg?.result) {
    const err = msg?.error;
    throw new CalderaError(
      (err?.code ?? 'BACKEND_UNAVAILABLE') as CalderaErrorCode,
      `LDLQ helper thread: ${err?.message ?? 'no answer'}`,
    );
  }
  return join(top as SliceResult, msg.result, 'waitThreads', waitS);
}
