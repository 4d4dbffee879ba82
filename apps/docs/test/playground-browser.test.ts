// The playground in a real browser: Debian's chromium (playwright-core) opens the Matrix lab on
// the VitePress dev server, runs CALDERA on a layer of the embedded model with a fixed seed, and
// the numbers must match the same call in Node. Screenshots go to apps/docs/test-artifacts/.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { type LabProblem, prepareModelProblem, runMatrixLab } from '../src/lab/matrix-lab';

const docs = fileURLToPath(new URL('..', import.meta.url));
const modelDir = fileURLToPath(new URL('../../../models/pycode-6m/', import.meta.url));
const artifacts = `${docs}test-artifacts`;
const CHROMIUM = process.env.CALDERA_CHROMIUM ?? '/usr/bin/chromium';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const request = {
  layer: 0,
  name: 'k_proj' as const,
  method: 'caldera' as const,
  rank: 16,
  qFamily: 'e8p' as const,
  qBits: 2,
  lrBits: 4,
  iterations: 3,
  seed: 7,
  windows: 4,
  seqLen: 64,
};

let problem: Promise<LabProblem> | undefined;
/** The same problem in Node (model, calibration windows and seed as the page). */
function nodeProblem(): Promise<LabProblem> {
  const files = {
    safetensors: readFileSync(`${modelDir}model.safetensors`),
    config: JSON.parse(readFileSync(`${modelDir}config.json`, 'utf8')) as unknown,
    tokenizer: readFileSync(`${modelDir}tokenizer.model`),
    text: readFileSync(`${modelDir}heldout_sample.txt`, 'utf8'),
  };
  problem ??= prepareModelProblem(files, request);
  return problem;
}

describe('playground in chromium', () => {
  let server: { close(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let url = '';

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `chromium not found at ${CHROMIUM}: the playground test needs a real browser. ` +
          'Install it with `apt-get install -y chromium` (or set CALDERA_CHROMIUM to its path).',
      );
    }
    mkdirSync(artifacts, { recursive: true });
    const port = await freePort();
    const { createServer } = await import('vitepress');
    const dev = await createServer(`${docs}pages`, {
      port,
      strictPort: true,
      host: '127.0.0.1',
      // No HMR and no watcher: edits elsewhere in the repo must not reload the page mid-run.
      hmr: false,
      watch: null,
    });
    await dev.listen();
    server = dev;
    url = `http://127.0.0.1:${port}/playground/matrix-lab`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    // One context for both pages: the second reuses the first's HTTP cache.
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs CALDERA on a layer and matches Node, and cancels', { timeout: 120_000 }, async () => {
    const page = await context!.newPage();
    onTestFailed(async () => {
      await page.screenshot({ path: `${artifacts}/matrix-lab-failure.png`, fullPage: true });
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const t0 = performance.now();
    const mark = (what: string) =>
      console.log(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await page.goto(url);
    mark('page loaded');
    const info = page.getByTestId('lab-info');
    await expect.poll(() => info.textContent(), { timeout: 60_000 }).toContain('worker ready');
    // The dev server sends COOP/COEP: SharedArrayBuffer, hence threads.
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    mark('worker ready');
    const layer = 'model.layers.0.self_attn.k_proj.weight';
    await page
      .locator(`[data-testid=layer] option[value="${layer}"]`)
      .waitFor({ state: 'attached' });
    await page.getByTestId('layer').selectOption(layer);
    await page.getByTestId('method-ldlq').uncheck();
    await page.getByTestId('method-rtn').uncheck();
    await page.getByTestId('method-caldera').check();
    for (const [id, v] of [
      ['rank', request.rank],
      ['iterations', request.iterations],
      ['seed', request.seed],
      ['windows', request.windows],
      ['seq-len', request.seqLen],
    ] as const) {
      await page.getByTestId(id).fill(String(v));
    }
    await page.getByTestId('run').click();
    const card = page.getByTestId('result-caldera');
    await card.waitFor({ timeout: 60_000 });
    mark('browser result');
    const browserError = Number(await card.getAttribute('data-error'));
    const browserBpp = Number(await card.getAttribute('data-bpp'));
    await page.screenshot({ path: `${artifacts}/matrix-lab-result.png`, fullPage: true });

    const node = runMatrixLab(await nodeProblem(), request);
    mark('node result');
    expect(node.relativeError).toBeGreaterThan(0);
    expect(node.relativeError).toBeLessThan(0.5);
    expect(Math.abs(browserError - node.relativeError) / node.relativeError).toBeLessThan(1e-6);
    expect(browserBpp).toBe(node.bitsPerParameter);

    // Cancel a long run through the AbortSignal: the solver stops at its next step.
    await page.getByTestId('iterations').fill('200');
    await page.getByTestId('run').click();
    const status = page.getByTestId('status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/caldera \d+\/200/);
    await page.getByTestId('cancel').click();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('cancelled');
    await page.screenshot({ path: `${artifacts}/matrix-lab-cancelled.png` });
    mark('cancelled');
    expect(errors).toEqual([]);
  });

  it('runs on one thread without cross-origin isolation', { timeout: 90_000 }, async () => {
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Serve the page itself without COOP/COEP: no SharedArrayBuffer, hence no threads.
    await page.route(url, async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['cross-origin-opener-policy'];
      delete headers['cross-origin-embedder-policy'];
      await route.fulfill({ response, headers });
    });
    await page.goto(url);
    const info = page.getByTestId('lab-info');
    await expect.poll(() => info.textContent(), { timeout: 40_000 }).toContain('worker ready');
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
    expect(await info.textContent()).toMatch(/1 thread .*not cross-origin isolated/s);
    const layer = 'model.layers.0.self_attn.k_proj.weight';
    await page
      .locator(`[data-testid=layer] option[value="${layer}"]`)
      .waitFor({ state: 'attached' });
    await page.getByTestId('method-caldera').uncheck();
    await page.getByTestId('method-rtn').uncheck();
    await page.getByTestId('method-ldlq').check();
    for (const [id, v] of [
      ['seed', request.seed],
      ['windows', request.windows],
      ['seq-len', request.seqLen],
    ] as const) {
      await page.getByTestId(id).fill(String(v));
    }
    await page.getByTestId('run').click();
    const card = page.getByTestId('result-ldlq');
    await card.waitFor({ timeout: 40_000 });
    await page.screenshot({ path: `${artifacts}/matrix-lab-one-thread.png`, fullPage: true });
    const node = runMatrixLab(await nodeProblem(), { ...request, method: 'ldlq' });
    const browserError = Number(await card.getAttribute('data-error'));
    expect(Math.abs(browserError - node.relativeError) / node.relativeError).toBeLessThan(1e-6);
    expect(Number(await card.getAttribute('data-bpp'))).toBe(node.bitsPerParameter);
    expect(errors).toEqual([]);
  });
  it(
    'Model lab: onnxruntime-web generates the same tokens as the runtime',
    {
      timeout: 120_000,
    },
    async () => {
      const page = await context!.newPage();
      onTestFailed(async () => {
        await page.screenshot({ path: `${artifacts}/model-lab-failure.png`, fullPage: true });
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url.replace('matrix-lab', 'model-lab'));
      await expect
        .poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 })
        .toBe('ready');
      await page.getByTestId('method').selectOption('rtn');
      await page.getByTestId('windows').fill('2');
      await page.getByTestId('max-tokens').fill('16');
      await page.getByTestId('run').click();
      const card = page.getByTestId('ort-original');
      await card.waitFor({ timeout: 100_000 });
      await page.screenshot({ path: `${artifacts}/model-lab-ort.png`, fullPage: true });
      const tokens = await card.getAttribute('data-tokens');
      console.log(
        `model lab: ${(await page.getByTestId('model-lab').textContent())?.replace(/\s+/g, ' ')}`,
      );
      expect(tokens!.split(',').length).toBeGreaterThan(0);
      expect(tokens).toBe(await card.getAttribute('data-runtime-tokens'));
      expect(await card.getAttribute('data-same')).toBe('true');
      expect(await page.getByTestId('ort-compressed').getAttribute('data-tokens')).not.toBe('');
      expect(errors).toEqual([]);
    },
  );
});
