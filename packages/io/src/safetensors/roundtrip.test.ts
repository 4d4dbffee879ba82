import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { float32ToBfloat16Bits, float32ToFloat16Bits } from '@caldera/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from './file-reader';
import { parseSafetensors } from './parse';
import { serializeSafetensors, type TensorWithData } from './serialize';
import { expectCode, fileFrom, filesIn, metadataArb, tempDir, tensorsArb } from './test-helpers';
import { SafetensorsWriter, type TensorWriteEntry, writeSafetensorsFile } from './writer';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Splits bytes into chunks at the given cut points, as a generator (a streaming source). */
function chunked(data: Uint8Array, cuts: number[]): () => Generator<Uint8Array> {
  return function* () {
    const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
    let pos = 0;
    for (const p of points) {
      yield data.subarray(pos, p);
      pos = p;
    }
    yield data.subarray(pos);
  };
}

function checkMatches(
  st: { tensors(): { name: string; dtype: string; shape: number[] }[] },
  tensors: TensorWithData[],
) {
  const got = new Map(st.tensors().map((t) => [t.name, t]));
  expect(got.size).toBe(tensors.length);
  for (const t of tensors) {
    expect(got.get(t.name)?.dtype).toBe(t.dtype);
    expect(got.get(t.name)?.shape).toEqual(t.shape);
  }
}

describe('in-memory round trip', () => {
  it('parse(serialize(x)) gives the same tensors, and serialize(parse(b)) the same bytes', () => {
    fc.assert(
      fc.property(tensorsArb, metadataArb, (tensors, metadata) => {
        const bytes = serializeSafetensors(tensors, metadata);
        expect(new DataView(bytes.buffer).getUint32(0, true) % 8).toBe(0);
        const st = parseSafetensors(bytes);
        checkMatches(st, tensors);
        expect(st.metadata).toEqual(metadata);
        for (const t of tensors)
          expect(sameBytes(st.readRaw(t.name), t.data as Uint8Array)).toBe(true);
        const again = serializeSafetensors(
          st.tensors().map((t) => ({ ...t, data: st.readRaw(t.name) })),
          st.metadata,
        );
        expect(sameBytes(again, bytes)).toBe(true);
        // the input order does not matter
        expect(sameBytes(serializeSafetensors(tensors.slice().reverse(), metadata), bytes)).toBe(
          true,
        );
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('writes the canonical layout: bigger items first, then names; metadata last', () => {
    const bytes = serializeSafetensors(
      [
        { name: 'b', dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
        { name: 'a', dtype: 'U8', shape: [], data: new Uint8Array([9]) },
        { name: 'z', dtype: 'F64', shape: [1], data: new Float64Array([0.5]) },
      ],
      { version: '1', format: 'pt' },
    );
    const len = new DataView(bytes.buffer).getUint32(0, true);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + len));
    const json =
      '{"z":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"U8","shape":[],"data_offsets":[8,9]},' +
      '"b":{"dtype":"U8","shape":[3],"data_offsets":[9,12]},"__metadata__":{"format":"pt","version":"1"}}';
    expect(len).toBe(Math.ceil(json.length / 8) * 8);
    expect(header).toBe(json.padEnd(len, ' '));
    expect(len % 8).toBe(0);
    expect(Array.from(bytes.subarray(8 + len + 8))).toEqual([9, 1, 2, 3]);
  });

  it('rejects data of the wrong size, duplicate names and reserved names', async () => {
    await expectCode(
      () =>
        serializeSafetensors([{ name: 'w', dtype: 'F32', shape: [2], data: new Float32Array(3) }]),
      'SAFETENSORS_SIZE_MISMATCH',
    );
    await expectCode(
      () =>
        serializeSafetensors([
          { name: 'w', dtype: 'U8', shape: [1], data: new Uint8Array(1) },
          { name: 'w', dtype: 'U8', shape: [1], data: new Uint8Array(1) },
        ]),
      'SAFETENSORS_DUPLICATE_TENSOR',
    );
    await expectCode(
      () =>
        serializeSafetensors([
          { name: '__metadata__', dtype: 'U8', shape: [1], data: new Uint8Array(1) },
        ]),
      'SAFETENSORS_BAD_TENSOR_ENTRY',
    );
    await expectCode(
      () => serializeSafetensors([], { a: 1 as unknown as string }),
      'SAFETENSORS_BAD_METADATA',
    );
  });
});

describe('float32 reads', () => {
  const values = new Float32Array([1, -2.5, 0.333333, 65504, 1e-7, Number.NEGATIVE_INFINITY]);
  const tensors: TensorWithData[] = [
    { name: 'f32', dtype: 'F32', shape: [2, 3], data: values },
    { name: 'f16', dtype: 'F16', shape: [6], data: float32ToFloat16Bits(values) },
    { name: 'bf16', dtype: 'BF16', shape: [6], data: float32ToBfloat16Bits(values) },
    {
      name: 'f64',
      dtype: 'F64',
      shape: [3, 2],
      data: Float64Array.from([1, -2.5, 1 / 3, 65504, 1e-7, -1e300]),
    },
    { name: 'i8', dtype: 'I8', shape: [2], data: new Int8Array([1, -1]) },
  ];

  it('converts F16, BF16 and F64 and copies F32, in memory and from a file', async () => {
    const bytes = serializeSafetensors(tensors);
    const path = join(dir, 'floats.safetensors');
    await writeFile(path, bytes);
    const file = await SafetensorsFile.open(path);
    const mem = parseSafetensors(bytes);
    for (const read of [(n: string) => mem.readFloat32(n), (n: string) => file.readFloat32(n)]) {
      expect(Array.from(await read('f32'))).toEqual(Array.from(values));
      expect(Array.from(await read('f16'))).toEqual([
        1,
        -2.5,
        0.333251953125,
        65504,
        1.1920928955078125e-7,
        Number.NEGATIVE_INFINITY,
      ]);
      expect(Array.from(await read('bf16'))).toEqual([
        1,
        -2.5,
        0.333984375,
        65536,
        1.0011717677116394e-7,
        Number.NEGATIVE_INFINITY,
      ]);
      expect(Array.from(await read('f64'))).toEqual([
        1,
        -2.5,
        Math.fround(1 / 3),
        65504,
        Math.fround(1e-7),
        Number.NEGATIVE_INFINITY,
      ]);
      await expectCode(() => read('i8'), 'UNSUPPORTED_DTYPE');
      await expectCode(() => read('nope'), 'TENSOR_NOT_FOUND');
    }
    const buffer = new Uint8Array(64).fill(0xee);
    const view = await file.readRawInto('f16', buffer);
    expect(view.buffer).toBe(buffer.buffer);
    expect(Array.from(view)).toEqual(Array.from(mem.readRaw('f16')));
    expect(buffer[12]).toBe(0xee);
    await expectCode(() => file.readRawInto('f64', new Uint8Array(47)), 'INVALID_ARGUMENT');
    await file.close();
    await file.close();
    await expectCode(() => file.readRaw('f32'), 'FILE_READ_FAILED');
  });

  it('reads tensors at unaligned offsets of a foreign file', () => {
    // header of odd length (a valid file that is not in canonical padding), F64 then F32
    const header =
      '{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}';
    const bytes = fileFrom(`${header} `, 12);
    expect((8 + header.length + 1) % 4).not.toBe(0);
    const view = new DataView(bytes.buffer, 8 + header.length + 1);
    view.setFloat64(0, 0.1, true);
    view.setFloat32(8, -3.5, true);
    const st = parseSafetensors(bytes);
    expect(st.readFloat32('a')[0]).toBe(Math.fround(0.1));
    expect(st.readFloat32('b')[0]).toBe(-3.5);
  });
});

describe('file round trip', () => {
  it('streams chunked data to disk byte-identically to serializeSafetensors, and back', async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(
        tensorsArb,
        metadataArb,
        fc.array(fc.nat(200), { maxLength: 4 }),
        async (tensors, metadata, cuts) => {
          const path = join(dir, `rt-${k++}.safetensors`);
          const entries: TensorWriteEntry[] = tensors.map((t, i) => ({
            ...t,
            data: i % 2 === 0 ? chunked(t.data as Uint8Array, cuts)() : t.data,
          }));
          await writeSafetensorsFile(path, entries, { metadata });
          const onDisk = new Uint8Array(await readFile(path));
          expect(sameBytes(onDisk, serializeSafetensors(tensors, metadata))).toBe(true);
          const st = await SafetensorsFile.open(path);
          checkMatches(st, tensors);
          expect(st.metadata).toEqual(metadata);
          const copy = `${path}.copy`;
          await writeSafetensorsFile(
            copy,
            st.tensors().map((t) => ({ ...t, data: () => st.readRaw(t.name) })),
            { metadata: st.metadata },
          );
          await st.close();
          expect(sameBytes(new Uint8Array(await readFile(copy)), onDisk)).toBe(true);
          await rm(path);
          await rm(copy);
        },
      ),
      { seed: 7, numRuns: 30 },
    );
    expect((await filesIn(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves the old target untouched and no temporary file when a write fails', async () => {
    const path = join(dir, 'keep.safetensors');
    await writeFile(path, 'old contents');
    await expectCode(
      () =>
        writeSafetensorsFile(path, [
          { name: 'a', dtype: 'F32', shape: [4], data: new Float32Array(4) },
          { name: 'b', dtype: 'F32', shape: [4], data: [new Float32Array(3), new Float32Array(3)] },
        ]),
      'SAFETENSORS_SIZE_MISMATCH',
    );
    await expectCode(
      () =>
        writeSafetensorsFile(path, [
          { name: 'b', dtype: 'F32', shape: [4], data: [new Float32Array(3)] },
        ]),
      'SAFETENSORS_SIZE_MISMATCH',
    );
    const ac = new AbortController();
    ac.abort();
    await expectCode(
      () =>
        writeSafetensorsFile(
          path,
          [{ name: 'a', dtype: 'U8', shape: [1], data: new Uint8Array(1) }],
          { signal: ac.signal },
        ),
      'ABORTED',
    );
    await expectCode(
      () =>
        writeSafetensorsFile(path, [
          {
            name: 'a',
            dtype: 'U8',
            shape: [1],
            data: () => {
              throw new Error('source failed');
            },
          },
        ]),
      'FILE_WRITE_FAILED',
    );
    expect(await readFile(path, 'utf8')).toBe('old contents');
    expect((await filesIn(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('accepts tensors in any order through SafetensorsWriter and checks completeness', async () => {
    const path = join(dir, 'w.safetensors');
    const specs = [
      { name: 'x', dtype: 'I16' as const, shape: [2] },
      { name: 'y', dtype: 'I64' as const, shape: [1] },
    ];
    const w = await SafetensorsWriter.create(path, specs, { metadata: { k: 'v' } });
    await w.writeTensor('x', new Int16Array([-1, 7]));
    await expectCode(() => w.writeTensor('x', new Int16Array(2)), 'INVALID_ARGUMENT');
    await expectCode(() => w.writeTensor('q', new Int16Array(2)), 'TENSOR_NOT_FOUND');
    await expectCode(() => w.commit(), 'MISSING_TENSOR');
    await w.writeTensor(
      'y',
      (async function* () {
        yield new BigInt64Array([-5n]);
      })(),
    );
    await w.commit();
    const st = parseSafetensors(new Uint8Array(await readFile(path)));
    expect(Array.from(new Int16Array(st.readRaw('x').slice().buffer))).toEqual([-1, 7]);
    expect(Array.from(new BigInt64Array(st.readRaw('y').slice().buffer))).toEqual([-5n]);
    expect(st.metadata).toEqual({ k: 'v' });
  });

  it('reports progress in bytes', async () => {
    const events: number[] = [];
    const layout = await writeSafetensorsFile(
      join(dir, 'p.safetensors'),
      [{ name: 'a', dtype: 'F32', shape: [8], data: [new Float32Array(4), new Float32Array(4)] }],
      { onProgress: (e) => e.type === 'progress' && events.push(e.current) },
    );
    expect(events).toEqual([layout.dataOffset + 16, layout.totalBytes]);
  });
});
