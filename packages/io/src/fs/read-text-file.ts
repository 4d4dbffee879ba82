import { readFile } from 'node:fs/promises';
import { CalderaError } from '@caldera/core';

/**
 * Reads a UTF-8 text file, turning file-system failures into `CalderaError`s that name the
 * file and what it was for.
 *
 * @param path - the file
 * @param what - what the file is, for messages (e.g. `'config file'`, `'dataset file'`)
 * @returns the file's text
 * @throws CalderaError `FILE_NOT_FOUND` when it does not exist, `FILE_READ_FAILED` otherwise
 * @example
 * ```ts
 * const text = await readTextFile('models/pycode-6m/config.json', 'config file');
 * ```
 */
export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const notFound = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CalderaError(
      notFound ? 'FILE_NOT_FOUND' : 'FILE_READ_FAILED',
      `${notFound ? `${what} not found` : `cannot read ${what}`}: ${path}`,
      { cause, details: { path } },
    );
  }
}
