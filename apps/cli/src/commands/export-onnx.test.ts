import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, stories } from '../../test/cli-harness';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-cli-onnx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('caldera export onnx', () => {
  it('writes the transformers.js layout for a llama2.c model, with its tokenizer (--json)', async () => {
    const out = join(dir, 'stories');
    const r = await cli('export', 'onnx', stories, '-o', out, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.compressed).toBe(false);
    expect(j.files.map((f: { file: string }) => f.file)).toEqual([
      'onnx/model.onnx',
      'onnx/model_fp16.onnx',
    ]);
    for (const f of [
      'config.json',
      'generation_config.json',
      'tok512.bin',
      'onnx/model.onnx',
      'onnx/model.onnx_data',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.model_type).toBe('llama');
    expect(config['transformers.js_config'].use_external_data_format['model.onnx']).toBe(1);
    expect(r.err).toMatch(/"task":"export-onnx"/);
  });

  it('refuses to overwrite without --overwrite, and a bad --caldera mode', async () => {
    const out = join(dir, 'twice');
    expect((await cli('export', 'onnx', stories, '-o', out, '--no-fp16')).code).toBe(0);
    const again = await cli('export', 'onnx', stories, '-o', out);
    expect(again.code).not.toBe(0);
    expect(again.err).toMatch(/\[FILE_WRITE_FAILED\].*already exists/);
    expect((await cli('export', 'onnx', stories, '-o', out, '--no-fp16', '--overwrite')).code).toBe(
      0,
    );
    const bad = await cli('export', 'onnx', stories, '-o', join(dir, 'x'), '--caldera', 'zip');
    expect(bad.err).toMatch(/\[INVALID_ARGUMENT\].*--caldera/);
    const missing = await cli('export', 'onnx', join(dir, 'nope.bin'), '-o', join(dir, 'y'));
    expect(missing.err).toMatch(/\[FILE_NOT_FOUND\]/);
  });

  it('exports the embedded model by default', async () => {
    const r = await cli('export', 'onnx', '-o', join(dir, 'embedded'), '--no-fp16');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/embedded default model/);
    expect(existsSync(join(dir, 'embedded', 'tokenizer.model'))).toBe(true);
  });
});
