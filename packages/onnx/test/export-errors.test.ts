// Bad input to exportOnnx / OrtDecoder is a CalderaError with a specific code, and a failed
// export leaves nothing behind.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, OrtDecoder, type OrtModuleLike } from '../src/index';
import { loadFloat, STORIES } from './helpers';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-onnx-err-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: { code?: string }) => e.code,
  );

describe('exportOnnx errors', () => {
  it('names the problem with a code', async () => {
    expect(await code(exportOnnx(join(dir, 'missing.bin'), join(dir, 'a')))).toBe('FILE_NOT_FOUND');
    await mkdir(join(dir, 'exists'));
    expect(await code(exportOnnx(STORIES, join(dir, 'exists')))).toBe('FILE_WRITE_FAILED');
    expect(await code(exportOnnx(STORIES, ''))).toBe('INVALID_ARGUMENT');
    expect(await code(exportOnnx(STORIES, join(dir, 'b'), { maxPositions: 0 }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      await code(exportOnnx(STORIES, join(dir, 'c'), { tokenizerFiles: [join(dir, 'no.bin')] })),
    ).toBe('FILE_NOT_FOUND');
    const model = await loadFloat(STORIES);
    const bad = [
      { suffix: 'x', weightDtype: 'float32', caldera: 'decode', uniform: 'dense' },
    ] as never;
    expect(await code(exportOnnx(model, join(dir, 'd'), { variants: bad }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await code(exportOnnx(model, join(dir, 'e'), { variants: [] }))).toBe(
      'INVALID_ARGUMENT',
    );
    const ac = new AbortController();
    ac.abort();
    expect(await code(exportOnnx(model, join(dir, 'f'), { signal: ac.signal }))).toBe('ABORTED');
    // nothing half-written is left
    expect(readdirSync(dir).sort()).toEqual(['exists']);
  });

  it('OrtDecoder rejects bad shapes and tokens', async () => {
    const model = await loadFloat(STORIES);
    const out = join(dir, 'ok');
    await exportOnnx(model, out, {
      variants: [{ suffix: '', weightDtype: 'float32', caldera: 'decode', uniform: 'dense' }],
    });
    expect(existsSync(join(out, 'onnx/model.onnx_data'))).toBe(true);
    const o = ort as unknown as OrtModuleLike;
    expect(
      await code(
        OrtDecoder.create(o, join(out, 'onnx/model.onnx'), {
          numLayers: 0,
          numKvHeads: 4,
          headDim: 8,
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
    const dec = await OrtDecoder.create(o, join(out, 'onnx/model.onnx'), model.config);
    expect(await code(dec.forward([]))).toBe('INVALID_ARGUMENT');
    expect(await code(dec.forward([1.5]))).toBe('INVALID_ARGUMENT');
  });
});
