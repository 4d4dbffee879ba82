/**
 * The playground's shared lab worker (browser only): created on first use with the embedded
 * model's URLs and as many threads as cross-origin isolation allows (`?threads=N` overrides).
 */
import { LabClient } from './lab-client';

let lab: LabClient | undefined;

/**
 * Threads to ask for: 1 without cross-origin isolation (no SharedArrayBuffer), else the
 * `threads` query parameter or min(4, hardwareConcurrency).
 *
 * @param search - `location.search`
 * @param isolated - `crossOriginIsolated`
 * @param cores - `navigator.hardwareConcurrency`
 * @returns the thread count
 * @example
 * ```ts
 * labThreads('?threads=2', true, 8); // 2
 * ```
 */
export function labThreads(search: string, isolated: boolean, cores: number): number {
  if (!isolated) return 1;
  const q = Number(new URLSearchParams(search).get('threads'));
  if (Number.isInteger(q) && q >= 1) return Math.min(q, 16);
  return Math.max(1, Math.min(4, cores || 1));
}

/**
 * The lab (one worker per page load).
 *
 * @param base - the site base (VitePress `site.base`)
 * @returns the client
 * @example
 * ```ts
 * const lab = getLab(useData().site.value.base);
 * ```
 */
export function getLab(base: string): LabClient {
  if (lab) return lab;
  const at = (f: string) => new URL(`${base}models/pycode-6m/${f}`, location.href).href;
  const worker = new Worker(new URL('./lab-worker.ts', import.meta.url), { type: 'module' });
  lab = new LabClient(
    worker,
    {
      safetensors: at('model.safetensors'),
      config: at('config.json'),
      tokenizer: at('tokenizer.model'),
      text: at('heldout_sample.txt'),
    },
    labThreads(
      location.search,
      globalThis.crossOriginIsolated === true,
      navigator.hardwareConcurrency,
    ),
  );
  return lab;
}
