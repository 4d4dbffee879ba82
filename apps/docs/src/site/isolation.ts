/**
 * Cross-origin isolation headers (COOP/COEP) on every response of the dev and preview servers,
 * so that pages get SharedArrayBuffer (threads, the shared cancel flag). Vite's `server.headers`
 * does not reach the HTML VitePress serves, hence a middleware.
 */

/**
 * The headers.
 *
 * @example
 * ```ts
 * res.setHeader('Cross-Origin-Opener-Policy', ISOLATION_HEADERS['Cross-Origin-Opener-Policy']!);
 * ```
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

type Middleware = (
  req: unknown,
  res: { setHeader(name: string, value: string): void },
  next: () => void,
) => void;
interface Server {
  middlewares: { use(fn: Middleware): void };
}

/**
 * The Vite plugin shape used here.
 *
 * @example
 * ```ts
 * const p: IsolationPlugin = isolationHeaders();
 * ```
 */
export interface IsolationPlugin {
  name: string;
  configureServer(server: Server): void;
  configurePreviewServer(server: Server): void;
}

/**
 * The plugin.
 *
 * @returns a Vite plugin
 * @example
 * ```ts
 * plugins: [isolationHeaders()]
 * ```
 */
export function isolationHeaders(): IsolationPlugin {
  const mw: Middleware = (_req, res, next) => {
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    next();
  };
  return {
    name: 'caldera-isolation-headers',
    configureServer(server) {
      server.middlewares.use(mw);
    },
    configurePreviewServer(server) {
      server.middlewares.use(mw);
    },
  };
}
