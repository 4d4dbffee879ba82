import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CalderaError, describeValue, throwIfAborted } from '@caldera/core';
import { z } from 'zod';
import { downloadHubFile } from './download-file';
import { checkStatus, hubRequest, networkError } from './hub-http';
import {
  type HubOptions,
  type HubSettings,
  matchesPattern,
  repoCacheDir,
  resolveHubSettings,
} from './hub-options';

/**
 * Name of the file that marks a snapshot folder as completely downloaded (JSON: repo,
 * revision, commit, patterns, files).
 *
 * @example
 * ```ts
 * existsSync(join(snapshotDir, SNAPSHOT_MARKER)); // true once resolveModel finished
 * ```
 */
export const SNAPSHOT_MARKER = '.caldera-complete.json';

const REPO_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;
const COMMIT = /^[0-9a-f]{40}$/;

const modelInfoSchema = z.looseObject({
  sha: z
    .string()
    .regex(/^[\w.-]+$/)
    .optional(),
  siblings: z.array(
    z.looseObject({
      rfilename: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
    }),
  ),
});

const markerSchema = z.object({
  commit: z.string(),
  patterns: z.array(z.string()),
  files: z.array(z.string()),
});

/**
 * Whether a string names a local path rather than a Hub repository id: it starts with `.`,
 * `/` or `~`, contains a backslash or a drive letter, has more than one `/`, or exists on disk.
 *
 * @param id - `org/name` or a path
 * @returns true for a path
 * @example
 * ```ts
 * isLocalModelPath('./models/tiny'); // true
 * isLocalModelPath('TinyLlama/TinyLlama-1.1B-Chat-v1.0'); // false (unless that folder exists)
 * ```
 */
export function isLocalModelPath(id: string): boolean {
  return /^[./~]|\\|^[A-Za-z]:/.test(id) || id.split('/').length > 2 || existsSync(id);
}

function safeRelPath(name: string): boolean {
  return (
    !name.startsWith('/') &&
    !name.includes('\\') &&
    name.split('/').every((s) => s !== '' && s !== '.' && s !== '..')
  );
}

function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Finds a completely downloaded snapshot of `revision` in the cache (no network), one whose
 * marker covers every requested pattern.
 *
 * @param repo - `org/name`
 * @param settings - the effective hub settings
 * @returns the snapshot folder, or undefined on a miss
 * @example
 * ```ts
 * const dir = await findCachedSnapshot('org/tiny', resolveHubSettings({ cacheDir: '/c' }));
 * ```
 */
export async function findCachedSnapshot(
  repo: string,
  settings: HubSettings,
): Promise<string | undefined> {
  const repoDir = repoCacheDir(settings.cacheDir, repo);
  let commit: string | undefined = COMMIT.test(settings.revision) ? settings.revision : undefined;
  if (commit === undefined) {
    try {
      commit = (
        await readFile(join(repoDir, 'refs', encodeURIComponent(settings.revision)), 'utf8')
      ).trim();
    } catch {
      return undefined;
    }
  }
  if (!/^[\w.-]+$/.test(commit)) return undefined;
  const snapshot = join(repoDir, 'snapshots', commit);
  const marker = markerSchema.safeParse(await readJson(join(snapshot, SNAPSHOT_MARKER)));
  if (!marker.success) return undefined;
  if (!settings.allowPatterns.every((p) => marker.data.patterns.includes(p))) return undefined;
  return snapshot;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

async function fetchFileList(
  repo: string,
  s: HubSettings,
  signal: AbortSignal | undefined,
): Promise<{ commit: string; files: { name: string; size: number | undefined }[] }> {
  const url = `${s.endpoint}/api/models/${encodePath(repo)}/revision/${encodeURIComponent(s.revision)}`;
  const what = `repository ${repo} at revision ${s.revision}`;
  const { response } = await hubRequest(url, { token: s.token, authOrigin: s.endpoint, signal });
  await checkStatus(response, what);
  let json: unknown;
  try {
    json = await response.json();
  } catch (cause) {
    if (signal?.aborted) throw networkError(cause, `listing of ${what}`, signal);
    throw new CalderaError('HUB_BAD_RESPONSE', `${what}: the file listing is not valid JSON`, {
      cause,
    });
  }
  const info = modelInfoSchema.safeParse(json);
  if (!info.success) {
    throw new CalderaError(
      'HUB_BAD_RESPONSE',
      `${what}: unexpected file listing ${describeValue(json)} (${info.error.issues[0]?.message})`,
      { details: { url } },
    );
  }
  const files = info.data.siblings
    .filter((f) => s.allowPatterns.some((p) => matchesPattern(f.rfilename, p)))
    .map((f) => ({ name: f.rfilename, size: f.size }));
  const unsafe = files.find((f) => !safeRelPath(f.name));
  if (unsafe) {
    throw new CalderaError(
      'HUB_BAD_RESPONSE',
      `${what}: unsafe file name ${describeValue(unsafe.name)}`,
    );
  }
  if (files.length === 0) {
    throw new CalderaError(
      'HUB_NOT_FOUND',
      `${what}: no file matches ${describeValue(s.allowPatterns)} (the repository has ${info.data.siblings.length} files)`,
    );
  }
  return { commit: info.data.sha ?? s.revision, files };
}

/**
 * Returns a local model folder for a Hub repository id or a local path.
 *
 * A local folder holding `config.json` is returned as is. A repository id (`org/name`) is
 * looked up in the cache first: a snapshot marked complete is returned with no network
 * access (unless `refresh`). Otherwise the file list comes from
 * `GET {endpoint}/api/models/{repo}/revision/{revision}` (`siblings[].rfilename`, `sha`), the
 * files matching `allowPatterns` are fetched from `GET {endpoint}/{repo}/resolve/{commit}/{file}`
 * (redirects followed, resumable, size-checked) into
 * `{cacheDir}/models--{org}--{name}/snapshots/{commit}/`, `refs/{revision}` records the commit
 * and a marker file completes the snapshot.
 *
 * @param id - `org/name` or a local folder
 * @param options - endpoint, revision, cacheDir, token, allowPatterns, offline, refresh,
 *   onProgress (task `download:<file>`, unit `bytes`), signal
 * @returns the local folder
 * @throws CalderaError `FILE_NOT_FOUND` (local path without `config.json`), `INVALID_ARGUMENT`
 *   (malformed id), `HUB_OFFLINE_MISS`, `HUB_NOT_FOUND`, `HUB_HTTP_ERROR`, `HUB_SIZE_MISMATCH`,
 *   `HUB_NETWORK_ERROR`, `HUB_BAD_RESPONSE`, `ABORTED`
 * @example
 * ```ts
 * const dir = await resolveModel('TinyLlama/TinyLlama-1.1B-Chat-v1.0', {
 *   onProgress: (e) => { if (e.type === 'progress') console.log(e.task, e.current, e.total); },
 * });
 * const model = await loadHfModel(dir);
 * ```
 */
export async function resolveModel(id: string, options: HubOptions = {}): Promise<string> {
  if (isLocalModelPath(id)) {
    const isDir = existsSync(id) && statSync(id).isDirectory();
    if (!isDir || !existsSync(join(id, 'config.json'))) {
      throw new CalderaError(
        'FILE_NOT_FOUND',
        isDir ? `model folder ${id} has no config.json` : `model folder not found: ${id}`,
        { details: { path: id } },
      );
    }
    return id;
  }
  if (!REPO_ID.test(id)) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `resolveModel: ${describeValue(id)} is neither an existing folder nor a Hub id like "org/name"`,
    );
  }
  const s = resolveHubSettings(options);
  const { signal, onProgress } = options;
  const cached = await findCachedSnapshot(id, s);
  if (cached !== undefined && !s.refresh) return cached;
  if (s.offline) {
    if (cached !== undefined) return cached;
    throw new CalderaError(
      'HUB_OFFLINE_MISS',
      `offline mode: ${id} at revision ${s.revision} is not in the cache ${s.cacheDir}`,
      { details: { repo: id, revision: s.revision, cacheDir: s.cacheDir } },
    );
  }
  throwIfAborted(signal, `download of ${id}`);
  const { commit, files } = await fetchFileList(id, s, signal);
  const repoDir = repoCacheDir(s.cacheDir, id);
  const snapshot = join(repoDir, 'snapshots', commit);
  for (const file of files) {
    const dest = join(snapshot, ...file.name.split('/'));
    await mkdir(dirname(dest), { recursive: true });
    const have = await stat(dest).catch(() => undefined);
    if (have?.isFile() && (file.size === undefined || have.size === file.size)) continue;
    await downloadHubFile(
      `${s.endpoint}/${encodePath(id)}/resolve/${encodeURIComponent(commit)}/${encodePath(file.name)}`,
      dest,
      {
        token: s.token,
        authOrigin: s.endpoint,
        expectedSize: file.size,
        task: `download:${file.name}`,
        what: `${id}/${file.name}`,
        signal,
        onProgress,
      },
    );
  }
  const marker = {
    repo: id,
    revision: s.revision,
    commit,
    patterns: [...s.allowPatterns],
    files: files.map((f) => f.name),
  };
  await writeAtomic(join(snapshot, SNAPSHOT_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  await writeAtomic(join(repoDir, 'refs', encodeURIComponent(s.revision)), commit);
  return snapshot;
}
