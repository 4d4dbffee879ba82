import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CalderaErrorCode } from '@caldera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from './file-reader';
import { SAFETENSORS_MAX_HEADER_BYTES } from './header';
import { parseSafetensors } from './parse';
import { expectCode, fileFrom, tempDir } from './test-helpers';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (dtype: string, shape: unknown, offsets: unknown) =>
  JSON.stringify({ dtype, shape, data_offsets: offsets });

/** One malformed file and the code it must be rejected with. */
interface Case {
  name: string;
  bytes: Uint8Array;
  code: CalderaErrorCode;
}

const cases: Case[] = [
  { name: 'empty file', bytes: new Uint8Array(0), code: 'SAFETENSORS_TOO_SMALL' },
  { name: 'file shorter than 8 bytes', bytes: new Uint8Array(5), code: 'SAFETENSORS_TOO_SMALL' },
  {
    name: 'header length past the end',
    bytes: fileFrom('{}', 4, 1000),
    code: 'SAFETENSORS_HEADER_OUT_OF_BOUNDS',
  },
  {
    name: 'header length = file size',
    bytes: fileFrom('{}', 0, 10),
    code: 'SAFETENSORS_HEADER_OUT_OF_BOUNDS',
  },
  {
    name: 'header length over 100 MB',
    bytes: fileFrom('{}', 0, SAFETENSORS_MAX_HEADER_BYTES + 1),
    code: 'SAFETENSORS_HEADER_TOO_LARGE',
  },
  {
    name: 'header length over 2^32',
    bytes: fileFrom('{}', 0, 2 ** 40),
    code: 'SAFETENSORS_HEADER_TOO_LARGE',
  },
  {
    name: 'non-UTF-8 header',
    bytes: fileFrom(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
    code: 'SAFETENSORS_HEADER_NOT_UTF8',
  },
  {
    name: 'lone surrogate half in UTF-8',
    bytes: fileFrom(new Uint8Array([0x7b, 0xed, 0xa0, 0x80, 0x7d])),
    code: 'SAFETENSORS_HEADER_NOT_UTF8',
  },
  { name: 'empty header', bytes: fileFrom(''), code: 'SAFETENSORS_HEADER_NOT_JSON' },
  { name: 'non-JSON header', bytes: fileFrom('{"a": '), code: 'SAFETENSORS_HEADER_NOT_JSON' },
  {
    name: 'UTF-8 byte order mark',
    bytes: fileFrom('\ufeff{}'),
    code: 'SAFETENSORS_HEADER_NOT_JSON',
  },
  { name: 'JSON array', bytes: fileFrom('[1,2]'), code: 'SAFETENSORS_HEADER_NOT_OBJECT' },
  { name: 'JSON null', bytes: fileFrom('null'), code: 'SAFETENSORS_HEADER_NOT_OBJECT' },
  {
    name: 'tensor entry not an object',
    bytes: fileFrom('{"a":5}'),
    code: 'SAFETENSORS_BAD_TENSOR_ENTRY',
  },
  {
    name: 'tensor entry is an array',
    bytes: fileFrom('{"a":[]}'),
    code: 'SAFETENSORS_BAD_TENSOR_ENTRY',
  },
  {
    name: 'unknown field in an entry',
    bytes: fileFrom('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"strides":[1]}}', 1),
    code: 'SAFETENSORS_BAD_TENSOR_ENTRY',
  },
  {
    name: 'unknown dtype',
    bytes: fileFrom(`{"a":${entry('F128', [1], [0, 16])}}`, 16),
    code: 'SAFETENSORS_UNKNOWN_DTYPE',
  },
  {
    name: 'lower-case dtype',
    bytes: fileFrom(`{"a":${entry('f32', [1], [0, 4])}}`, 4),
    code: 'SAFETENSORS_UNKNOWN_DTYPE',
  },
  {
    name: 'missing dtype',
    bytes: fileFrom('{"a":{"shape":[1],"data_offsets":[0,1]}}', 1),
    code: 'SAFETENSORS_UNKNOWN_DTYPE',
  },
  {
    name: 'negative dimension',
    bytes: fileFrom(`{"a":${entry('U8', [-1], [0, 0])}}`),
    code: 'SAFETENSORS_BAD_SHAPE',
  },
  {
    name: 'non-integer dimension',
    bytes: fileFrom(`{"a":${entry('U8', [1.5], [0, 1])}}`, 1),
    code: 'SAFETENSORS_BAD_SHAPE',
  },
  {
    name: 'dimension as a string',
    bytes: fileFrom(`{"a":${entry('U8', ['2'], [0, 2])}}`, 2),
    code: 'SAFETENSORS_BAD_SHAPE',
  },
  {
    name: 'shape not an array',
    bytes: fileFrom(`{"a":${entry('U8', 3, [0, 3])}}`, 3),
    code: 'SAFETENSORS_BAD_SHAPE',
  },
  {
    name: 'shape whose element count overflows',
    bytes: fileFrom(`{"a":${entry('U8', [2 ** 30, 2 ** 30, 2 ** 30], [0, 8])}}`, 8),
    code: 'SAFETENSORS_BAD_SHAPE',
  },
  {
    name: 'element count fine but byte size unsafe',
    bytes: fileFrom(`{"a":${entry('F64', [2 ** 26, 2 ** 26], [0, 8])}}`, 8),
    code: 'SAFETENSORS_SIZE_MISMATCH',
  },
  {
    name: 'shape × itemsize ≠ span',
    bytes: fileFrom(`{"a":${entry('F32', [2], [0, 4])}}`, 4),
    code: 'SAFETENSORS_SIZE_MISMATCH',
  },
  {
    name: 'missing data_offsets',
    bytes: fileFrom('{"a":{"dtype":"U8","shape":[1]}}', 1),
    code: 'SAFETENSORS_BAD_OFFSETS',
  },
  {
    name: 'three data_offsets',
    bytes: fileFrom(`{"a":${entry('U8', [1], [0, 1, 2])}}`, 1),
    code: 'SAFETENSORS_BAD_OFFSETS',
  },
  {
    name: 'negative offset',
    bytes: fileFrom(`{"a":${entry('U8', [1], [-1, 0])}}`, 1),
    code: 'SAFETENSORS_BAD_OFFSETS',
  },
  {
    name: 'offset beyond 2^53',
    bytes: fileFrom(`{"a":${entry('U8', [0], [2 ** 60, 2 ** 60])}}`),
    code: 'SAFETENSORS_BAD_OFFSETS',
  },
  {
    name: 'offsets reversed',
    bytes: fileFrom(`{"a":${entry('U8', [4], [4, 0])}}`, 4),
    code: 'SAFETENSORS_BAD_OFFSETS',
  },
  {
    name: 'offsets beyond data',
    bytes: fileFrom(`{"a":${entry('U8', [8], [0, 8])}}`, 4),
    code: 'SAFETENSORS_OFFSET_OUT_OF_BOUNDS',
  },
  {
    name: 'overlapping tensors',
    bytes: fileFrom(`{"a":${entry('U8', [4], [0, 4])},"b":${entry('U8', [4], [2, 6])}}`, 6),
    code: 'SAFETENSORS_OVERLAP',
  },
  {
    name: 'zero-size tensor inside another',
    bytes: fileFrom(`{"a":${entry('U8', [4], [0, 4])},"b":${entry('U8', [0], [2, 2])}}`, 4),
    code: 'SAFETENSORS_OVERLAP',
  },
  {
    name: 'gap between tensors',
    bytes: fileFrom(`{"a":${entry('U8', [2], [0, 2])},"b":${entry('U8', [2], [3, 5])}}`, 5),
    code: 'SAFETENSORS_GAP',
  },
  {
    name: 'first tensor not at 0',
    bytes: fileFrom(`{"a":${entry('U8', [2], [1, 3])}}`, 3),
    code: 'SAFETENSORS_GAP',
  },
  {
    name: 'data region longer than covered',
    bytes: fileFrom(`{"a":${entry('U8', [2], [0, 2])}}`, 5),
    code: 'SAFETENSORS_GAP',
  },
  { name: 'data but no tensors', bytes: fileFrom('{}', 3), code: 'SAFETENSORS_GAP' },
  {
    name: 'metadata with a non-string value',
    bytes: fileFrom('{"__metadata__":{"epoch":3}}'),
    code: 'SAFETENSORS_BAD_METADATA',
  },
  {
    name: 'metadata not an object',
    bytes: fileFrom('{"__metadata__":["pt"]}'),
    code: 'SAFETENSORS_BAD_METADATA',
  },
  {
    name: 'metadata null',
    bytes: fileFrom('{"__metadata__":null}'),
    code: 'SAFETENSORS_BAD_METADATA',
  },
];

describe('malformed safetensors corpus', () => {
  it('has at least 20 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('rejects $name with $code (in memory)', async ({ bytes, code }) => {
    await expectCode(() => parseSafetensors(bytes), code);
  });

  it.each(cases)('rejects $name with $code (from a file)', async ({ name, bytes, code }) => {
    const path = join(dir, `${name.replace(/[^a-z0-9]+/gi, '_')}.safetensors`);
    await writeFile(path, bytes);
    await expectCode(() => SafetensorsFile.open(path), code);
  });

  it('accepts the valid edge cases next to them', () => {
    expect(parseSafetensors(fileFrom('{}')).tensors()).toEqual([]);
    const st = parseSafetensors(
      fileFrom(
        `{"b":${entry('U8', [0], [2, 2])},"a":${entry('U8', [2], [0, 2])},"c":${entry('BOOL', [], [2, 3])}}  `,
        3,
      ),
    );
    expect(st.tensors().map((t) => t.name)).toEqual(['a', 'b', 'c']);
    expect(st.readRaw('b').length).toBe(0);
  });

  it('reports a missing file as FILE_NOT_FOUND', async () => {
    await expectCode(() => SafetensorsFile.open(join(dir, 'absent.safetensors')), 'FILE_NOT_FOUND');
  });
});
