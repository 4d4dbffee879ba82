import { readFileSync } from 'node:fs';
import { isCalderaError } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { loadHfTokenizer } from './hf-tokenizer';

/** A tiny Llama-style BPE tokenizer.json (Metaspace pre-tokenizer and decoder). */
const tinyTokenizerJson = (): unknown =>
  JSON.parse(readFileSync(new URL('./__fixtures__/tiny-tokenizer.json', import.meta.url), 'utf8'));

const config = {
  bos_token: '<s>',
  eos_token: { content: '</s>' },
  clean_up_tokenization_spaces: false,
};

describe('loadHfTokenizer', () => {
  const tok = loadHfTokenizer(tinyTokenizerJson(), config);

  it('encodes with the BPE merges of tokenizer.json', () => {
    expect(tok.kind).toBe('huggingface');
    expect(tok.vocabSize).toBe(13);
    expect([tok.bosId, tok.eosId]).toEqual([1, 2]);
    expect(tok.encode('lower')).toEqual([11, 12]);
    expect(tok.encode('low lower')).toEqual([11, 11, 12]);
    expect(tok.encode('lower', { bos: true, eos: true })).toEqual([1, 11, 12, 2]);
    expect(tok.encode('')).toEqual([]);
    expect(tok.idToPiece(11)).toBe('▁low');
    expect(tok.pieceToId('er')).toBe(12);
    expect(tok.pieceToId('zzz')).toBeUndefined();
  });

  it('decodes, dropping special tokens by default', () => {
    expect(tok.decode([1, 11, 11, 12, 2])).toBe('low lower');
    expect(tok.decode([])).toBe('');
  });

  it('streams the same text as a batch decode', () => {
    const ids = tok.encode('low lower low', { bos: true });
    const s = tok.createStreamDecoder();
    const chunks = ids.map((id) => s.push(id));
    expect(chunks.join('') + s.flush()).toBe('low lower low');
    expect(chunks.filter((c) => c.length > 0).length).toBeGreaterThan(2);
  });

  it('reports bad ids and bad JSON with caldera codes', () => {
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return isCalderaError(e) ? e.code : 'not-caldera';
      }
      return undefined;
    };
    expect(code(() => tok.decode([99]))).toBe('TOKENIZER_BAD_ID');
    expect(code(() => loadHfTokenizer({ nothing: true }))).toBe('TOKENIZER_INVALID');
    expect(code(() => loadHfTokenizer({ model: { type: 'Nope' } }))).toBe('TOKENIZER_INVALID');
  });

  it('has no BOS/EOS without a config naming them', () => {
    const bare = loadHfTokenizer(tinyTokenizerJson());
    expect([bare.bosId, bare.eosId]).toEqual([-1, -1]);
    expect(bare.encode('low', { bos: true })).toEqual([11]);
  });
});
