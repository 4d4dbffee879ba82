import { CalderaError, describeValue } from '@caldera/core';
import { readTextFile } from '../fs/read-text-file';

/**
 * How a plain text file is cut into documents: `none` keeps the whole file as one document,
 * `blank-line` splits on empty lines (paragraphs, stories), `line` makes each non-empty line
 * a document.
 *
 * @example
 * ```ts
 * const split: TextSplit = 'blank-line';
 * ```
 */
export type TextSplit = 'none' | 'blank-line' | 'line';

/**
 * Options of {@link parseJsonlDocuments}.
 *
 * @example
 * ```ts
 * const o: JsonlOptions = { fields: ['prompt', 'canonical_solution'], joiner: '' };
 * ```
 */
export interface JsonlOptions {
  /** The string fields whose values make up a document, concatenated in this order. */
  fields: readonly string[];
  /** Put between the fields (default `''`). */
  joiner?: string;
  /** The file name, for messages (default `jsonl`). */
  where?: string;
}

/**
 * Parses JSON Lines into documents: each non-empty line is one JSON object whose `fields`
 * (strings) are concatenated with `joiner`.
 *
 * @param text - the file contents
 * @param options - fields, joiner, name for messages
 * @returns one string per record, in file order
 * @throws CalderaError `DATASET_INVALID` naming the 1-based line number (bad JSON, not an
 *   object, a missing or non-string field); `INVALID_ARGUMENT` for an empty field list
 * @example
 * ```ts
 * parseJsonlDocuments('{"a":"x","b":"y"}\n{"a":"1","b":"2"}\n', { fields: ['a', 'b'] });
 * // ['xy', '12']
 * ```
 */
export function parseJsonlDocuments(text: string, options: JsonlOptions): string[] {
  const { fields, joiner = '', where = 'jsonl' } = options;
  if (fields.length === 0) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      'parseJsonlDocuments: fields must name at least one field',
    );
  }
  const docs: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (cause) {
      throw new CalderaError(
        'DATASET_INVALID',
        `${where}:${i + 1}: not valid JSON (${(cause as Error).message}): ${describeValue(line)}`,
        { cause, details: { line: i + 1 } },
      );
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new CalderaError(
        'DATASET_INVALID',
        `${where}:${i + 1}: expected a JSON object, got ${describeValue(record)}`,
        {
          details: { line: i + 1 },
        },
      );
    }
    const parts: string[] = [];
    for (const field of fields) {
      const v = (record as Record<string, unknown>)[field];
      if (typeof v !== 'string') {
        throw new CalderaError(
          'DATASET_INVALID',
          `${where}:${i + 1}: field ${describeValue(field)} must be a string, got ${describeValue(v)}`,
          { details: { line: i + 1, field } },
        );
      }
      parts.push(v);
    }
    docs.push(parts.join(joiner));
  }
  return docs;
}

/**
 * Cuts plain text into documents (line endings normalised to `\n`).
 *
 * @param text - the text
 * @param split - `none`, `blank-line` or `line` (see {@link TextSplit})
 * @returns the non-empty documents
 * @example
 * ```ts
 * splitTextDocuments('one\nstory\n\ntwo\n', 'blank-line'); // ['one\nstory', 'two']
 * ```
 */
export function splitTextDocuments(text: string, split: TextSplit): string[] {
  const t = text.replace(/\r\n?/g, '\n');
  if (split === 'none') return t.length > 0 ? [t] : [];
  const parts = split === 'line' ? t.split('\n') : t.split(/\n[ \t]*\n+/);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/**
 * Options of {@link readTextDocuments}.
 *
 * @example
 * ```ts
 * const o: ReadDocumentsOptions = { format: 'jsonl', fields: ['text'] };
 * ```
 */
export interface ReadDocumentsOptions {
  /** `text` or `jsonl`; default: `jsonl` for a `.jsonl` file, else `text`. */
  format?: 'text' | 'jsonl';
  /** For text: how to cut into documents (default `none`). */
  split?: TextSplit;
  /** For jsonl: the fields to concatenate (default `['text']`). */
  fields?: readonly string[];
  /** For jsonl: put between fields (default `''`). */
  joiner?: string;
}

/**
 * Reads a text or JSON Lines file into documents.
 *
 * @param path - the file
 * @param options - format, split mode, jsonl fields
 * @returns the documents
 * @throws CalderaError `FILE_NOT_FOUND` / `FILE_READ_FAILED`, `DATASET_INVALID`
 * @example
 * ```ts
 * const problems = await readTextDocuments('HumanEval.jsonl', { fields: ['prompt', 'canonical_solution'] });
 * problems.length; // 164
 * ```
 */
export async function readTextDocuments(
  path: string,
  options: ReadDocumentsOptions = {},
): Promise<string[]> {
  const text = await readTextFile(path, 'dataset file');
  const format = options.format ?? (path.toLowerCase().endsWith('.jsonl') ? 'jsonl' : 'text');
  if (format === 'jsonl') {
    return parseJsonlDocuments(text, {
      fields: options.fields ?? ['text'],
      joiner: options.joiner,
      where: path,
    });
  }
  return splitTextDocuments(text, options.split ?? 'none');
}
