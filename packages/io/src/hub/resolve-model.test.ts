import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProgressEvent, Rng } from '@caldera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern, resolveHubSettings } from './hub-options';
import { resolveModel, SNAPSHOT_MARKER } from './resolve-model';

const SHA = 'a'.repeat(40);

interface Seen {
  path: string;
  range: string | undefined;
  auth: string | undefined;
}

/** A small imitation of the Hub: model-info API, resolve URLs, LFS redirects to a CDN path, Range. */
class FakeHub {
  readonly seen: Seen[] = [];
  readonly files = new Map<string, Buffer>();
  /** Files whose next CDN transfer is cut after half of the bytes. */
  readonly cutNext = new Set<string>();
  /** Files whose next CDN transfer stalls after half of the bytes (for abort tests). */
  readonly stallNext = new Set<string>();
  /** When set, X-Linked-Size lies by this many bytes. */
  linkedSizeSkew = 0;
  ignoreRange = false;
  /** When set, LFS redirects point to this other origin (a CDN). */
  cdnUrl = '';
  failApi = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    this.seen.push({ path, range: req.headers.range, auth: req.headers.authorization });
    const api = /^\/api\/models\/(.+)\/revision\/([^/]+)$/.exec(path);
    if (api) {
      if (this.failApi) {
        res.writeHead(this.failApi).end('server error');
        return;
      }
      if (api[1] !== 'org/tiny' || api[2] !== 'main') {
        res
          .writeHead(404, { 'Content-Type': 'application/json' })
          .end('{"error":"Repository not found"}');
        return;
      }
      const siblings = [...this.files.keys(), 'onnx/model.safetensors'].map((rfilename) => ({
        rfilename,
      }));
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ id: 'org/tiny', sha: SHA, siblings }));
      return;
    }
    const resolve = /^\/org\/tiny\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (resolve) {
      const body = this.files.get(resolve[2] as string);
      if (!body) {
        res.writeHead(404).end('Entry not found');
        return;
      }
      const headers = {
        'X-Repo-Commit': SHA,
        ETag: `"${createHash('sha1').update(body).digest('hex')}"`,
      };
      if (resolve[2]?.endsWith('.safetensors')) {
        res.writeHead(302, {
          ...headers,
          Location: `${this.cdnUrl}/cdn/${resolve[2]}?expires=1`,
          'X-Linked-Size': String(body.length + this.linkedSizeSkew),
          'X-Linked-Etag': `"${createHash('sha256').update(body).digest('hex')}"`,
        });
        res.end();
        return;
      }
      this.serve(req, res, resolve[2] as string, body, headers);
      return;
    }
    const cdn = /^\/cdn\/(.+)$/.exec(path);
    const body = cdn ? this.files.get(cdn[1] as string) : undefined;
    if (cdn && body) this.serve(req, res, cdn[1] as string, body, {});
    else res.writeHead(404).end();
  }

  private serve(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    body: Buffer,
    headers: Record<string, string>,
  ): void {
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (m && !this.ignoreRange) {
      start = Number(m[1]);
      res.writeHead(206, {
        ...headers,
        'Content-Length': body.length - start,
        'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
      });
    } else {
      res.writeHead(200, { ...headers, 'Content-Length': body.length });
    }
    const rest = body.subarray(start);
    if (this.cutNext.delete(name)) {
      res.write(rest.subarray(0, rest.length >> 1), () => res.socket?.destroy());
    } else if (this.stallNext.delete(name)) {
      res.write(rest.subarray(0, rest.length >> 1));
    } else {
      res.end(rest);
    }
  }
}

function bytes(n: number, seed: number): Buffer {
  const rng = new Rng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.nextUint32() & 255;
  return b;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'resolved';
}

const hub = new FakeHub();
let root = '';
const weights = bytes(300_000, 1);
const config = Buffer.from('{"model_type":"llama"}\n');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'caldera-hub-'));
  hub.files.set('config.json', config);
  hub.files.set('model.safetensors', weights);
  hub.files.set('tokenizer.json', Buffer.from('{"model":{}}'));
  hub.files.set('README.md', Buffer.from('# tiny\n'));
  await hub.start();
});

afterAll(async () => {
  await hub.stop();
  await rm(root, { recursive: true, force: true });
});

describe('resolveModel against a fake Hub', () => {
  it('downloads a fresh snapshot, then hits the cache with no network', async () => {
    const cacheDir = join(root, 'fresh');
    const events: ProgressEvent[] = [];
    const dir = await resolveModel('org/tiny', {
      endpoint: hub.url,
      cacheDir,
      token: 'tok',
      onProgress: (e) => events.push(e),
    });
    expect(dir).toBe(join(cacheDir, 'models--org--tiny', 'snapshots', SHA));
    expect((await readFile(join(dir, 'model.safetensors'))).equals(weights)).toBe(true);
    expect((await readFile(join(dir, 'config.json'))).equals(config)).toBe(true);
    expect(existsSync(join(dir, 'README.md'))).toBe(false);
    expect(existsSync(join(dir, 'onnx'))).toBe(false);
    expect(await readFile(join(cacheDir, 'models--org--tiny', 'refs', 'main'), 'utf8')).toBe(SHA);
    expect(existsSync(join(dir, SNAPSHOT_MARKER))).toBe(true);
    // LFS file went through the redirect to the CDN path; the token reached the Hub.
    expect(hub.seen.some((s) => s.path === '/cdn/model.safetensors')).toBe(true);
    expect(hub.seen.find((s) => s.path.startsWith('/api/'))?.auth).toBe('Bearer tok');
    const w = events.filter((e) => e.task === 'download:model.safetensors');
    expect(w.map((e) => e.type)).toEqual(['start', 'progress', 'done']);
    expect(w[0]).toMatchObject({ total: weights.length, unit: 'bytes' });
    expect(w[1]).toMatchObject({ current: weights.length, total: weights.length });

    const before = hub.seen.length;
    expect(await resolveModel('org/tiny', { endpoint: hub.url, cacheDir })).toBe(dir);
    expect(hub.seen.length).toBe(before);
    // Asking for more files than the snapshot holds goes back to the network.
    await resolveModel('org/tiny', {
      endpoint: hub.url,
      cacheDir,
      allowPatterns: ['*.json', '*.safetensors', 'README.md'],
    });
    expect(hub.seen.length).toBeGreaterThan(before);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('# tiny\n');
    // Files already complete are not fetched again.
    expect(hub.seen.slice(before).filter((s) => s.path.includes('model.safetensors'))).toEqual([]);
  });

  it('does not forward the token to another origin', async () => {
    const cdn = new FakeHub();
    for (const [k, v] of hub.files) cdn.files.set(k, v);
    await cdn.start();
    hub.cdnUrl = cdn.url;
    try {
      const cacheDir = join(root, 'cdn');
      const mark = hub.seen.length;
      const dir = await resolveModel('org/tiny', { endpoint: hub.url, cacheDir, token: 'tok' });
      expect((await readFile(join(dir, 'model.safetensors'))).equals(weights)).toBe(true);
      expect(cdn.seen.map((s) => [s.path, s.auth])).toEqual([
        ['/cdn/model.safetensors', undefined],
      ]);
      const resolves = hub.seen.slice(mark).filter((s) => s.path.includes('/resolve/'));
      expect(resolves.length).toBe(3);
      expect(resolves.every((s) => s.auth === 'Bearer tok')).toBe(true);
    } finally {
      hub.cdnUrl = '';
      await cdn.stop();
    }
  });

  it('resumes a cut transfer with a Range request', async () => {
    const cacheDir = join(root, 'resume');
    hub.cutNext.add('model.safetensors');
    expect(await codeOf(resolveModel('org/tiny', { endpoint: hub.url, cacheDir }))).toBe(
      'HUB_NETWORK_ERROR',
    );
    const partial = join(
      cacheDir,
      'models--org--tiny',
      'snapshots',
      SHA,
      'model.safetensors.incomplete',
    );
    const n = (await stat(partial)).size;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(weights.length);
    const mark = hub.seen.length;
    const dir = await resolveModel('org/tiny', { endpoint: hub.url, cacheDir });
    const ranges = hub.seen.slice(mark).filter((s) => s.range !== undefined);
    expect(ranges.map((s) => [s.path, s.range])).toEqual([
      [`/org/tiny/resolve/${SHA}/model.safetensors`, `bytes=${n}-`],
      ['/cdn/model.safetensors', `bytes=${n}-`],
    ]);
    expect((await readFile(join(dir, 'model.safetensors'))).equals(weights)).toBe(true);
    expect(existsSync(partial)).toBe(false);
  });

  it('restarts from byte 0 when the server ignores Range', async () => {
    const cacheDir = join(root, 'norange');
    const snap = join(cacheDir, 'models--org--tiny', 'snapshots', SHA);
    await mkdir(snap, { recursive: true });
    await writeFile(join(snap, 'model.safetensors.incomplete'), Buffer.alloc(1000, 7));
    hub.ignoreRange = true;
    try {
      const dir = await resolveModel('org/tiny', { endpoint: hub.url, cacheDir });
      expect((await readFile(join(dir, 'model.safetensors'))).equals(weights)).toBe(true);
    } finally {
      hub.ignoreRange = false;
    }
  });

  it('serves the cache offline and reports a miss', async () => {
    const cacheDir = join(root, 'offline');
    const dir = await resolveModel('org/tiny', { endpoint: hub.url, cacheDir });
    const before = hub.seen.length;
    expect(
      await resolveModel('org/tiny', { endpoint: 'http://127.0.0.1:9', cacheDir, offline: true }),
    ).toBe(dir);
    expect(await resolveModel('org/tiny', { cacheDir, offline: true, refresh: true })).toBe(dir);
    expect(hub.seen.length).toBe(before);
    expect(await codeOf(resolveModel('org/other', { cacheDir, offline: true }))).toBe(
      'HUB_OFFLINE_MISS',
    );
    expect(
      await codeOf(resolveModel('org/tiny', { cacheDir, offline: true, revision: 'dev' })),
    ).toBe('HUB_OFFLINE_MISS');
  });

  it('maps HTTP errors', async () => {
    const cacheDir = join(root, 'errors');
    expect(await codeOf(resolveModel('org/missing', { endpoint: hub.url, cacheDir }))).toBe(
      'HUB_NOT_FOUND',
    );
    hub.failApi = 500;
    try {
      const err = await resolveModel('org/tiny', { endpoint: hub.url, cacheDir }).catch((e) => e);
      expect(err).toMatchObject({ code: 'HUB_HTTP_ERROR', details: { status: 500 } });
      expect(err.message).toContain('500');
    } finally {
      hub.failApi = 0;
    }
    expect(
      await codeOf(resolveModel('org/tiny', { endpoint: 'http://127.0.0.1:9', cacheDir })),
    ).toBe('HUB_NETWORK_ERROR');
  });

  it('rejects a size mismatch and leaves no file behind', async () => {
    const cacheDir = join(root, 'size');
    hub.linkedSizeSkew = 10;
    try {
      expect(await codeOf(resolveModel('org/tiny', { endpoint: hub.url, cacheDir }))).toBe(
        'HUB_SIZE_MISMATCH',
      );
    } finally {
      hub.linkedSizeSkew = 0;
    }
    const snap = join(cacheDir, 'models--org--tiny', 'snapshots', SHA);
    expect(existsSync(join(snap, 'model.safetensors'))).toBe(false);
    expect(existsSync(join(snap, SNAPSHOT_MARKER))).toBe(false);
  });

  it('aborts a stalled transfer and a pre-aborted call', async () => {
    const cacheDir = join(root, 'abort');
    const ac = new AbortController();
    hub.stallNext.add('model.safetensors');
    const p = resolveModel('org/tiny', {
      endpoint: hub.url,
      cacheDir,
      signal: ac.signal,
      onProgress: (e) => {
        if (e.type === 'start' && e.task === 'download:model.safetensors')
          setTimeout(() => ac.abort(), 50);
      },
    });
    expect(await codeOf(p)).toBe('ABORTED');
    const pre = new AbortController();
    pre.abort();
    expect(
      await codeOf(resolveModel('org/tiny', { endpoint: hub.url, cacheDir, signal: pre.signal })),
    ).toBe('ABORTED');
  });
});

describe('resolveModel with local paths', () => {
  it('returns a folder with config.json as is', async () => {
    const dir = join(root, 'local');
    await mkdir(dir, { recursive: true });
    expect(await codeOf(resolveModel(dir))).toBe('FILE_NOT_FOUND');
    await writeFile(join(dir, 'config.json'), '{}');
    expect(await resolveModel(dir)).toBe(dir);
    expect(await codeOf(resolveModel('./no/such/folder/here'))).toBe('FILE_NOT_FOUND');
    expect(await codeOf(resolveModel('bad id!'))).toBe('INVALID_ARGUMENT');
  });
});

describe('hub options', () => {
  it('matches globs without crossing folders', () => {
    expect(matchesPattern('model-00001-of-00002.safetensors', '*.safetensors')).toBe(true);
    expect(matchesPattern('onnx/model.safetensors', '*.safetensors')).toBe(false);
    expect(matchesPattern('config.json', 'config.json')).toBe(true);
    expect(matchesPattern('configXjson', 'config.json')).toBe(false);
    expect(matchesPattern('tokenizer.model', 'tokenizer.?odel')).toBe(true);
  });

  it('reads environment fallbacks', () => {
    const s = resolveHubSettings(
      {},
      { HF_HUB_OFFLINE: '1', HF_HOME: '/h', HF_TOKEN: 't', HF_ENDPOINT: 'http://e/' },
    );
    expect(s).toMatchObject({
      offline: true,
      cacheDir: join('/h', 'hub'),
      token: 't',
      endpoint: 'http://e',
      revision: 'main',
    });
    expect(resolveHubSettings({}, { CALDERA_CACHE: '/c', HF_HOME: '/h' }).cacheDir).toBe('/c');
    expect(
      resolveHubSettings({ offline: false, cacheDir: '/x' }, { HF_HUB_OFFLINE: '1' }),
    ).toMatchObject({ offline: false, cacheDir: '/x' });
    expect(resolveHubSettings({}, {}).endpoint).toBe('https://huggingface.co');
  });
});
