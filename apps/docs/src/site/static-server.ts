/**
 * A small static server for the built site with the cross-origin isolation headers (VitePress's
 * own `preview` cannot add headers): clean URLs (`/guide/x` → `guide/x.html`), `index.html` for
 * folders, `404.html` for the rest.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { ISOLATION_HEADERS } from './isolation';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * Maps a URL path to a file of the site, or null.
 *
 * @param root - the built site
 * @param urlPath - the request path (no query), e.g. `/guide/browser`
 * @param base - the site base, e.g. `/`
 * @returns the file path or null
 * @example
 * ```ts
 * resolveSitePath('dist', '/guide/browser', '/'); // 'dist/guide/browser.html'
 * ```
 */
export function resolveSitePath(root: string, urlPath: string, base = '/'): string | null {
  if (!urlPath.startsWith(base)) return null;
  const rel = normalize(decodeURIComponent(urlPath.slice(base.length))).replace(
    /^(\.\.[/\\])+/,
    '',
  );
  const candidates = [rel, `${rel}.html`, join(rel, 'index.html')];
  for (const c of candidates) {
    const p = join(root, c);
    if (p.startsWith(root) && existsSync(p) && statSync(p).isFile()) return p;
  }
  return null;
}

/**
 * Serves a built site.
 *
 * @param root - the built site (VitePress `outDir`)
 * @param port - port (0: any free one)
 * @param base - the site base
 * @returns the listening server
 * @example
 * ```ts
 * const server = await serveSite('pages/.vitepress/dist', 4173);
 * ```
 */
export function serveSite(root: string, port: number, base = '/'): Promise<Server> {
  const server = createServer((req, res) => {
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    const file = resolveSitePath(root, (req.url ?? '/').split('?')[0]!, base);
    const notFound = join(root, '404.html');
    if (!file) {
      res.statusCode = 404;
      res.setHeader('Content-Type', TYPES['.html']!);
      res.end(existsSync(notFound) ? readFileSync(notFound) : 'not found');
      return;
    }
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
