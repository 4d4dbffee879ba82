import { CalderaError } from './error';

/**
 * Where a package's worker-thread entry is and how to start it (Node only; no static `node:`
 * imports, so browser bundles of the packages that use it stay clean).
 */

/**
 * The worker file and the `execArgv` of its threads.
 *
 * @example
 * ```ts
 * const e: WorkerEntry = { filename: '/p/dist/layer-worker.js' };
 * ```
 */
export interface WorkerEntry {
  /** Absolute path of the worker's module. */
  filename: string;
  /** Node options of the thread (only from TypeScript sources; built, threads inherit). */
  execArgv?: string[];
  /**
   * From the TypeScript sources: the path of tsx's ESM API (`tsImport`), for threads that load
   * their entry from a bootstrap before tsx's `--import` hooks are ready (Node 20 does not wait
   * for them in worker threads).
   */
  tsxApi?: string;
}

interface NodeBuiltins {
  createRequire(url: string): { resolve(id: string): string };
  fileURLToPath(url: URL | string): string;
  pathToFileURL(path: string): URL;
}

function nodeBuiltins(): NodeBuiltins | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return null;
  const mod = proc.getBuiltinModule('node:module') as {
    createRequire: NodeBuiltins['createRequire'];
  };
  const url = proc.getBuiltinModule('node:url') as Omit<NodeBuiltins, 'createRequire'>;
  return { createRequire: mod.createRequire, ...url };
}

/**
 * Locates a worker entry next to the calling module. From the built package (`here` is
 * `…/dist/index.{js,cjs}`) it is `dist/<name>.{js,cjs}`, started with the process's own options;
 * from the TypeScript sources (`here` ends in `.ts`: tests, `pnpm caldera`) it is
 * `<sourceDir>/<name>.ts` loaded through tsx with the `@caldera/source` condition.
 *
 * @param here - `import.meta.url` of the calling module
 * @param name - the worker's base name (`layer-worker`)
 * @param sourcePath - the worker's path relative to `here` in the sources (`./layer-worker.ts`)
 * @returns the worker file and its `execArgv`
 * @throws CalderaError `BACKEND_UNAVAILABLE` outside Node, or from the sources without tsx
 * @example
 * ```ts
 * workerEntry('file:///p/dist/index.js', 'layer-worker', './model/layer-worker.ts');
 * // { filename: '/p/dist/layer-worker.js' }
 * ```
 */
export function workerEntry(here: string, name: string, sourcePath: string): WorkerEntry {
  const node = nodeBuiltins();
  if (node === null) {
    throw new CalderaError('BACKEND_UNAVAILABLE', `${name}: worker threads need Node`);
  }
  if (here.endsWith('.ts')) {
    let tsx: string;
    let tsxApi: string;
    try {
      const req = node.createRequire(here);
      tsx = req.resolve('tsx');
      // the ESM build of the API (its CommonJS build does not find its own chunks from a worker)
      tsxApi = req.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
    } catch (cause) {
      throw new CalderaError(
        'BACKEND_UNAVAILABLE',
        `${name} threads from the TypeScript sources need tsx; build the package or use threads: 1`,
        { cause },
      );
    }
    return {
      filename: node.fileURLToPath(new URL(sourcePath, here)),
      execArgv: ['--conditions=@caldera/source', '--import', node.pathToFileURL(tsx).href],
      tsxApi,
    };
  }
  const ext = here.endsWith('.cjs') ? 'cjs' : 'js';
  return { filename: node.fileURLToPath(new URL(`./${name}.${ext}`, here)) };
}
