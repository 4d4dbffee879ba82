// Atomic file replacement: temp file in the same folder, fsync, rename, fsync the folder.
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CalderaError, describeValue, isCalderaError } from '@caldera/core';

let tempCounter = 0;

/**
 * Wraps a Node file-system error as a `CalderaError` (`FILE_NOT_FOUND` for ENOENT, else
 * `code`); `CalderaError`s pass through unchanged.
 *
 * @param error - what was caught
 * @param code - the code for other failures
 * @param what - what was being done, with the path, for the message
 * @returns the error to throw
 * @example
 * ```ts
 * throw fsError(new Error('EIO'), 'FILE_READ_FAILED', 'reading a.safetensors');
 * ```
 */
export function fsError(
  error: unknown,
  code: 'FILE_READ_FAILED' | 'FILE_WRITE_FAILED',
  what: string,
): CalderaError {
  if (isCalderaError(error)) return error;
  const errno = (error as { code?: unknown } | null)?.code;
  const reason = error instanceof Error ? error.message : describeValue(error);
  return new CalderaError(
    errno === 'ENOENT' ? 'FILE_NOT_FOUND' : code,
    `${what} failed: ${reason}`,
    {
      cause: error,
    },
  );
}

/**
 * A file being written to a temporary path next to its target; {@link AtomicFile.commit}
 * makes it appear at the target in one rename, {@link AtomicFile.abort} removes it. A reader
 * of the target never sees a partial file.
 *
 * @example
 * ```ts
 * const f = await AtomicFile.create('/tmp/out.bin');
 * try {
 *   await f.handle.write(new Uint8Array([1, 2, 3]), 0, 3, 0);
 *   await f.commit();
 * } catch (e) {
 *   await f.abort();
 *   throw e;
 * }
 * ```
 */
export class AtomicFile {
  private done = false;

  private constructor(
    /** The final path. */
    readonly target: string,
    /** The temporary path written to. */
    readonly tempPath: string,
    /** The open handle of the temporary file. */
    readonly handle: FileHandle,
  ) {}

  /**
   * Creates the temporary file (exclusively) in the target's folder.
   *
   * @param target - the final path
   * @returns the open atomic file
   * @throws CalderaError `FILE_WRITE_FAILED` (or `FILE_NOT_FOUND` when the folder is missing)
   */
  static async create(target: string): Promise<AtomicFile> {
    tempCounter += 1;
    const tempPath = join(
      dirname(target),
      `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.${tempCounter}.tmp`,
    );
    try {
      return new AtomicFile(target, tempPath, await open(tempPath, 'wx'));
    } catch (e) {
      throw fsError(e, 'FILE_WRITE_FAILED', `creating ${tempPath}`);
    }
  }

  /**
   * Flushes the data to disk, closes the file, renames it to the target and flushes the
   * folder entry. On failure the temporary file is removed.
   *
   * @throws CalderaError `FILE_WRITE_FAILED`
   */
  async commit(): Promise<void> {
    if (this.done)
      throw new CalderaError('INTERNAL', `atomic write of ${this.target} already finished`);
    try {
      await this.handle.sync();
      await this.handle.close();
      await rename(this.tempPath, this.target);
      this.done = true;
    } catch (e) {
      await this.abort();
      throw fsError(e, 'FILE_WRITE_FAILED', `writing ${this.target}`);
    }
    await syncFolder(dirname(this.target));
  }

  /** Closes and removes the temporary file; never throws, safe to call twice. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }
}

/** fsync of a folder so that a rename survives a crash; best effort (not possible on Windows). */
async function syncFolder(folder: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(folder, 'r');
    await fh.sync();
  } catch {
    // Some platforms cannot open or fsync folders; the rename itself is still atomic.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Writes a file atomically: `write` fills a temporary file next to `target`, which is then
 * fsynced and renamed over `target`. When `write` throws, the temporary file is removed, the
 * target is left as it was, and the error is rethrown (file-system errors as `CalderaError`).
 *
 * @param target - the final path
 * @param write - fills the file through its handle
 * @returns what `write` returned
 * @throws CalderaError `FILE_WRITE_FAILED`, or whatever `write` threw
 * @example
 * ```ts
 * await writeFileAtomic('/tmp/a.txt', async (fh) => { await fh.writeFile('hello'); });
 * ```
 */
export async function writeFileAtomic<T>(
  target: string,
  write: (handle: FileHandle) => Promise<T>,
): Promise<T> {
  const file = await AtomicFile.create(target);
  let result: T;
  try {
    result = await write(file.handle);
  } catch (e) {
    await file.abort();
    throw fsError(e, 'FILE_WRITE_FAILED', `writing ${target}`);
  }
  await file.commit();
  return result;
}
