/**
 * The WebAssembly runtime: compiles the generated SIMD module once, owns its memory (grown on
 * demand, shared when `SharedArrayBuffer` exists so worker threads can run on the same memory)
 * and exposes the raw `gemm_block` exports.
 */
import { assembleModule } from './assembler';
import { gemmBlockFunction } from './gemm-kernel';

/** Rows per register tile of the wasm kernels. */
export const WASM_MR = 4;
/** k block (depth of one pass over C) of the wasm GEMM. */
export const WASM_KC = 256;
/** Column panels per block of packed B (256 columns for float32, 128 for float64). */
export const WASM_NC_PANELS = 32;
/** Maximum memory pages (4 GiB). */
const MAX_PAGES = 65536;

/**
 * The raw exports of the kernel module.
 *
 * @example
 * ```ts
 * const k: WasmKernels = getWasmRuntime()!.kernels;
 * ```
 */
export interface WasmKernels {
  /** float32 block kernel (NR = 8): C += A·B. */
  sgemm_block: (...args: number[]) => void;
  /** float64 block kernel (NR = 4): C += A·B. */
  dgemm_block: (...args: number[]) => void;
  /** float32 block kernel for the first k block: C = A·B (C is not read). */
  sgemm_block0: (...args: number[]) => void;
  /** float64 block kernel for the first k block: C = A·B (C is not read). */
  dgemm_block0: (...args: number[]) => void;
}

/**
 * A compiled module, its memory and instance.
 *
 * @example
 * ```ts
 * const rt = getWasmRuntime();
 * if (rt) rt.ensureBytes(1 << 20);
 * ```
 */
export interface WasmRuntime {
  /** The compiled module (posted to worker threads). */
  module: WebAssembly.Module;
  /** The memory (shared when possible). */
  memory: WebAssembly.Memory;
  /** Whether the memory is shared. */
  shared: boolean;
  /** The kernels. */
  kernels: WasmKernels;
  /** Grows the memory to at least `bytes`. */
  ensureBytes(bytes: number): void;
}

/**
 * The module bytes: the float32 and float64 block kernels, accumulating and overwriting.
 *
 * @param shared - whether the imported memory is shared
 * @returns the module binary
 * @example
 * ```ts
 * WebAssembly.validate(kernelModuleBytes(false)); // true where SIMD is supported
 * ```
 */
export function kernelModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  return assembleModule(
    [
      gemmBlockFunction('f32', WASM_MR, 'sgemm_block'),
      gemmBlockFunction('f64', WASM_MR, 'dgemm_block'),
      gemmBlockFunction('f32', WASM_MR, 'sgemm_block0', 1, true),
      gemmBlockFunction('f64', WASM_MR, 'dgemm_block0', 1, true),
    ],
    shared,
    MAX_PAGES,
  );
}

let runtime: WasmRuntime | null | undefined;

function canShare(): boolean {
  return typeof SharedArrayBuffer === 'function';
}

/**
 * The process-wide runtime, created on first call; `null` where WebAssembly SIMD is unavailable.
 *
 * @returns the runtime or `null`
 * @example
 * ```ts
 * const available = getWasmRuntime() !== null;
 * ```
 */
export function getWasmRuntime(): WasmRuntime | null {
  if (runtime !== undefined) return runtime;
  runtime = null;
  if (typeof WebAssembly !== 'object') return null;
  for (const shared of canShare() ? [true, false] : [false]) {
    try {
      const bytes = kernelModuleBytes(shared);
      if (!WebAssembly.validate(bytes)) continue;
      const module = new WebAssembly.Module(bytes);
      const memory = new WebAssembly.Memory(
        shared
          ? { initial: 1, maximum: MAX_PAGES, shared: true }
          : { initial: 1, maximum: MAX_PAGES },
      );
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      const kernels = instance.exports as unknown as WasmKernels;
      runtime = {
        module,
        memory,
        shared,
        kernels,
        ensureBytes(bytes: number) {
          const have = memory.buffer.byteLength;
          if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
        },
      };
      return runtime;
    } catch {
      // try the next configuration
    }
  }
  return runtime;
}
