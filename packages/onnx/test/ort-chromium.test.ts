// Headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) loads
// onnxruntime-web's WASM build from node_modules through a tiny local HTTP server, fetches an
// exported stories260K model (float and uniform 4-bit MatMulNBits) with its external data, and
// computes the prompt's logits: they match onnxruntime-node's and the runtime's, and its
// greedy tokens are identical.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ortNode from 'onnxruntime-node';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, OrtDecoder, type OrtModuleLike } from '../src/index';
import {
  loadFloat,
  PROMPT,
  relMaxDiff,
  runtimeGreedy,
  runtimeLogits,
  STORIES,
  toUniform,
} from './helpers';

const ORT_DIST = fileURLToPath(new URL('../node_modules/onnxruntime-web/dist/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const prompt = PROMPT[STORIES]!;
const TYPES: Record<string, string> = {
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
};

/** The test page: loads onnxruntime-web from /ort/ and exposes runModel (prompt logits + greedy tokens). */
const PAGE = `<!doctype html><title>ort</title><script type="module">
import * as ort from '/ort/ort.wasm.min.mjs';
ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = 1;
window.runModel = async ({ name, shape, prompt, steps }) => {
  const [model, data] = await Promise.all(['model.onnx', 'model.onnx_data'].map(async (f) =>
    new Uint8Array(await (await fetch('/models/' + name + '/onnx/' + f)).arrayBuffer())));
  const session = await ort.InferenceSession.create(model, { externalData: [{ path: 'model.onnx_data', data }] });
  const past = {};
  for (let l = 0; l < shape.numLayers; l++) for (const k of ['key', 'value'])
    past['past_key_values.' + l + '.' + k] = new ort.Tensor('float32', new Float32Array(0), [1, shape.numKvHeads, 0, shape.headDim]);
  const i64 = (a) => BigInt64Array.from(a.map((v) => BigInt(v)));
  let pos = 0;
  const run = async (ids) => {
    const total = pos + ids.length;
    const out = await session.run({ ...past,
      input_ids: new ort.Tensor('int64', i64(ids), [1, ids.length]),
      attention_mask: new ort.Tensor('int64', i64(new Array(total).fill(1)), [1, total]),
      position_ids: new ort.Tensor('int64', i64(ids.map((_, i) => pos + i)), [1, ids.length]) });
    for (let l = 0; l < shape.numLayers; l++) for (const k of ['key', 'value'])
      past['past_key_values.' + l + '.' + k] = out['present.' + l + '.' + k];
    pos = total;
    return out.logits.data;
  };
  const first = await run(prompt);
  const tokens = [];
  let logits = first, rows = prompt.length;
  for (let s = 0; s < steps; s++) {
    const v = logits.length / rows;
    let best = 0;
    for (let j = 1; j < v; j++) if (logits[(rows - 1) * v + j] > logits[(rows - 1) * v + best]) best = j;
    tokens.push(best);
    if (s < steps - 1) logits = await run([best]);
    rows = 1;
  }
  return { logits: Array.from(first), tokens };
};
</script>`;

let dir: string;
let server: Server;
let base: string;
let browser: Browser;
/** One page for every model: onnxruntime-web's WASM is compiled once. */
let page: Page | undefined;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is needed for this test`).toBe(true);
  dir = await mkdtemp(join(tmpdir(), 'caldera-onnx-chromium-'));
  // /ort/* from onnxruntime-web's dist, /models/* from the export folder, / a blank page.
  server = createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const [root, rest] = url.startsWith('/ort/')
      ? [ORT_DIST, url.slice(5)]
      : url.startsWith('/models/')
        ? [dir, url.slice(8)]
        : [undefined, ''];
    const path = root === undefined ? '' : normalize(join(root, rest));
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    if (url === '/') {
      res.setHeader('Content-Type', 'text/html');
      res.end(PAGE);
    } else if (root !== undefined && path.startsWith(root) && existsSync(path)) {
      res.setHeader('Content-Type', TYPES[extname(path)] ?? 'application/octet-stream');
      res.end(readFileSync(path));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox'],
    headless: true,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await rm(dir, { recursive: true, force: true });
});

/** Runs the prompt then `steps` greedy steps in the page; returns the prompt logits and the tokens. */
async function inPage(
  name: string,
  shape: { numLayers: number; numKvHeads: number; headDim: number },
  steps: number,
) {
  if (page === undefined) {
    page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.waitForFunction('window.runModel !== undefined');
  }
  const args = JSON.stringify({ name, shape, prompt, steps });
  const r = (await page.evaluate(`window.runModel(${args})`)) as {
    logits: number[];
    tokens: number[];
  };
  return { logits: Float32Array.from(r.logits), tokens: r.tokens };
}

describe('onnxruntime-web in headless Chromium', () => {
  for (const kind of ['float', 'uniform'] as const) {
    it(`${kind}: page logits match onnxruntime-node and the runtime; greedy tokens identical`, async () => {
      const model =
        kind === 'uniform'
          ? toUniform(await loadFloat(STORIES), 'asymmetric')
          : await loadFloat(STORIES);
      await exportOnnx(model, join(dir, kind), {
        variants: [
          { suffix: '', weightDtype: 'float32', caldera: 'decode', uniform: 'matmulnbits' },
        ],
      });
      const page = await inPage(kind, model.config, 24);
      const node = await OrtDecoder.create(
        ortNode as unknown as OrtModuleLike,
        join(dir, kind, 'onnx/model.onnx'),
        model.config,
      );
      const nodeLogits = await node.forward(prompt);
      expect(relMaxDiff(page.logits, nodeLogits)).toBeLessThan(2e-5);
      expect(relMaxDiff(page.logits, runtimeLogits(model, prompt))).toBeLessThan(2e-5);
      expect(page.tokens).toEqual(runtimeGreedy(model, prompt, 24));
    });
  }
});
