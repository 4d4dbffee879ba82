import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCalderaError } from '@caldera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from './load-tokenizer';

const ASSETS = new URL('../../../../../shared/assets/', import.meta.url);
const assetPath = (p: string): string => fileURLToPath(new URL(p, ASSETS));
const FIXTURE = fileURLToPath(new URL('./__fixtures__/tiny-tokenizer.json', import.meta.url));

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isCalderaError(e) ? e.code : 'not-caldera';
  }
  return undefined;
}

describe('loadTokenizer', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'caldera-tok-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a SentencePiece model from a model folder', async () => {
    const tok = await loadTokenizer(assetPath('models/pycode-6m'));
    expect(tok.kind).toBe('sentencepiece');
    expect(tok.vocabSize).toBe(4096);
  });

  it('prefers tokenizer.model over tokenizer.bin in the same folder', async () => {
    const tok = await loadTokenizer(assetPath('tokenizers/llama2'));
    expect(tok.kind).toBe('sentencepiece');
    expect(tok.encode('Hello world')).toEqual([15043, 3186]);
  });

  it('reads a llama2.c tokenizer file directly', async () => {
    const tok = await loadTokenizer(assetPath('models/stories260K/tok512.bin'), { vocabSize: 512 });
    expect(tok.kind).toBe('llama2c');
    expect(tok.encode('Once upon a time', { bos: true })).toEqual([1, 403, 407, 261, 378]);
  });

  it('reads tokenizer.json with tokenizer_config.json from a folder', async () => {
    const folder = join(dir, 'hf');
    await mkdir(folder);
    await copyFile(FIXTURE, join(folder, 'tokenizer.json'));
    await writeFile(join(folder, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<s>' }));
    const tok = await loadTokenizer(folder);
    expect(tok.kind).toBe('huggingface');
    expect(tok.encode('lower', { bos: true })).toEqual([1, 11, 12]);
  });

  it('reports missing paths and empty folders', async () => {
    expect(await codeOf(loadTokenizer(join(dir, 'nope')))).toBe('FILE_NOT_FOUND');
    expect(await codeOf(loadTokenizer(dir))).toBe('FILE_NOT_FOUND');
    await writeFile(join(dir, 'broken.json'), '{ not json');
    expect(await codeOf(loadTokenizer(join(dir, 'broken.json')))).toBe('TOKENIZER_INVALID');
  });
});
