/**
 * Benchmark cases for operations outside the GEMM/factorization core (decompositions, Hadamard).
 * Each case looks its function up on the package namespace at run time, so the benchmark keeps
 * working while those modules are being written; a case whose function is not exported is
 * skipped. Add new cases here.
 */

/** One benchmark case: `setup` returns the timed closure (or undefined to skip). */
export interface ExtraBench {
  /** Operation name in the output. */
  op: string;
  /** Shape label, e.g. `4096x4096`. */
  shape: string;
  /** Flop count for the GFLOP/s column (0 when not meaningful). */
  flops: number;
  /** Builds inputs and returns the closure to time, or undefined when unavailable. */
  setup(lib: Record<string, unknown>): (() => void) | undefined;
}

type Fn = (...args: unknown[]) => unknown;

function pick(lib: Record<string, unknown>, names: string[]): Fn | undefined {
  for (const name of names) if (typeof lib[name] === 'function') return lib[name] as Fn;
  return undefined;
}

function gaussian(len: number, seed: number): Float32Array {
  const out = new Float32Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/**
 * The extra cases: FWHT of 4096 rows of 4096, exact symmetric eig n = 1024, rank-256 randomized
 * SVD of 4096×4096.
 *
 * @example
 * ```ts
 * for (const c of EXTRA_BENCHES) c.setup(lib)?.();
 * ```
 */
export const EXTRA_BENCHES: ExtraBench[] = [
  {
    op: 'fwht',
    shape: '4096x4096',
    flops: 4096 * 4096 * 12,
    setup(lib) {
      const fwht = pick(lib, ['fwht']);
      if (fwht === undefined) return undefined;
      const x = gaussian(4096 * 4096, 1);
      return () => fwht(x, 4096, 4096);
    },
  },
  {
    op: 'eig-sym',
    shape: '1024x1024',
    flops: 0,
    setup(lib) {
      const eig = pick(lib, ['symmetricEigen', 'eigSym', 'eigh', 'dsyev']);
      if (eig === undefined) return undefined;
      const n = 1024;
      const x = gaussian(n * n, 2);
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          const v = x[i * n + j]! + x[j * n + i]!;
          a[i * n + j] = v;
          a[j * n + i] = v;
        }
      }
      return () => eig(a, n);
    },
  },
  {
    op: 'rsvd-256',
    shape: '4096x4096',
    flops: 0,
    setup(lib) {
      const rsvd = pick(lib, ['randomizedSvd', 'rsvd', 'randomizedSVD']);
      if (rsvd === undefined) return undefined;
      const m = 4096;
      const a = gaussian(m * m, 3);
      return () => rsvd(a, m, m, 256, { seed: 1 });
    },
  },
];
