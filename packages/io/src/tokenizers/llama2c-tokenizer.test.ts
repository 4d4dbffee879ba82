import { readFileSync } from 'node:fs';
import { isCalderaError } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { Llama2cTokenizer } from './llama2c-tokenizer';

const ASSETS = new URL('../../../../../shared/assets/', import.meta.url);
const asset = (p: string): Buffer => readFileSync(new URL(p, ASSETS));

const tok512 = Llama2cTokenizer.fromBytes(asset('models/stories260K/tok512.bin'));
const greedy = JSON.parse(asset('golden/stories260K_greedy.json').toString('utf8')) as {
  greedy_tokens: number[];
  greedy_text: string;
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isCalderaError(e) ? e.code : 'not-caldera';
  }
  return undefined;
}

/** Builds a tokenizer.bin image from pieces and scores. */
function binFile(maxLen: number, tokens: [string, number][]): Uint8Array {
  const enc = new TextEncoder();
  const parts = tokens.map(([p]) => enc.encode(p));
  const size = 4 + parts.reduce((a, p) => a + 8 + p.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setInt32(0, maxLen, true);
  let at = 4;
  tokens.forEach(([, score], i) => {
    view.setFloat32(at, score, true);
    view.setInt32(at + 4, parts[i]!.length, true);
    out.set(parts[i]!, at + 8);
    at += 8 + parts[i]!.length;
  });
  return out;
}

describe('Llama2cTokenizer on tok512.bin', () => {
  it('reads 512 tokens with the llama2.c conventions', () => {
    expect(tok512.vocabSize).toBe(512);
    expect(tok512.maxTokenLength).toBe(7);
    expect([tok512.unkId, tok512.bosId, tok512.eosId]).toEqual([0, 1, 2]);
    expect(tok512.idToPiece(13)).toBe('<0x0A>');
    expect(tok512.idToPiece(403)).toBe(' Once');
    expect(tok512.pieceToId(' the')).toBe(265);
    expect(
      Llama2cTokenizer.fromBytes(asset('models/stories260K/tok512.bin'), { vocabSize: 512 })
        .vocabSize,
    ).toBe(512);
  });

  it('decodes the 120 golden greedy tokens to the golden text', () => {
    expect(greedy.greedy_tokens).toHaveLength(121); // BOS + 120 generated
    expect(tok512.decode(greedy.greedy_tokens, { stripDummyPrefix: false })).toBe(
      greedy.greedy_text,
    );
    expect(tok512.decode(greedy.greedy_tokens)).toBe(greedy.greedy_text.slice(1));
  });

  it('re-encodes the golden text into exactly the greedy tokens', () => {
    expect(tok512.encode(greedy.greedy_text.slice(1), { bos: true })).toEqual(greedy.greedy_tokens);
  });

  it('streams the greedy tokens to the same text', () => {
    const s = tok512.createStreamDecoder({ stripDummyPrefix: false });
    const text = greedy.greedy_tokens.map((id) => s.push(id)).join('') + s.flush();
    expect(text).toBe(greedy.greedy_text);
  });

  it('round-trips TinyStories text, byte fallback included', () => {
    const text = asset('text/tinystories/tinystories_validation_head.txt')
      .toString('utf8')
      .slice(0, 100_000);
    const ids = tok512.encode(text);
    expect(tok512.decode(ids)).toBe(text);
    expect(ids.length).toBeLessThan(text.length / 2);
    const plain = Llama2cTokenizer.fromBytes(asset('models/stories260K/tok512.bin'), {
      chunkBeforeSpaces: false,
      cacheSize: 0,
    });
    const part = text.slice(0, 30_000);
    expect(tok512.encode(part)).toEqual(plain.encode(part)); // word by word = whole text
    const odd = 'naïve 🦙 — 日本';
    const oddIds = tok512.encode(odd);
    expect(oddIds.filter((id) => id >= 3 && id < 259).length).toBeGreaterThan(8);
    expect(tok512.decode(oddIds)).toBe(odd);
    expect(tok512.encode('')).toEqual([]);
    expect(tok512.encode('', { bos: true, eos: true })).toEqual([1, 2]);
  });

  it('drops BOS/EOS when decoding unless asked', () => {
    expect(tok512.decode([1, 403, 2])).toBe('Once');
    expect(tok512.decode([1, 403, 2], { skipSpecialTokens: false })).toBe('\n<s>\n Once\n</s>\n');
    expect(codeOf(() => tok512.decode([512]))).toBe('TOKENIZER_BAD_ID');
  });
});

describe('Llama2cTokenizer on llama2 tokenizer.bin', () => {
  it('gives the same ids as sentencepiece on the golden cases', () => {
    const tok = Llama2cTokenizer.fromBytes(asset('tokenizers/llama2/tokenizer.bin'));
    expect(tok.vocabSize).toBe(32000);
    const golden = JSON.parse(asset('golden/llama2_tokenizer_cases.json').toString('utf8')) as {
      cases: { text: string; ids: number[] }[];
    };
    for (const c of golden.cases) {
      expect(tok.encode(c.text)).toEqual(c.ids);
      expect(tok.decode(c.ids)).toBe(c.text);
    }
  });
});

describe('Llama2cTokenizer on hand-made files', () => {
  const bytes = Array.from({ length: 256 }, (_, b): [string, number] => [
    `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`,
    0,
  ]);
  const tokens: [string, number][] = [
    ['<unk>', 0],
    ['\n<s>\n', 0],
    ['\n</s>\n', 0],
    ...bytes,
    [' ', -1],
    ['a', -2],
    ['b', -3],
    ['ab', -4],
    [' a', -5],
    [' ab', -6],
  ];

  it('merges by score: the best pair first, leftmost on ties', () => {
    const tok = Llama2cTokenizer.fromBytes(binFile(3, tokens));
    // ' ab' → [' ', 'a', 'b']: 'ab' (-4) beats ' a' (-5); ' ' + 'ab' = ' ab'.
    expect(tok.encode('ab')).toEqual([264]);
    expect(tok.encode('ab a')).toEqual([264, 263]);
    expect(tok.encode('c')).toEqual([259, 3 + 0x63]);
  });

  it('rejects truncated and malformed files', () => {
    const file = binFile(3, tokens);
    expect(codeOf(() => Llama2cTokenizer.fromBytes(file.subarray(0, file.length - 1)))).toBe(
      'TOKENIZER_INVALID',
    );
    expect(codeOf(() => Llama2cTokenizer.fromBytes(file, { vocabSize: 1000 }))).toBe(
      'TOKENIZER_INVALID',
    );
    expect(codeOf(() => Llama2cTokenizer.fromBytes(Uint8Array.of(1, 0)))).toBe('TOKENIZER_INVALID');
    expect(codeOf(() => Llama2cTokenizer.fromBytes(binFile(0, tokens)))).toBe('TOKENIZER_INVALID');
    expect(codeOf(() => Llama2cTokenizer.fromBytes(file, { vocabSize: 2 }))).toBe(
      'TOKENIZER_INVALID',
    );
  });
});
