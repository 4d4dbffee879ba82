/**
 * Serves the embedded model's files (the repo's `models/pycode-6m`) to the playground: a dev and
 * preview middleware, and emitted assets in a production build. Nothing is copied into the
 * docs source tree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Files of the embedded model the playground fetches.
 *
 * @example
 * ```ts
 * MODEL_FILES.includes('config.json'); // true
 * ```
 */
export const MODEL_FILES = [
  'model.safetensors',
  'config.json',
  'tokenizer.model',
  'heldout_sample.txt',
] as const;

/**
 * URL path (under the site base) of the embedded model folder.
 *
 * @example
 * ```ts
 * fetch(`${base}${MODEL_ROUTE}config.json`);
 * ```
 */
export const MODEL_ROUTE = 'models/pycode-6m/';

interface Res {
  setHeader(name: string, value: string): void;
  end(body: Uint8Array): void;
}
type Middleware = (req: { url?: string }, res: Res, next: () => void) => void;
interface Server {
  middlewares: { use(fn: Middleware): void };
}
interface EmitContext {
  emitFile(file: { type: 'asset'; fileName: string; source: Uint8Array }): string;
}

/**
 * The Vite plugin shape used here.
 *
 * @example
 * ```ts
 * const p: ModelAssetsPlugin = modelAssets('models/pycode-6m');
 * ```
 */
export interface ModelAssetsPlugin {
  name: string;
  configureServer(server: Server): void;
  configurePreviewServer(server: Server): void;
  generateBundle(this: EmitContext, options: unknown, bundle: unknown, isWrite?: boolean): void;
}

/**
 * The plugin.
 *
 * @param modelDir - the model folder on disk
 * @param base - the site base (e.g. `/`)
 * @returns a Vite plugin
 * @example
 * ```ts
 * plugins: [modelAssets('/repo/models/pycode-6m', '/')]
 * ```
 */
export function modelAssets(modelDir: string, base = '/'): ModelAssetsPlugin {
  const prefix = `${base}${MODEL_ROUTE}`;
  const serve: Middleware = (req, res, next) => {
    const path = (req.url ?? '').split('?')[0]!;
    const file = path.startsWith(prefix) ? path.slice(prefix.length) : '';
    if (!(MODEL_FILES as readonly string[]).includes(file)) {
      next();
      return;
    }
    const type = file.endsWith('.json')
      ? 'application/json'
      : file.endsWith('.txt')
        ? 'text/plain; charset=utf-8'
        : 'application/octet-stream';
    res.setHeader('Content-Type', type);
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.end(readFileSync(join(modelDir, file)));
  };
  return {
    name: 'caldera-model-assets',
    configureServer(server) {
      server.middlewares.use(serve);
    },
    configurePreviewServer(server) {
      server.middlewares.use(serve);
    },
    generateBundle() {
      for (const f of MODEL_FILES) {
        this.emitFile({
          type: 'asset',
          fileName: `${MODEL_ROUTE}${f}`,
          source: readFileSync(join(modelDir, f)),
        });
      }
    },
  };
}
