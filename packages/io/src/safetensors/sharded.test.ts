import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from './file-reader';
import { serializeSafetensors } from './serialize';
import { openSafetensorsModel, ShardedSafetensors } from './sharded-reader';
import { planShards, shardFileName, writeShardedSafetensors } from './sharded-writer';
import { expectCode, filesIn, metadataArb, tempDir, tensorsArb } from './test-helpers';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  const d = join(root, `d${n++}`);
  await mkdir(d);
  return d;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe('sharded write and read', () => {
  it('round-trips random tensors through shards and the index', async () => {
    await fc.assert(
      fc.asyncProperty(
        tensorsArb,
        metadataArb,
        fc.integer({ min: 1, max: 300 }),
        async (tensors, metadata, max) => {
          const dir = await freshDir();
          const result = await writeShardedSafetensors(dir, tensors, {
            maxShardBytes: max,
            metadata,
          });
          const st = await ShardedSafetensors.open(dir);
          // an empty checkpoint has one empty shard, which its (empty) weight map cannot name
          expect(st.shardFiles).toEqual(tensors.length > 0 ? result.files : []);
          expect(
            st
              .tensors()
              .map((t) => t.name)
              .sort(),
          ).toEqual(tensors.map((t) => t.name).sort());
          let total = 0;
          for (const t of tensors) {
            const raw = await st.readRaw(t.name);
            expect(same(raw, t.data as Uint8Array)).toBe(true);
            expect(st.tensor(t.name).shape).toEqual(t.shape);
            total += raw.length;
          }
          expect(result.totalSize).toBe(total);
          expect(st.indexMetadata).toEqual({ total_size: total });
          if (tensors.length > 0) expect(st.metadata).toEqual(metadata);
          // each shard respects the limit unless it holds a single oversized tensor
          for (const f of result.files) {
            const shard = await SafetensorsFile.open(join(dir, f));
            const bytes = shard
              .tensors()
              .reduce((a, t) => a + t.dataOffsets[1] - t.dataOffsets[0], 0);
            expect(bytes <= max || shard.tensors().length === 1).toBe(true);
            await shard.close();
          }
          await st.close();
          expect((await filesIn(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
        },
      ),
      { seed: 3, numRuns: 20 },
    );
  });

  it('names shards like Hugging Face and writes the index JSON', async () => {
    const dir = await freshDir();
    const t = (name: string) => ({
      name,
      dtype: 'F32' as const,
      shape: [4],
      data: new Float32Array(4).fill(name.length),
    });
    const r = await writeShardedSafetensors(dir, [t('a'), t('bb'), t('ccc')], {
      maxShardBytes: 32,
    });
    expect(r.files).toEqual([shardFileName('model', 1, 2), shardFileName('model', 2, 2)]);
    expect(r.files[0]).toBe('model-00001-of-00002.safetensors');
    const index = JSON.parse(await readFile(join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(index).toEqual({
      metadata: { total_size: 48 },
      weight_map: { a: r.files[0], bb: r.files[0], ccc: r.files[1] },
    });
    expect(planShards([t('a'), t('bb'), t('ccc')], 1).map((s) => s.map((x) => x.name))).toEqual([
      ['a'],
      ['bb'],
      ['ccc'],
    ]);
    await expectCode(() => planShards([], 0), 'INVALID_ARGUMENT');
    const src = await openSafetensorsModel(dir);
    expect(src).toBeInstanceOf(ShardedSafetensors);
    expect(Array.from(await src.readFloat32('ccc'))).toEqual([3, 3, 3, 3]);
    await expectCode(() => src.readRaw('zzz'), 'TENSOR_NOT_FOUND');
    await src.close();
  });

  it('openSafetensorsModel prefers model.safetensors and reports an empty folder', async () => {
    const dir = await freshDir();
    await expectCode(() => openSafetensorsModel(dir), 'FILE_NOT_FOUND');
    await writeFile(
      join(dir, 'model.safetensors'),
      serializeSafetensors([{ name: 'w', dtype: 'U8', shape: [1], data: new Uint8Array([5]) }]),
    );
    await writeFile(join(dir, 'model.safetensors.index.json'), 'not even json');
    const src = await openSafetensorsModel(dir);
    expect(src).toBeInstanceOf(SafetensorsFile);
    expect(Array.from(await src.readRaw('w'))).toEqual([5]);
    await src.close();
  });
});

describe('index validation', () => {
  const shardA = serializeSafetensors([
    { name: 'a', dtype: 'U8', shape: [1], data: new Uint8Array([1]) },
    { name: 'b', dtype: 'U8', shape: [1], data: new Uint8Array([2]) },
  ]);
  const shardB = serializeSafetensors([
    { name: 'c', dtype: 'U8', shape: [1], data: new Uint8Array([3]) },
  ]);
  const shardDup = serializeSafetensors([
    { name: 'b', dtype: 'U8', shape: [1], data: new Uint8Array([2]) },
    { name: 'c', dtype: 'U8', shape: [1], data: new Uint8Array([3]) },
  ]);

  async function setup(index: unknown, second: Uint8Array = shardB): Promise<string> {
    const dir = await freshDir();
    await writeFile(join(dir, 'A.safetensors'), shardA);
    await writeFile(join(dir, 'B.safetensors'), second);
    const text = typeof index === 'string' ? index : JSON.stringify(index);
    await writeFile(join(dir, 'model.safetensors.index.json'), text);
    return dir;
  }
  const good = { a: 'A.safetensors', b: 'A.safetensors', c: 'B.safetensors' };

  it('opens a valid index by folder or by index path', async () => {
    const dir = await setup({ metadata: {}, weight_map: good });
    for (const p of [dir, join(dir, 'model.safetensors.index.json')]) {
      const st = await ShardedSafetensors.open(p);
      expect(st.tensors().map((t) => t.name)).toEqual(['a', 'b', 'c']);
      expect(st.shardOf('c')).toBe('B.safetensors');
      expect(Array.from(await st.readRaw('c'))).toEqual([3]);
      await st.close();
    }
  });

  const bad: Array<[string, unknown, Uint8Array | undefined, string]> = [
    ['index that is not JSON', '{"weight_map":', undefined, 'SAFETENSORS_BAD_INDEX'],
    ['index that is an array', '[]', undefined, 'SAFETENSORS_BAD_INDEX'],
    ['weight_map missing', { metadata: {} }, undefined, 'SAFETENSORS_BAD_INDEX'],
    ['weight_map value not a string', { weight_map: { a: 1 } }, undefined, 'SAFETENSORS_BAD_INDEX'],
    [
      'shard path escaping the folder',
      { weight_map: { a: '../A.safetensors' } },
      undefined,
      'SAFETENSORS_BAD_INDEX',
    ],
    [
      'metadata not an object',
      { metadata: 5, weight_map: good },
      undefined,
      'SAFETENSORS_BAD_INDEX',
    ],
    [
      'index pointing to a missing shard',
      { weight_map: { ...good, d: 'C.safetensors' } },
      undefined,
      'SAFETENSORS_BAD_INDEX',
    ],
    [
      'tensor listed but absent from its shard',
      { weight_map: { ...good, c: 'A.safetensors' } },
      undefined,
      'SAFETENSORS_BAD_INDEX',
    ],
    [
      'shard holding an unlisted tensor',
      { weight_map: { a: 'A.safetensors', c: 'B.safetensors' } },
      undefined,
      'SAFETENSORS_BAD_INDEX',
    ],
    ['tensor stored in two shards', { weight_map: good }, shardDup, 'SAFETENSORS_DUPLICATE_TENSOR'],
    ['malformed shard', { weight_map: good }, new Uint8Array(3), 'SAFETENSORS_TOO_SMALL'],
  ];

  it.each(bad)('rejects %s', async (_name, index, second, code) => {
    const dir = await setup(index, second);
    await expectCode(() => ShardedSafetensors.open(dir), code as 'SAFETENSORS_BAD_INDEX');
  });

  it('reports a missing index as FILE_NOT_FOUND', async () => {
    const dir = await freshDir();
    await expectCode(() => ShardedSafetensors.open(dir), 'FILE_NOT_FOUND');
  });
});
