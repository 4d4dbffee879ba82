/**
 * A Vite plugin that replaces `node:*` imports in browser bundles with stubs that throw when
 * called. The libraries' browser-safe paths (byte-level safetensors, tokenizers from bytes, the
 * solver, the runtime) never call them; the Node-only paths (files, Hub, sandbox) fail loudly.
 */
import { builtinModules } from 'node:module';

/**
 * The part of Vite's plugin interface this plugin uses (vite is vitepress's dependency).
 *
 * @example
 * ```ts
 * const p: StubPlugin = nodeStubs();
 * ```
 */
export interface StubPlugin {
  name: string;
  enforce: 'pre';
  resolveId(id: string, importer: string | undefined, options?: { ssr?: boolean }): string | null;
  load(id: string): Promise<string | null>;
}

const PREFIX = '\0caldera-node-stub:';

/**
 * Node-only npm packages the libraries import on Node-only paths, with their export names.
 *
 * @example
 * ```ts
 * NODE_ONLY_PACKAGES.piscina; // ['Piscina', …]
 * ```
 */
export const NODE_ONLY_PACKAGES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  piscina: ['Piscina', 'isWorkerThread', 'workerData', 'move', 'transferableSymbol'],
});
const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * Builds the stub module's source for one builtin (every export name of the real module).
 *
 * @param name - builtin name without `node:`
 * @param exportNames - its export names
 * @returns ES module source
 * @example
 * ```ts
 * stubSource('fs', ['readFile']); // 'const fail = …; export const readFile = …'
 * ```
 */
export function stubSource(name: string, exportNames: readonly string[]): string {
  const lines = [
    `const fail = (what) => function () { throw new Error('${name}' + (what ? '.' + what : '') + ' is not available in the browser'); };`,
    `const stub = new Proxy(fail(''), { get: (t, k) => (typeof k === 'string' ? fail(k) : t[k]) });`,
    'export default stub;',
  ];
  for (const k of exportNames) {
    if (k !== 'default' && IDENT.test(k))
      lines.push(`export const ${k} = fail(${JSON.stringify(k)});`);
  }
  return lines.join('\n');
}

/**
 * The plugin (client bundles only; SSR keeps the real modules).
 *
 * @returns a Vite plugin
 * @example
 * ```ts
 * export default defineConfig({ vite: { plugins: [nodeStubs()], worker: { plugins: () => [nodeStubs()] } } });
 * ```
 */
export function nodeStubs(): StubPlugin {
  return {
    name: 'caldera-node-stubs',
    enforce: 'pre',
    resolveId(id, _importer, options) {
      if (options?.ssr) return null;
      if (Object.hasOwn(NODE_ONLY_PACKAGES, id)) return PREFIX + id;
      if (!id.startsWith('node:')) return null;
      const bare = id.slice(5);
      return builtinModules.includes(bare) ? PREFIX + bare : null;
    },
    async load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const name = id.slice(PREFIX.length);
      const known = NODE_ONLY_PACKAGES[name];
      if (known) return stubSource(name, known);
      const real = (await import(`node:${name}`)) as Record<string, unknown>;
      return stubSource(name, Object.keys(real));
    },
  };
}
