import { readFileSync } from 'node:fs';
import { isCalderaError } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { parseSentencePieceModel, type SentencePieceModelData } from './sentencepiece-model';
import { SentencePieceTokenizer } from './sentencepiece-tokenizer';

const ASSETS = new URL('../../../../../shared/assets/', import.meta.url);
const asset = (p: string): Buffer => readFileSync(new URL(p, ASSETS));

interface Case {
  text: string;
  ids: number[];
  pieces: string[];
}

const llama2 = SentencePieceTokenizer.fromBytes(asset('tokenizers/llama2/tokenizer.model'));
const pycode = SentencePieceTokenizer.fromBytes(asset('models/pycode-6m/tokenizer.model'));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isCalderaError(e) ? e.code : 'not-caldera';
  }
  return undefined;
}

describe('SentencePieceTokenizer on the Llama 2 tokenizer.model', () => {
  const golden = JSON.parse(asset('golden/llama2_tokenizer_cases.json').toString('utf8')) as {
    cases: Case[];
  };

  it('reads the model header fields', () => {
    expect(llama2.vocabSize).toBe(32000);
    expect([llama2.bosId, llama2.eosId, llama2.model.unkId]).toEqual([1, 2, 0]);
    expect(llama2.model.byteFallback).toBe(true);
    expect(llama2.model.removeExtraWhitespaces).toBe(false);
    expect(llama2.idToPiece(259)).toBe('▁▁');
    expect(llama2.pieceToId('<0x0A>')).toBe(13);
  });

  it.each(
    golden.cases.map((c) => [JSON.stringify(c.text), c] as const),
  )('encodes %s exactly like sentencepiece', (_, c) => {
    const ids = llama2.encode(c.text);
    expect(ids).toEqual(c.ids);
    expect(ids.map((id) => llama2.idToPiece(id))).toEqual(c.pieces);
    expect(llama2.decode(ids)).toBe(c.text);
  });

  it('adds BOS/EOS on request and drops them when decoding', () => {
    const ids = llama2.encode('Hello world', { bos: true, eos: true });
    expect(ids).toEqual([1, 15043, 3186, 2]);
    expect(llama2.decode(ids)).toBe('Hello world');
    expect(llama2.decode(ids, { skipSpecialTokens: false })).toBe('<s> Hello world</s>');
    expect(llama2.decode(ids, { stripDummyPrefix: false })).toBe(' Hello world');
  });

  it('streams byte tokens into whole characters', () => {
    const text = 'emoji 🦙🔥 and CJK 日本語';
    const ids = llama2.encode(text, { bos: true });
    const stream = llama2.createStreamDecoder();
    const chunks = ids.map((id) => stream.push(id));
    chunks.push(stream.flush());
    expect(chunks.join('')).toBe(text);
    expect(chunks.some((c) => c.includes('\uFFFD'))).toBe(false);
    // The four byte tokens of 🦙 produce nothing until the last one.
    const first = ids.indexOf(243);
    expect(chunks.slice(first, first + 3)).toEqual(['', '', '']);
    expect(chunks[first + 3]).toBe('🦙');
  });

  it('rejects bad ids', () => {
    expect(codeOf(() => llama2.decode([32000]))).toBe('TOKENIZER_BAD_ID');
    expect(codeOf(() => llama2.decode([-1]))).toBe('TOKENIZER_BAD_ID');
    expect(codeOf(() => llama2.idToPiece(1.5))).toBe('TOKENIZER_BAD_ID');
  });
});

describe('SentencePieceTokenizer on pycode-6m', () => {
  it('matches the official ids of the golden function (BOS first)', () => {
    const g = JSON.parse(asset('golden/pycode6m_forward.json').toString('utf8')) as {
      text: string;
      ids: number[];
    };
    expect(pycode.encode(g.text, { bos: true })).toEqual(g.ids);
    expect(pycode.decode(g.ids)).toBe(g.text);
  });

  const heldout = asset('models/pycode-6m/heldout_dev.txt').toString('utf8');

  it('round-trips the whole held-out file quickly', () => {
    expect(heldout.length).toBeGreaterThan(400_000);
    const fresh = SentencePieceTokenizer.fromBytes(asset('models/pycode-6m/tokenizer.model'));
    const text = heldout;
    const t0 = performance.now();
    const ids = fresh.encode(text);
    const ms = performance.now() - t0;
    expect(pycode.decode(ids)).toBe(text);
    // ~3.4 characters per token on Python source; generous time bound for a loaded machine.
    expect(ids.length).toBeGreaterThan(text.length / 5);
    expect(ids.length).toBeLessThan(text.length / 2);
    expect(ms).toBeLessThan(10_000);
  });

  it('gives the same ids word by word (cached) as on the whole text', () => {
    const model = parseSentencePieceModel(asset('models/pycode-6m/tokenizer.model'));
    const plain = new SentencePieceTokenizer(model, { chunkBeforeSpaces: false, cacheSize: 0 });
    const text = heldout.slice(100_000, 160_000);
    expect(pycode.encode(text)).toEqual(plain.encode(text));
    expect(pycode.encode(text)).toEqual(plain.encode(text)); // second pass: from the cache
  });
});

/** A hand-made BPE model: pieces with scores and types, everything else default. */
function tinyModel(
  pieces: [string, number, number][],
  over: Partial<SentencePieceModelData> = {},
): SentencePieceModelData {
  return {
    pieces: pieces.map((p) => p[0]),
    scores: Float32Array.from(pieces.map((p) => p[1])),
    types: Uint8Array.from(pieces.map((p) => p[2])),
    modelType: 2,
    byteFallback: false,
    treatWhitespaceAsSuffix: false,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    unkSurface: ' \u2047 ',
    normalizerName: 'identity',
    charsmapLength: 0,
    addDummyPrefix: true,
    removeExtraWhitespaces: false,
    escapeWhitespaces: true,
    ...over,
  };
}

describe('SentencePieceTokenizer on hand-made models', () => {
  const base: [string, number, number][] = [
    ['<unk>', 0, 2],
    ['<s>', 0, 3],
    ['</s>', 0, 3],
    ['▁', -1, 1],
    ['a', -2, 1],
    ['b', -3, 1],
    ['▁a', -4, 1],
    ['ab', -5, 1],
    ['<sep>', 0, 4],
  ];

  it('gives one unknown id for a run of unknown characters without byte fallback', () => {
    const tok = new SentencePieceTokenizer(tinyModel(base));
    expect(tok.encode('axyb')).toEqual([6, 0, 5]);
    expect(tok.decode([6, 0, 5])).toBe('a ⁇ b');
  });

  it('keeps user-defined pieces whole', () => {
    const tok = new SentencePieceTokenizer(tinyModel(base));
    expect(tok.encode('a<sep>ab')).toEqual([6, 8, 7]);
    expect(tok.decode([6, 8, 7])).toBe('a<sep>ab');
  });

  it('re-splits unused pieces into their parts', () => {
    const withUnused = base.map((p): [string, number, number] =>
      p[0] === 'ab' ? ['ab', -5, 5] : p,
    );
    const tok = new SentencePieceTokenizer(tinyModel(withUnused));
    expect(tok.encode('ab').map((id) => tok.idToPiece(id))).toEqual(['▁a', 'b']);
    expect(tok.encode('bab').map((id) => tok.idToPiece(id))).toEqual(['▁', 'b', 'a', 'b']);
  });

  it('collapses extra spaces when the normaliser asks for it', () => {
    const tok = new SentencePieceTokenizer(tinyModel(base, { removeExtraWhitespaces: true }));
    expect(tok.normalize('  a   b ')).toBe('▁a▁b');
    expect(tok.encode('   ')).toEqual([]);
  });

  it('rejects unsupported and invalid models', () => {
    const m = parseSentencePieceModel(asset('models/pycode-6m/tokenizer.model'));
    expect(codeOf(() => new SentencePieceTokenizer({ ...m, modelType: 1 }))).toBe(
      'TOKENIZER_UNSUPPORTED',
    );
    expect(codeOf(() => new SentencePieceTokenizer({ ...m, charsmapLength: 10 }))).toBe(
      'TOKENIZER_UNSUPPORTED',
    );
    expect(codeOf(() => new SentencePieceTokenizer({ ...m, unkId: 5 }))).toBe('TOKENIZER_INVALID');
    expect(codeOf(() => SentencePieceTokenizer.fromBytes(Uint8Array.of(0xff, 0xff, 0xff)))).toBe(
      'TOKENIZER_INVALID',
    );
    const noBytes = tinyModel(base, { byteFallback: true });
    expect(codeOf(() => new SentencePieceTokenizer(noBytes))).toBe('TOKENIZER_INVALID');
  });
});
