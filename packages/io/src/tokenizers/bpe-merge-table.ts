/**
 * Integer merge table for score-driven BPE: every way of writing a mergeable piece as the
 * concatenation of two symbols that can occur during merging, keyed by the two symbol ids.
 *
 * During BPE every symbol is either an initial character or a piece produced by an earlier
 * merge, so "the concatenation of symbols L and R is a piece P" holds exactly when the table
 * has the entry (id L, id R) → P. Lookups are then integer-keyed instead of building and
 * hashing concatenated strings.
 */
import { CalderaError } from '@caldera/core';

/**
 * The vocabulary view BPE merging needs: which strings are mergeable pieces, and their scores.
 *
 * @example
 * ```ts
 * const vocab: BpeVocab = { pieceIds: new Map([['ab', 0]]), scores: new Float32Array([1]) };
 * ```
 */
export interface BpeVocab {
  /** Mergeable piece string → id (pieces that must never be produced by a merge are left out). */
  readonly pieceIds: ReadonlyMap<string, number>;
  /** Score of each id; higher merges first. */
  readonly scores: ArrayLike<number>;
}

/**
 * Pair → merged-piece lookup built by {@link buildMergeTable}.
 *
 * @example
 * ```ts
 * const t = buildMergeTable({ pieceIds: new Map([['a', 0], ['b', 1], ['ab', 2]]), scores: [0, 0, 1] });
 * t.pairs.get(0 * t.stride + 1); // 2
 * ```
 */
export interface BpeMergeTable {
  /** `leftId * stride + rightId` → id of the merged piece. */
  readonly pairs: ReadonlyMap<number, number>;
  /** Number of symbol ids (pieces and extra characters); the multiplier of left ids in keys. */
  readonly stride: number;
  /** Score of each piece id. */
  readonly scores: ArrayLike<number>;
  /** Extra ids (≥ the vocabulary size) for single characters that are not pieces themselves. */
  readonly charIds: ReadonlyMap<string, number>;
  /** The string of each id (pieces and extra characters). */
  readonly strings: readonly string[];
}

/** Largest number of symbol ids, so that pair keys stay exact integers (below 2^52). */
const MAX_SYMBOLS = 1 << 26;

function isSingleCodePoint(s: string): boolean {
  if (s.length === 1) return true;
  if (s.length !== 2) return false;
  const hi = s.charCodeAt(0);
  const lo = s.charCodeAt(1);
  return hi >= 0xd800 && hi < 0xdc00 && lo >= 0xdc00 && lo < 0xe000;
}

/**
 * Builds the merge table of a vocabulary.
 *
 * @param vocab - mergeable pieces and their scores
 * @param withChars - also give ids to single characters (code points) that appear inside
 *   pieces without being pieces themselves, so they can still merge (SentencePiece keeps
 *   unknown characters as symbols during merging; llama2.c turns them into frozen bytes first)
 * @returns the table
 * @throws CalderaError `TOKENIZER_INVALID` when there are 2^26 symbols or more
 * @example
 * ```ts
 * const t = buildMergeTable({ pieceIds: new Map([['a', 0], ['b', 1], ['ab', 2]]), scores: [0, 0, 1] });
 * t.pairs.size; // 1
 * ```
 */
export function buildMergeTable(vocab: BpeVocab, withChars = false): BpeMergeTable {
  const { pieceIds, scores } = vocab;
  let next = scores.length;
  for (const id of pieceIds.values()) next = Math.max(next, id + 1);
  const strings: string[] = new Array(next).fill('');
  for (const [piece, id] of pieceIds) strings[id] = piece;
  const charIds = new Map<string, number>();
  const symbolId = (s: string): number | undefined => {
    const id = pieceIds.get(s);
    if (id !== undefined || !withChars || !isSingleCodePoint(s)) return id;
    let c = charIds.get(s);
    if (c === undefined) {
      c = next++;
      charIds.set(s, c);
      strings[c] = s;
    }
    return c;
  };
  const triples: number[] = [];
  for (const [piece, id] of pieceIds) {
    for (let k = 1; k < piece.length; k++) {
      const lo = piece.charCodeAt(k);
      const hi = piece.charCodeAt(k - 1);
      // Never split a surrogate pair: both halves would be broken characters.
      if (withChars && lo >= 0xdc00 && lo < 0xe000 && hi >= 0xd800 && hi < 0xdc00) continue;
      const left = symbolId(piece.slice(0, k));
      if (left === undefined) continue;
      const right = symbolId(piece.slice(k));
      if (right === undefined) continue;
      triples.push(left, right, id);
    }
  }
  if (next >= MAX_SYMBOLS) {
    throw new CalderaError('TOKENIZER_INVALID', `vocabulary has ${next} symbols, too many for BPE`);
  }
  // Keys left·stride + right with the smallest stride stay small integers (fast map keys).
  const stride = next;
  const pairs = new Map<number, number>();
  for (let t = 0; t < triples.length; t += 3) {
    pairs.set(triples[t]! * stride + triples[t + 1]!, triples[t + 2]!);
  }
  return { pairs, stride, scores, charIds, strings };
}
