import { open, rename, rm, stat } from 'node:fs/promises';
import { CalderaError, type LongRunningOptions, throwIfAborted } from '@caldera/core';
import { checkStatus, hubRequest, networkError } from './hub-http';

/**
 * Options of {@link downloadHubFile}.
 *
 * @example
 * ```ts
 * const o: DownloadFileOptions = { authOrigin: 'https://huggingface.co', expectedSize: 1024 };
 * ```
 */
export interface DownloadFileOptions extends LongRunningOptions {
  /** Bearer token (sent only to `authOrigin`). */
  token?: string | undefined;
  /** The Hub's origin. */
  authOrigin: string;
  /** The size announced elsewhere (e.g. by the file listing), checked when known. */
  expectedSize?: number | undefined;
  /** Progress task name (default `download:<dest>`). */
  task?: string;
  /** What is downloaded, for messages (default the URL). */
  what?: string;
}

/**
 * What {@link downloadHubFile} did.
 *
 * @example
 * ```ts
 * const r: DownloadFileResult = { bytes: 1024, resumedFrom: 512, commit: undefined };
 * ```
 */
export interface DownloadFileResult {
  /** Final file size. */
  bytes: number;
  /** Bytes already present from an earlier, cut transfer (0 when started afresh). */
  resumedFrom: number;
  /** `X-Repo-Commit` of the response, when the server sent it. */
  commit: string | undefined;
}

/** Emit a progress event at most every this many bytes. */
const PROGRESS_STEP = 1 << 20;

/** Bytes gathered before one write to disk. */
const WRITE_BATCH = 4 << 20;

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/**
 * Parses `Content-Range: bytes start-end/total`.
 *
 * @param v - the header value
 * @returns start and total (total undefined for `*`), or undefined when malformed
 */
function parseContentRange(
  v: string | null,
): { start: number; total: number | undefined } | undefined {
  const m = v === null ? null : /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(v.trim());
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

function mismatch(what: string, message: string, details: Record<string, unknown>): CalderaError {
  return new CalderaError('HUB_SIZE_MISMATCH', `${what}: ${message}`, { details });
}

/**
 * Downloads one file resumably. Bytes go to `{dest}.incomplete`; when that file already
 * holds N bytes from a cut transfer, the request carries `Range: bytes=N-` and a `206`
 * answer is appended (a `200` answer restarts from 0). The final size is checked against
 * `Content-Range`/`Content-Length`, the Hub's `X-Linked-Size` and `expectedSize`, then the
 * file is renamed to `dest` atomically. A cut or aborted transfer keeps the partial file for
 * the next attempt.
 *
 * @param url - the file URL (redirects are followed)
 * @param dest - the final path (its folder must exist)
 * @param options - token, expected size, progress (`start`/`progress`/`done`, unit `bytes`), signal
 * @returns the final size and where the transfer resumed
 * @throws CalderaError `HUB_NOT_FOUND`, `HUB_HTTP_ERROR`, `HUB_SIZE_MISMATCH`, `HUB_NETWORK_ERROR`,
 *   `ABORTED`, `FILE_WRITE_FAILED`
 * @example
 * ```ts
 * await downloadHubFile('https://huggingface.co/org/m/resolve/main/config.json', '/tmp/config.json', {
 *   authOrigin: 'https://huggingface.co',
 * });
 * ```
 */
export async function downloadHubFile(
  url: string,
  dest: string,
  options: DownloadFileOptions,
): Promise<DownloadFileResult> {
  const { signal, onProgress } = options;
  const what = options.what ?? url;
  const task = options.task ?? `download:${dest}`;
  const partial = `${dest}.incomplete`;
  throwIfAborted(signal, `download of ${what}`);

  for (let attempt = 0; ; attempt++) {
    const offset = await sizeOf(partial);
    const { response, linkedSize, commit } = await hubRequest(url, {
      token: options.token,
      authOrigin: options.authOrigin,
      headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
      signal,
    });
    let append = false;
    let total: number | undefined;
    if (response.status === 206) {
      const range = parseContentRange(response.headers.get('content-range'));
      if (range === undefined || range.start !== offset) {
        // The server answered another range than asked: start again from byte 0.
        await response.body?.cancel().catch(() => undefined);
        await rm(partial, { force: true });
        if (attempt > 0)
          throw mismatch(what, 'the server answered a range that was not asked for', {});
        continue;
      }
      append = true;
      total = range.total;
    } else if (response.status === 416 && offset > 0 && attempt === 0) {
      await response.body?.cancel().catch(() => undefined);
      await rm(partial, { force: true });
      continue;
    } else {
      await checkStatus(response, what);
      const len = response.headers.get('content-length');
      total = len === null ? undefined : Number(len);
    }

    const known = [total, linkedSize, options.expectedSize].filter(
      (v): v is number => v !== undefined,
    );
    if (known.some((v) => v !== known[0])) {
      await response.body?.cancel().catch(() => undefined);
      await rm(partial, { force: true });
      throw mismatch(
        what,
        `sizes disagree (response ${total}, X-Linked-Size ${linkedSize}, listing ${options.expectedSize})`,
        { total, linkedSize, expectedSize: options.expectedSize },
      );
    }
    const target = known[0];
    const start = append ? offset : 0;
    return await receive(response, {
      partial,
      dest,
      start,
      target,
      what,
      task,
      signal,
      onProgress,
      commit,
    });
  }
}

interface ReceiveArgs extends LongRunningOptions {
  partial: string;
  dest: string;
  start: number;
  target: number | undefined;
  what: string;
  task: string;
  commit: string | undefined;
}

async function receive(response: Response, a: ReceiveArgs): Promise<DownloadFileResult> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(a.partial, a.start > 0 ? 'a' : 'w');
  } catch (cause) {
    await response.body?.cancel().catch(() => undefined);
    throw new CalderaError('FILE_WRITE_FAILED', `cannot write ${a.partial}`, { cause });
  }
  let size = a.start;
  a.onProgress?.({ type: 'start', task: a.task, total: a.target, unit: 'bytes' });
  let lastReport = size;
  // Network chunks (often 16-64 KiB) are gathered into writes of about WRITE_BATCH bytes,
  // so that one write call per chunk does not make the disk the bottleneck.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const data =
      pending.length === 1 ? (pending[0] as Uint8Array) : Buffer.concat(pending, pendingBytes);
    pending = [];
    size += pendingBytes;
    pendingBytes = 0;
    await fh.write(data);
  };
  try {
    const reader = response.body?.getReader();
    for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) {
      throwIfAborted(a.signal, `download of ${a.what}`);
      pending.push(next.value);
      pendingBytes += next.value.byteLength;
      if (pendingBytes >= WRITE_BATCH) await flush();
      if (size - lastReport >= PROGRESS_STEP) {
        lastReport = size;
        a.onProgress?.({
          type: 'progress',
          task: a.task,
          current: size,
          total: a.target,
          unit: 'bytes',
        });
      }
    }
    await flush();
  } catch (cause) {
    // Keep what arrived: the next attempt resumes after it.
    await flush().catch(() => undefined);
    throw networkError(cause, `download of ${a.what}`, a.signal);
  } finally {
    await fh.close();
  }
  a.onProgress?.({ type: 'progress', task: a.task, current: size, total: a.target, unit: 'bytes' });
  if (a.target !== undefined && size !== a.target) {
    // A short file is kept so that the next attempt resumes; an overlong one is wrong.
    if (size > a.target) await rm(a.partial, { force: true });
    throw mismatch(a.what, `received ${size} bytes but expected ${a.target}`, {
      received: size,
      expected: a.target,
    });
  }
  try {
    await rename(a.partial, a.dest);
  } catch (cause) {
    throw new CalderaError('FILE_WRITE_FAILED', `cannot move ${a.partial} to ${a.dest}`, { cause });
  }
  a.onProgress?.({ type: 'done', task: a.task, metrics: { bytes: size } });
  return { bytes: size, resumedFrom: a.start, commit: a.commit };
}
