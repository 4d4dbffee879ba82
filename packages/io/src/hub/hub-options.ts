import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LongRunningOptions } from '@caldera/core';

/**
 * The files fetched from a model repository by default: the config, the safetensors
 * weights (single file or shards with their index) and the tokenizer files.
 *
 * @example
 * ```ts
 * DEFAULT_ALLOW_PATTERNS.includes('*.safetensors'); // true
 * ```
 */
export const DEFAULT_ALLOW_PATTERNS: readonly string[] = [
  'config.json',
  'generation_config.json',
  '*.safetensors',
  'model.safetensors.index.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'tokenizer.model',
  'special_tokens_map.json',
];

/**
 * Options of {@link resolveModel}. Every option has an environment-variable fallback
 * (read when the option is absent) and a default.
 *
 * @example
 * ```ts
 * const options: HubOptions = { revision: 'main', cacheDir: '/tmp/hub', offline: false };
 * ```
 */
export interface HubOptions extends LongRunningOptions {
  /** Hub base URL; env `HF_ENDPOINT`; default `https://huggingface.co`. */
  endpoint?: string;
  /** Branch, tag or commit; default `main`. */
  revision?: string;
  /**
   * Cache root; env `CALDERA_CACHE` (used as is), else `$HF_HOME/hub`, else
   * `~/.cache/caldera/hub`. Layout: `{cacheDir}/models--{org}--{name}/snapshots/{commit}/{file}`
   * and `refs/{revision}` holding the commit.
   */
  cacheDir?: string;
  /** Access token sent as `Authorization: Bearer`; env `HF_TOKEN`. */
  token?: string;
  /** Glob patterns (`*` and `?`, never crossing `/`) of the files to fetch; default {@link DEFAULT_ALLOW_PATTERNS}. */
  allowPatterns?: readonly string[];
  /** Use only the cache (env `HF_HUB_OFFLINE=1`); a miss throws `HUB_OFFLINE_MISS`. */
  offline?: boolean;
  /** Ask the Hub again even when a completed snapshot of `revision` is cached. */
  refresh?: boolean;
}

/**
 * {@link HubOptions} with every fallback applied.
 *
 * @example
 * ```ts
 * const s: HubSettings = resolveHubSettings({});
 * s.endpoint; // 'https://huggingface.co' unless HF_ENDPOINT is set
 * ```
 */
export interface HubSettings {
  endpoint: string;
  revision: string;
  cacheDir: string;
  token: string | undefined;
  allowPatterns: readonly string[];
  offline: boolean;
  refresh: boolean;
}

/**
 * Applies environment fallbacks and defaults to {@link HubOptions}.
 *
 * @param options - the caller's options
 * @param env - the environment to read (default `process.env`)
 * @returns the effective settings
 * @example
 * ```ts
 * resolveHubSettings({}, { HF_HUB_OFFLINE: '1', CALDERA_CACHE: '/c' });
 * // { offline: true, cacheDir: '/c', revision: 'main', ... }
 * ```
 */
export function resolveHubSettings(
  options: HubOptions,
  env: Record<string, string | undefined> = process.env,
): HubSettings {
  const endpoint = (options.endpoint ?? env.HF_ENDPOINT ?? 'https://huggingface.co').replace(
    /\/+$/,
    '',
  );
  const cacheDir =
    options.cacheDir ??
    env.CALDERA_CACHE ??
    (env.HF_HOME ? join(env.HF_HOME, 'hub') : join(homedir(), '.cache', 'caldera', 'hub'));
  const offlineEnv = env.HF_HUB_OFFLINE;
  return {
    endpoint,
    revision: options.revision ?? 'main',
    cacheDir,
    token: options.token ?? (env.HF_TOKEN || undefined),
    allowPatterns: options.allowPatterns ?? DEFAULT_ALLOW_PATTERNS,
    offline: options.offline ?? (offlineEnv === '1' || offlineEnv?.toLowerCase() === 'true'),
    refresh: options.refresh ?? false,
  };
}

/**
 * Whether a repository file name matches a glob pattern: `*` matches any run of characters
 * except `/`, `?` one such character; everything else is literal.
 *
 * @param name - a repository file name, e.g. `model-00001-of-00002.safetensors`
 * @param pattern - e.g. `*.safetensors`
 * @returns whether the whole name matches
 * @example
 * ```ts
 * matchesPattern('model.safetensors', '*.safetensors'); // true
 * matchesPattern('onnx/model.safetensors', '*.safetensors'); // false
 * ```
 */
export function matchesPattern(name: string, pattern: string): boolean {
  let re = '^';
  for (const ch of pattern) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(name);
}

/**
 * The cache folder of one repository: `{cacheDir}/models--{org}--{name}`.
 *
 * @param cacheDir - the cache root
 * @param repo - `org/name` (or a bare `name`)
 * @returns the folder path
 * @example
 * ```ts
 * repoCacheDir('/c', 'org/tiny'); // '/c/models--org--tiny'
 * ```
 */
export function repoCacheDir(cacheDir: string, repo: string): string {
  return join(cacheDir, `models--${repo.split('/').join('--')}`);
}
