import { CalderaError } from '@caldera/core';

/**
 * What {@link hubRequest} learned: the final response and the Hub's headers of the first hop.
 *
 * @example
 * ```ts
 * const { response, linkedSize, commit } = await hubRequest(url, { authOrigin: 'https://huggingface.co' });
 * ```
 */
export interface HubResponse {
  /** The final (non-redirect) response; its body is unread. */
  response: Response;
  /** The final URL after redirects. */
  url: string;
  /** `X-Linked-Size` of the first hop (the size of an LFS file), when present. */
  linkedSize: number | undefined;
  /** `X-Repo-Commit` of the first hop, when present. */
  commit: string | undefined;
  /** `X-Linked-Etag`, else `ETag`, of the first hop (quotes removed). */
  etag: string | undefined;
}

/**
 * Options of {@link hubRequest}.
 *
 * @example
 * ```ts
 * const o: HubRequestOptions = { authOrigin: 'https://huggingface.co', token: 'hf_x', headers: { Range: 'bytes=100-' } };
 * ```
 */
export interface HubRequestOptions {
  /** Bearer token, sent only to the origin of `authOrigin`. */
  token?: string | undefined;
  /** The Hub's origin (the token is never forwarded to another host, e.g. a CDN). */
  authOrigin: string;
  /** Extra request headers (e.g. `Range`). */
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Most redirects followed (default 10). */
  maxRedirects?: number;
}

function toNumber(v: string | null): number | undefined {
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function unquote(v: string | null): string | undefined {
  if (v === null) return undefined;
  return v.replace(/^W\//, '').replace(/^"|"$/g, '');
}

/**
 * Converts an error thrown by `fetch` or a body stream into a `CalderaError`: `ABORTED` when
 * the signal fired, `HUB_NETWORK_ERROR` otherwise.
 *
 * @param cause - the thrown value
 * @param what - what was being done, for the message
 * @param signal - the caller's signal
 * @returns the error to throw
 * @example
 * ```ts
 * try { await fetch(url); } catch (e) { throw networkError(e, `GET ${url}`, signal); }
 * ```
 */
export function networkError(cause: unknown, what: string, signal?: AbortSignal): CalderaError {
  if (cause instanceof CalderaError) return cause;
  if (signal?.aborted) {
    return new CalderaError('ABORTED', `${what} was aborted`, { cause: signal.reason });
  }
  const msg = cause instanceof Error ? cause.message : String(cause);
  return new CalderaError('HUB_NETWORK_ERROR', `${what} failed: ${msg}`, { cause });
}

/**
 * Sends a GET to the Hub, following redirects by hand so that the Hub's own headers
 * (`X-Linked-Size`, `X-Repo-Commit`, `X-Linked-Etag`) of the first hop are kept and the
 * token is not forwarded to other hosts. HTTP error statuses are returned, not thrown.
 *
 * @param url - the URL
 * @param options - token, headers, signal
 * @returns the final response and the first hop's Hub headers
 * @throws CalderaError `ABORTED`, `HUB_NETWORK_ERROR`, `HUB_BAD_RESPONSE` (redirect loop or
 *   redirect without `Location`)
 * @example
 * ```ts
 * const { response, linkedSize } = await hubRequest(
 *   'https://huggingface.co/org/m/resolve/main/model.safetensors',
 *   { authOrigin: 'https://huggingface.co' },
 * );
 * ```
 */
export async function hubRequest(url: string, options: HubRequestOptions): Promise<HubResponse> {
  const maxRedirects = options.maxRedirects ?? 10;
  const authOrigin = new URL(options.authOrigin).origin;
  let current = url;
  let first: Headers | undefined;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity', ...options.headers };
    if (options.token && new URL(current).origin === authOrigin) {
      headers.Authorization = `Bearer ${options.token}`;
    }
    let response: Response;
    try {
      response = await fetch(current, { redirect: 'manual', headers, signal: options.signal });
    } catch (cause) {
      throw networkError(cause, `GET ${current}`, options.signal);
    }
    first ??= response.headers;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      await response.body?.cancel().catch(() => undefined);
      if (location === null) {
        throw new CalderaError(
          'HUB_BAD_RESPONSE',
          `GET ${current}: redirect ${response.status} without a Location header`,
          { details: { url: current, status: response.status } },
        );
      }
      current = new URL(location, current).toString();
      continue;
    }
    return {
      response,
      url: current,
      linkedSize: toNumber(first.get('x-linked-size')),
      commit: first.get('x-repo-commit') ?? undefined,
      etag: unquote(first.get('x-linked-etag') ?? first.get('etag')),
    };
  }
  throw new CalderaError('HUB_BAD_RESPONSE', `GET ${url}: more than ${maxRedirects} redirects`, {
    details: { url },
  });
}

/**
 * Throws the `CalderaError` matching an HTTP error status: 404 → `HUB_NOT_FOUND`, anything
 * else ≥ 400 → `HUB_HTTP_ERROR` (with a hint about `HF_TOKEN` for 401/403). Does nothing
 * for a success status.
 *
 * @param response - the response
 * @param what - what was requested, for the message (e.g. `repository org/m`)
 * @throws CalderaError `HUB_NOT_FOUND` or `HUB_HTTP_ERROR`
 * @example
 * ```ts
 * await checkStatus(res, 'file config.json of org/m');
 * ```
 */
export async function checkStatus(response: Response, what: string): Promise<void> {
  if (response.status < 400) return;
  let body = '';
  try {
    body = (await response.text()).slice(0, 200);
  } catch {
    // the body is only a hint for the message
  }
  const details = { status: response.status, url: response.url, body };
  if (response.status === 404) {
    throw new CalderaError('HUB_NOT_FOUND', `${what} was not found on the Hub (HTTP 404)`, {
      details,
    });
  }
  const hint =
    response.status === 401 || response.status === 403
      ? ' (a gated or private repository needs a token: set HF_TOKEN or pass token)'
      : '';
  throw new CalderaError(
    'HUB_HTTP_ERROR',
    `${what}: HTTP ${response.status} ${response.statusText}${hint}`,
    { details },
  );
}
