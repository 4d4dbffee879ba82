/**
 * Worker threads for the wasm GEMM: `worker_threads` in Node, Web Workers in browsers, all
 * instantiating the same kernel module on the same shared `WebAssembly.Memory`. The calling thread
 * packs the operands, publishes the plan in a shared control block, runs its own share of row
 * panels and waits (`Atomics.wait`; a spin where the main thread may not block) until every worker
 * has finished its rows of C. Without `SharedArrayBuffer` the pool cannot start and GEMM stays on
 * one thread.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { getWasmRuntime, WASM_KC, WASM_MR, WASM_NC_PANELS } from '../wasm/wasm-runtime';
import { type GemmPlan, runPlanRows } from './wasm-gemm';

/** Control block layout (Int32 slots). */
const SEQ = 0;
const PENDING = 1;
const PLAN = 2; // f64, aBase, bBase, cBase, mp, np, k, ldcBytes, overwrite
/** Next unclaimed chunk of row panels (threads claim chunks with `Atomics.add`). */
const NEXT = 12;
/** Row panels per chunk. */
const CHUNK = 13;
/** Set to 1 by a worker whose share of a plan threw (e.g. a wasm trap). */
const FAILED = 14;
const CTRL_SLOTS = 16;

interface MinimalWorker {
  terminate(): unknown;
}

interface Pool {
  workers: MinimalWorker[];
  ctrl: Int32Array;
  threads: number;
}

let pool: Pool | undefined;

// The worker program (plain JS, kept in sync with runPlanRows in wasm-gemm.ts).
const WORKER_SOURCE = `
function start(init) {
  const { module, memory, ctrl, index } = init;
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, ${SEQ}, seen);
    seen = Atomics.load(ctrl, ${SEQ});
    if (seen < 0) return;
    const f64 = ctrl[${PLAN}], aBase = ctrl[${PLAN + 1}], bBase = ctrl[${PLAN + 2}], cBase = ctrl[${PLAN + 3}];
    const mpAll = ctrl[${PLAN + 4}], npAll = ctrl[${PLAN + 5}], kk = ctrl[${PLAN + 6}], ldc = ctrl[${PLAN + 7}];
    const chunk = ctrl[${CHUNK}];
    try {
    for (;;) {
      const ip0 = Atomics.add(ctrl, ${NEXT}, 1) * chunk;
      if (ip0 >= mpAll) break;
      const ip1 = Math.min(mpAll, ip0 + chunk);
      const eb = f64 ? 8 : 4, nr = f64 ? 4 : 8, ncp = ${WASM_NC_PANELS}, mr = ${WASM_MR}, KC = ${WASM_KC};
      const aps = kk * mr * eb, bps = kk * nr * eb;
      for (let pc = 0; pc < kk; pc += KC) {
        const kc = Math.min(KC, kk - pc);
        const first = pc === 0 && ctrl[${PLAN + 8}] === 1;
        const kern = f64 ? (first ? k.dgemm_block0 : k.dgemm_block) : (first ? k.sgemm_block0 : k.sgemm_block);
        for (let jc = 0; jc < npAll; jc += ncp) {
          kern(aBase + ip0 * aps + pc * mr * eb, bBase + jc * bps + pc * nr * eb,
            cBase + ip0 * mr * ldc + jc * nr * eb, ip1 - ip0, Math.min(ncp, npAll - jc), kc, aps, bps, ldc);
        }
      }
    }
    } catch (e) {
      Atomics.store(ctrl, ${FAILED}, 1);
    }
    if (Atomics.sub(ctrl, ${PENDING}, 1) === 1) Atomics.notify(ctrl, ${PENDING});
  }
}
if (typeof require === 'function') {
  const wt = require('node:worker_threads');
  wt.parentPort.postMessage('ready');
  start(wt.workerData);
} else {
  self.onmessage = (e) => { self.postMessage('ready'); start(e.data); };
}
`;

/**
 * Threads the wasm GEMM currently uses (the calling thread included); 1 without a pool.
 *
 * @returns the thread count
 * @example
 * ```ts
 * poolThreads(); // 1 until startThreads(2) resolves
 * ```
 */
export function poolThreads(): number {
  return pool?.threads ?? 1;
}

/**
 * Starts worker threads for the wasm GEMM so that it runs on `threads` threads (the caller's
 * included). Stops a previous pool first. Resolves to the thread count in use (1 where shared
 * memory or workers are unavailable).
 *
 * @param threads - total threads, ≥ 1
 * @returns the number of threads GEMM will use
 * @throws CalderaError `UNSUPPORTED_DIMENSION` when `threads` is not a positive integer ≤ 64
 * @example
 * ```ts
 * await startThreads(2);
 * sgemm('N', 'N', 1024, 1024, 1024, 1, a, 1024, b, 1024, 0, c, 1024); // on 2 threads
 * await stopThreads();
 * ```
 */
export async function startThreads(threads: number): Promise<number> {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new CalderaError(
      'UNSUPPORTED_DIMENSION',
      `startThreads: threads must be an integer in [1, 64], got ${describeValue(threads)}`,
    );
  }
  await stopThreads();
  const rt = getWasmRuntime();
  if (threads === 1 || rt === null || !rt.shared) return 1;
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * CTRL_SLOTS));
  const workers: MinimalWorker[] = [];
  const ready: Promise<void>[] = [];
  const isNode =
    typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions
      ?.node === 'string';
  try {
    for (let t = 1; t < threads; t++) {
      const init = { module: rt.module, memory: rt.memory, ctrl, index: t };
      if (isNode) {
        const wt = await import('node:worker_threads');
        const w = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: init });
        w.unref();
        workers.push(w);
        ready.push(
          new Promise((resolve, reject) => {
            w.once('message', () => resolve());
            w.once('error', reject);
          }),
        );
      } else {
        const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
        const w = new Worker(url);
        workers.push(w);
        ready.push(
          new Promise((resolve, reject) => {
            w.onmessage = () => resolve();
            w.onerror = (e) => reject(e);
          }),
        );
        w.postMessage(init);
      }
    }
    await Promise.all(ready);
  } catch (cause) {
    for (const w of workers) w.terminate();
    throw new CalderaError('BACKEND_UNAVAILABLE', 'startThreads: could not start worker threads', {
      cause,
    });
  }
  pool = { workers, ctrl, threads };
  return threads;
}

/**
 * Stops the worker threads; GEMM returns to one thread.
 *
 * @returns a promise that resolves when the workers are gone
 * @example
 * ```ts
 * await stopThreads();
 * poolThreads(); // 1
 * ```
 */
export async function stopThreads(): Promise<void> {
  const p = pool;
  if (p === undefined) return;
  pool = undefined;
  Atomics.store(p.ctrl, SEQ, -1);
  Atomics.notify(p.ctrl, SEQ);
  await Promise.all(p.workers.map((w) => w.terminate()));
}

function waitZero(ctrl: Int32Array, slot: number): void {
  for (;;) {
    const v = Atomics.load(ctrl, slot);
    if (v === 0) return;
    try {
      Atomics.wait(ctrl, slot, v, 50);
    } catch {
      // main thread of a browser may not block: spin
    }
  }
}

/**
 * Runs a GEMM plan on the pool: row panels are cut into chunks (about six per thread) that the
 * threads, the calling one included, claim one at a time, so a thread slowed by other load on the
 * machine simply takes fewer chunks. Returns `false` (and does nothing) when no pool is running.
 *
 * @param plan - the schedule built by the wasm GEMM
 * @returns whether the pool ran the plan
 * @example
 * ```ts
 * if (!runOnPool(plan)) runPlanRows(rt.kernels, plan, 0, plan.mp);
 * ```
 */
export function runOnPool(plan: GemmPlan): boolean {
  const p = pool;
  if (p === undefined || plan.mp < 2 * p.threads) return false;
  const rt = getWasmRuntime()!;
  const { ctrl, threads } = p;
  const values = [
    plan.f64,
    plan.aBase,
    plan.bBase,
    plan.cBase,
    plan.mp,
    plan.np,
    plan.k,
    plan.ldcBytes,
    plan.overwrite,
  ];
  for (let i = 0; i < values.length; i++) ctrl[PLAN + i] = values[i]!;
  const chunk = Math.max(2, Math.ceil(plan.mp / (6 * threads)));
  ctrl[CHUNK] = chunk;
  Atomics.store(ctrl, NEXT, 0);
  Atomics.store(ctrl, FAILED, 0);
  Atomics.store(ctrl, PENDING, threads - 1);
  Atomics.add(ctrl, SEQ, 1);
  Atomics.notify(ctrl, SEQ);
  let cause: unknown;
  try {
    for (;;) {
      const ip0 = Atomics.add(ctrl, NEXT, 1) * chunk;
      if (ip0 >= plan.mp) break;
      runPlanRows(rt.kernels, plan, ip0, Math.min(plan.mp, ip0 + chunk));
    }
  } catch (e) {
    cause = e;
  } finally {
    // Even when the caller's own share threw, wait for the workers: the next plan must never
    // be published while a worker still runs this one.
    Atomics.store(ctrl, NEXT, 0x3fffffff);
    waitZero(ctrl, PENDING);
  }
  if (cause !== undefined || Atomics.load(ctrl, FAILED) !== 0) {
    throw new CalderaError(
      'BACKEND_UNAVAILABLE',
      'wasm GEMM: a thread failed on its rows of the product; the result is incomplete',
      cause === undefined ? {} : { cause },
    );
  }
  return true;
}
