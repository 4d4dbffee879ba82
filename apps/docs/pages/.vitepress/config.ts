import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';
import { ISOLATION_HEADERS, isolationHeaders } from '../../src/site/isolation';
import { modelAssets } from '../../src/site/model-assets';
import { nodeStubs } from '../../src/site/node-stubs';
import { markdownLinks } from '../../src/site/sidebar';

const pagesDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const base = process.env.CALDERA_DOCS_BASE ?? '/';

/** Cross-origin isolation: SharedArrayBuffer, hence threads and the shared cancel flag. */
const isolation = { ...ISOLATION_HEADERS };

const apiLinks = markdownLinks(`${pagesDir}reference/api`, '/reference/api/');

export default defineConfig({
  title: 'caldera-ts',
  description: 'Compress language models in TypeScript: CALDERA (Q + L·R) and LoRD.',
  base,
  cleanUrls: true,
  lastUpdated: false,
  ignoreDeadLinks: [/^https?:\/\/localhost/],
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Concepts', link: '/concepts/' },
      { text: 'Reference', link: '/reference/cli' },
      { text: 'Playground', link: '/playground/matrix-lab' },
      { text: 'Benchmarks', link: '/benchmarks' },
    ],
    sidebar: [
      {
        text: 'Guide',
        items: [
          { text: 'Getting started (Node)', link: '/guide/getting-started' },
          { text: 'In the browser', link: '/guide/browser' },
          { text: 'Recipes', link: '/guide/recipes' },
        ],
      },
      {
        text: 'Concepts',
        items: [
          { text: 'Overview: W ≈ Q + L·R', link: '/concepts/' },
          { text: 'The E8P lattice', link: '/concepts/e8p' },
          { text: 'LDLQ rounding', link: '/concepts/ldlq' },
          { text: 'The Hadamard transform', link: '/concepts/hadamard' },
          { text: 'LoRD low-rank', link: '/concepts/lord' },
          { text: 'Bits per parameter', link: '/concepts/bits' },
        ],
      },
      {
        text: 'Reference',
        items: [
          { text: 'CLI', link: '/reference/cli' },
          { text: 'Compressed format', link: '/reference/format' },
          { text: 'API', link: '/reference/api/', collapsed: true, items: apiLinks },
        ],
      },
      {
        text: 'Playground',
        items: [
          { text: 'Matrix lab', link: '/playground/matrix-lab' },
          { text: 'Model lab', link: '/playground/model-lab' },
        ],
      },
      {
        text: 'Measurements',
        items: [
          { text: 'Benchmarks', link: '/benchmarks' },
          ...markdownLinks(`${pagesDir}measurements`, '/measurements/'),
        ],
      },
    ],
    search: { provider: 'local' },
    socialLinks: [],
  },
  vite: {
    plugins: [isolationHeaders(), nodeStubs(), modelAssets(`${repoRoot}models/pycode-6m`, base)],
    worker: { format: 'es', plugins: () => [nodeStubs()] },
    resolve: { conditions: ['@caldera/source'] },
    server: { headers: isolation, fs: { allow: [repoRoot] } },
    preview: { headers: isolation },
    // The libraries' own dependencies, pre-bundled up front: no discovery while the playground
    // loads, hence no reload in the middle of a run.
    optimizeDeps: {
      include: [
        '@caldera/io > protobufjs',
        '@caldera/io > zod',
        '@caldera/io > @huggingface/tokenizers',
        '@caldera/core > pure-rand/generator/xoroshiro128plus',
        '@caldera/onnx > onnx-proto',
      ],
      // Served as is: its worker threads and .wasm lookups rely on the file's own URL.
      exclude: ['onnxruntime-web', 'onnxruntime-web/wasm'],
    },
    build: { chunkSizeWarningLimit: 4000 },
  },
});
