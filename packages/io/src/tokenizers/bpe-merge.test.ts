import { Rng } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { type BpeMergeResult, bpeMergeIds, bpeMergeReference } from './bpe-merge';
import { type BpeVocab, buildMergeTable } from './bpe-merge-table';

function vocabOf(entries: [string, number][]): BpeVocab {
  return {
    pieceIds: new Map(entries.map(([p], i) => [p, i])),
    scores: Float32Array.from(entries.map(([, s]) => s)),
  };
}

/** Runs the fast id-based path on strings (characters that are not pieces get extra ids). */
function bpeMerge(
  symbols: string[],
  frozen: Uint8Array | null,
  vocab: BpeVocab,
  onMerge?: (merged: string, left: string, right: string) => void,
): BpeMergeResult {
  const table = buildMergeTable(vocab, true);
  const idOf = (s: string): number => vocab.pieceIds.get(s) ?? table.charIds.get(s) ?? -1;
  const ids = Int32Array.from(symbols, idOf);
  const str = (id: number): string => table.strings[id]!;
  const r = bpeMergeIds(ids, frozen, table, (m, l, rr) => onMerge?.(str(m), str(l), str(rr)));
  return {
    pieces: Array.from(r.ids, (id, k) => (id >= 0 ? str(id) : symbols[r.positions[k]!]!)),
    frozen: Array.from(r.positions, (p) => frozen !== null && frozen[p] === 1),
  };
}

describe('bpeMergeIds', () => {
  it('merges the highest-scoring pair first', () => {
    const vocab = vocabOf([
      ['ab', 1],
      ['bc', 2],
      ['abc', 3],
    ]);
    // 'bc' (2) beats 'ab' (1); then 'a'+'bc' = 'abc' is a piece.
    expect(bpeMerge(['a', 'b', 'c'], null, vocab).pieces).toEqual(['abc']);
    expect(bpeMerge(['a', 'b', 'c', 'a', 'b'], null, vocab).pieces).toEqual(['abc', 'ab']);
  });

  it('takes the leftmost pair on equal scores', () => {
    const vocab = vocabOf([
      ['aa', 0],
      ['aaa', 5],
    ]);
    // 'aa' at 0 first, then 'aa'+'a' → 'aaa'; the 4th 'a' stays alone.
    expect(bpeMerge(['a', 'a', 'a', 'a'], null, vocab).pieces).toEqual(['aaa', 'a']);
    expect(bpeMergeReference(['a', 'a', 'a', 'a'], null, vocab).pieces).toEqual(['aaa', 'a']);
  });

  it('never merges frozen symbols and reports them', () => {
    const vocab = vocabOf([['ab', 1]]);
    const r = bpeMerge(['a', 'b', 'a', 'b'], Uint8Array.of(0, 1, 0, 0), vocab);
    expect(r.pieces).toEqual(['a', 'b', 'ab']);
    expect(r.frozen).toEqual([false, true, false]);
  });

  it('reports every merge to onMerge', () => {
    const vocab = vocabOf([
      ['ab', 1],
      ['abc', 0],
    ]);
    const seen: string[] = [];
    bpeMerge(['a', 'b', 'c'], null, vocab, (m, l, r) => seen.push(`${l}+${r}=${m}`));
    expect(seen).toEqual(['a+b=ab', 'ab+c=abc']);
  });

  it('merges characters that are not pieces themselves, and skips unknown ones', () => {
    const vocab = vocabOf([['ab', 1]]);
    expect(bpeMerge(['a', 'b', 'x', 'a'], null, vocab).pieces).toEqual(['ab', 'x', 'a']);
    expect(bpeMerge(['😀', 'a', 'b'], null, vocab).pieces).toEqual(['😀', 'ab']);
  });

  it('handles empty and single-symbol input', () => {
    const vocab = vocabOf([['ab', 1]]);
    expect(bpeMerge([], null, vocab).pieces).toEqual([]);
    expect(bpeMerge(['a'], null, vocab).pieces).toEqual(['a']);
  });

  it('matches the O(n²) reference on random vocabularies and texts', () => {
    const rng = new Rng(20260101);
    const alphabet = ['a', 'b', 'c', 'd'];
    for (let trial = 0; trial < 60; trial++) {
      // Random pieces built by concatenating random existing pieces (as BPE training does),
      // with few distinct scores so that ties are frequent.
      const pieces = new Set<string>(alphabet);
      const list = [...alphabet];
      while (list.length < 40) {
        const p = list[rng.nextInt(list.length)]! + list[rng.nextInt(list.length)]!;
        if (p.length <= 6 && !pieces.has(p)) {
          pieces.add(p);
          list.push(p);
        }
      }
      const vocab = vocabOf(list.map((p) => [p, rng.nextInt(5)]));
      const n = 1 + rng.nextInt(80);
      const symbols = Array.from({ length: n }, () => alphabet[rng.nextInt(4)]!);
      const frozen = new Uint8Array(n);
      for (let i = 0; i < n; i++) frozen[i] = rng.nextFloat() < 0.05 ? 1 : 0;
      const fast = bpeMerge(symbols, frozen, vocab);
      const ref = bpeMergeReference(symbols, frozen, vocab);
      expect(fast).toEqual(ref);
      expect(fast.pieces.join('')).toBe(symbols.join(''));
    }
  });
});
