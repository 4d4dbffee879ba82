/**
 * The backend registry: backends register under a name with a priority; the highest-priority
 * available backend is used unless one is chosen with {@link setBackend} or the environment
 * variable `CALDERA_BACKEND` (`js` | `wasm`, read once on first use; ignored where `process` is
 * absent, e.g. in browsers).
 */
import { CalderaError, describeValue } from '@caldera/core';
import { jsBackend } from './js-backend';
import type { LinalgBackend } from './types';
import { wasmBackend } from './wasm-backend';

interface Entry {
  backend: LinalgBackend;
  priority: number;
}

const entries = new Map<string, Entry>();
let chosen: LinalgBackend | undefined;
let automatic: LinalgBackend | undefined;
let initialized = false;

function readEnvOverride(): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = proc?.env?.CALDERA_BACKEND;
  return value === undefined || value === '' ? undefined : value;
}

function ensureInit(): void {
  if (initialized) return;
  initialized = true;
  if (!entries.has('js')) entries.set('js', { backend: jsBackend, priority: 1 });
  if (!entries.has('wasm')) entries.set('wasm', { backend: wasmBackend, priority: 2 });
  const override = readEnvOverride();
  if (override !== undefined) setBackend(override);
}

/**
 * Registers (or replaces) a backend.
 *
 * @param name - the registry name
 * @param backend - the implementation
 * @param priority - higher wins when no backend is chosen explicitly (`js` = 1, `wasm` = 2)
 * @example
 * ```ts
 * registerBackend('js-copy', jsBackend, 0);
 * ```
 */
export function registerBackend(name: string, backend: LinalgBackend, priority: number): void {
  ensureInit();
  entries.set(name, { backend, priority });
  automatic = undefined;
  if (chosen !== undefined && chosen.name === name) chosen = backend;
}

/**
 * Chooses the backend by name, or returns to automatic choice with `undefined`.
 *
 * @param name - a registered backend name, or `undefined` for automatic
 * @throws CalderaError `BACKEND_UNAVAILABLE` when the name is unknown or cannot run here
 * @example
 * ```ts
 * setBackend('js');
 * getBackend().name; // 'js'
 * setBackend(undefined); // automatic again
 * ```
 */
export function setBackend(name: string | undefined): void {
  ensureInit();
  if (name === undefined) {
    chosen = undefined;
    return;
  }
  const entry = entries.get(name);
  if (entry === undefined) {
    throw new CalderaError(
      'BACKEND_UNAVAILABLE',
      `setBackend: no backend named ${describeValue(name)}; registered: ${[...entries.keys()].join(', ')}`,
      { details: { name } },
    );
  }
  if (!entry.backend.isAvailable()) {
    throw new CalderaError(
      'BACKEND_UNAVAILABLE',
      `setBackend: backend ${describeValue(name)} cannot run in this environment`,
      { details: { name } },
    );
  }
  chosen = entry.backend;
}

/**
 * The active backend: the chosen one, else the available backend with the highest priority.
 *
 * @returns the backend kernels dispatch to
 * @example
 * ```ts
 * getBackend().name; // 'wasm' where WebAssembly SIMD is available, else 'js'
 * ```
 */
export function getBackend(): LinalgBackend {
  ensureInit();
  if (chosen !== undefined) return chosen;
  if (automatic !== undefined) return automatic;
  let best: Entry | undefined;
  for (const entry of entries.values()) {
    if ((best === undefined || entry.priority > best.priority) && entry.backend.isAvailable()) {
      best = entry;
    }
  }
  automatic = best?.backend ?? jsBackend;
  return automatic;
}

/**
 * Names of the registered backends that can run here, highest priority first.
 *
 * @returns available backend names
 * @example
 * ```ts
 * listBackends(); // ['wasm', 'js']
 * ```
 */
export function listBackends(): string[] {
  ensureInit();
  return [...entries.entries()]
    .filter(([, e]) => e.backend.isAvailable())
    .sort((x, y) => y[1].priority - x[1].priority)
    .map(([name]) => name);
}

/**
 * Looks a backend up by name without making it active (for parity tests and benchmarks).
 *
 * @param name - a registered name
 * @returns the backend
 * @throws CalderaError `BACKEND_UNAVAILABLE` when unknown
 * @example
 * ```ts
 * getBackendByName('js').name; // 'js'
 * ```
 */
export function getBackendByName(name: string): LinalgBackend {
  ensureInit();
  const entry = entries.get(name);
  if (entry === undefined) {
    throw new CalderaError('BACKEND_UNAVAILABLE', `no backend named ${describeValue(name)}`, {
      details: { name },
    });
  }
  return entry.backend;
}
