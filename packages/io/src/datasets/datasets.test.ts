import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CalderaError, type ProgressEvent, Rng } from '@caldera/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenStream } from './load-dataset';
import { parseJsonlDocuments, readTextDocuments, splitTextDocuments } from './text-documents';
import { type DatasetTokenizer, tokenizeDocuments } from './token-stream';
import { makeWindows, planWindowStarts } from './windows';

const ASSETS = fileURLToPath(new URL('../../../../../shared/assets/', import.meta.url));
const HUMANEVAL = join(ASSETS, 'text/humaneval/HumanEval.jsonl');
const TINYSTORIES = join(ASSETS, 'text/tinystories/tinystories_validation_head.txt');

/** Char-level tokenizer: BOS = 1, EOS = 2, a code point c → c + 3. */
const chars: DatasetTokenizer = {
  encode(text, opts) {
    const ids = Array.from(text, (c) => (c.codePointAt(0) as number) + 3);
    if (opts?.bos) ids.unshift(1);
    if (opts?.eos) ids.push(2);
    return ids;
  },
};

function errorOf(fn: () => unknown): CalderaError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CalderaError) return e;
    throw e;
  }
  throw new Error('expected a CalderaError');
}

describe('documents', () => {
  it('parses jsonl fields and names the bad line', () => {
    const text = '{"p":"a","s":"b"}\r\n\n{"p":"c","s":"d","x":1}\n';
    expect(parseJsonlDocuments(text, { fields: ['p', 's'] })).toEqual(['ab', 'cd']);
    expect(parseJsonlDocuments(text, { fields: ['p', 's'], joiner: '|' })).toEqual(['a|b', 'c|d']);
    const bad = errorOf(() =>
      parseJsonlDocuments('{"p":"a"}\n{"p": oops}\n', { fields: ['p'], where: 'f.jsonl' }),
    );
    expect(bad.code).toBe('DATASET_INVALID');
    expect(bad.message).toContain('f.jsonl:2');
    const missing = errorOf(() =>
      parseJsonlDocuments('{"p":"a"}\n\n\n{"q":"b"}', { fields: ['p'] }),
    );
    expect(missing.message).toContain(':4:');
    expect(missing.message).toContain('"p"');
    expect(errorOf(() => parseJsonlDocuments('[1]', { fields: ['p'] })).code).toBe(
      'DATASET_INVALID',
    );
  });

  it('splits text into documents', () => {
    expect(splitTextDocuments('a\r\nb\n\n\n c \n \nd\n', 'blank-line')).toEqual(['a\nb', 'c', 'd']);
    expect(splitTextDocuments('a\n\nb\n', 'line')).toEqual(['a', 'b']);
    expect(splitTextDocuments('a\n\nb\n', 'none')).toEqual(['a\n\nb\n']);
    expect(splitTextDocuments('', 'none')).toEqual([]);
  });

  it('reads HumanEval: 164 prompt + solution records', async () => {
    const docs = await readTextDocuments(HUMANEVAL, { fields: ['prompt', 'canonical_solution'] });
    expect(docs.length).toBe(164);
    expect(docs[0]?.startsWith('from typing import List\n\n\ndef has_close_elements(')).toBe(true);
    expect(docs[0]?.endsWith('                return True\n\n    return False\n')).toBe(true);
    // Total code points of prompt + canonical_solution over all records (computed with Python).
    expect(docs.reduce((n, d) => n + Array.from(d).length, 0)).toBe(103560);
  });

  it('reads TinyStories split on blank lines', async () => {
    const docs = await readTextDocuments(TINYSTORIES, { split: 'blank-line' });
    expect(docs.length).toBe(4302);
    expect(await readTextDocuments(join(ASSETS, 'nope.txt')).catch((e) => e.code)).toBe(
      'FILE_NOT_FOUND',
    );
  });
});

describe('tokenizeDocuments', () => {
  it('joins documents with optional BOS/EOS', () => {
    expect([...tokenizeDocuments(['ab', 'c'], chars)]).toEqual([1, 100, 101, 1, 102]);
    expect([...tokenizeDocuments(['ab', 'c'], chars, { bos: false, eos: true })]).toEqual([
      100, 101, 2, 102, 2,
    ]);
    expect(tokenizeDocuments([], chars).length).toBe(0);
    const events: ProgressEvent[] = [];
    const many = Array.from({ length: 700 }, (_, i) => 'x'.repeat(i % 5));
    const t = tokenizeDocuments(
      many,
      { encode: (s, o) => Int32Array.from(chars.encode(s, o)) },
      { onProgress: (e) => events.push(e) },
    );
    expect(t.length).toBe(700 + many.reduce((n, d) => n + d.length, 0));
    expect(events[0]).toMatchObject({ type: 'start', total: 700, unit: 'documents' });
    expect(events.at(-1)).toMatchObject({ type: 'done', metrics: { tokens: t.length } });
  });

  it('rejects bad ids and honours abort', () => {
    expect(errorOf(() => tokenizeDocuments(['a'], { encode: () => [1.5] })).code).toBe(
      'DATASET_INVALID',
    );
    const ac = new AbortController();
    ac.abort();
    expect(errorOf(() => tokenizeDocuments(['a'], chars, { signal: ac.signal })).code).toBe(
      'ABORTED',
    );
  });

  it('tokenizes a file into one stream', async () => {
    const tokens = await loadTokenStream(HUMANEVAL, chars, {
      fields: ['prompt', 'canonical_solution'],
      bos: true,
    });
    expect(tokens.length).toBe(103560 + 164);
    expect(tokens[0]).toBe(1);
    expect(tokens.filter((t) => t === 1).length).toBe(164);
  });
});

/** Dense partial Fisher–Yates with the same draws: the reference of the sparse version. */
function denseRandomStarts(
  numTokens: number,
  seqLen: number,
  stride: number,
  count: number,
  seed: number,
): number[] {
  const candidates = Math.floor((numTokens - seqLen) / stride) + 1;
  const idx = Array.from({ length: candidates }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(candidates - i);
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx.slice(0, count).map((i) => i * stride);
}

describe('makeWindows', () => {
  const stream = Int32Array.from({ length: 1000 }, (_, i) => i);

  it('cuts sequential non-overlapping windows by default', () => {
    const w = makeWindows(stream, { seqLen: 300, sampling: 'sequential' });
    expect(w.length).toBe(3);
    expect([w[0]?.[0], w[1]?.[0], w[2]?.[0], w[2]?.[299]]).toEqual([0, 300, 600, 899]);
    expect(
      planWindowStarts(1000, { seqLen: 300, stride: 100, count: 4, sampling: 'sequential' }),
    ).toEqual([0, 100, 200, 300]);
    expect(planWindowStarts(1000, { seqLen: 1000, sampling: 'sequential' })).toEqual([0]);
  });

  it('samples random windows without replacement, deterministically', () => {
    const a = planWindowStarts(1000, { seqLen: 10, count: 50, seed: 3, sampling: 'random' });
    expect(a).toEqual(
      planWindowStarts(1000, { seqLen: 10, count: 50, seed: 3, sampling: 'random' }),
    );
    expect(a).not.toEqual(
      planWindowStarts(1000, { seqLen: 10, count: 50, seed: 4, sampling: 'random' }),
    );
    expect(new Set(a).size).toBe(50);
    expect(a.every((s) => s % 10 === 0 && s + 10 <= 1000)).toBe(true);
    const all = planWindowStarts(1000, { seqLen: 10, seed: 1, sampling: 'random' });
    expect([...all].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i * 10));
    for (const [stride, count, seed] of [
      [1, 200, 7],
      [3, 50, 11],
      [10, 100, 0],
    ] as const) {
      expect(
        planWindowStarts(1000, { seqLen: 10, stride, count, seed, sampling: 'random' }),
      ).toEqual(denseRandomStarts(1000, 10, stride, count, seed));
    }
    const w = makeWindows(stream, { seqLen: 16, stride: 1, count: 8, seed: 9, sampling: 'random' });
    for (const win of w) for (let i = 1; i < 16; i++) expect(win[i]).toBe((win[0] as number) + i);
  });

  it('reports too-short streams with both numbers', () => {
    const e = errorOf(() =>
      makeWindows(stream.subarray(0, 99), { seqLen: 100, sampling: 'sequential' }),
    );
    expect(e.code).toBe('DATASET_TOO_SHORT');
    expect(e.message).toContain('99');
    expect(e.message).toContain('100');
    const c = errorOf(() => planWindowStarts(1000, { seqLen: 300, count: 4, sampling: 'random' }));
    expect(c.code).toBe('DATASET_TOO_SHORT');
    expect(c.message).toMatch(/4 windows.*only 3/);
    expect(errorOf(() => planWindowStarts(1000, { seqLen: 0, sampling: 'random' })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      errorOf(() => planWindowStarts(1000, { seqLen: 10, stride: 2.5, sampling: 'random' })).code,
    ).toBe('INVALID_ARGUMENT');
  });
});

describe('readTextDocuments on a temp file', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('picks jsonl by extension and text otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'caldera-ds-'));
    dirs.push(dir);
    await writeFile(join(dir, 'a.jsonl'), '{"text":"hi"}\n{"text":"yo"}\n');
    await writeFile(join(dir, 'a.txt'), '{"text":"hi"}\n');
    expect(await readTextDocuments(join(dir, 'a.jsonl'))).toEqual(['hi', 'yo']);
    expect(await readTextDocuments(join(dir, 'a.txt'))).toEqual(['{"text":"hi"}\n']);
    expect(await readTextDocuments(join(dir, 'a.txt'), { format: 'jsonl' })).toEqual(['hi']);
  });
});
