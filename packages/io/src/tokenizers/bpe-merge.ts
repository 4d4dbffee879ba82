/**
 * Score-driven BPE merging, the segmentation step shared by llama2.c's tokenizer and
 * SentencePiece's BPE model: starting from a sequence of symbols, repeatedly merge the
 * adjacent pair whose concatenation is a vocabulary piece with the highest score; among equal
 * scores the leftmost pair wins. Stops when no adjacent pair forms a piece.
 *
 * The fast path keeps the symbols in a doubly linked list and the candidate pairs in a binary
 * max-heap (stale entries are skipped when popped), O(n log n) overall, with integer pair
 * lookups (see {@link buildMergeTable}). Because a merged symbol keeps the index of its left
 * part, heap order (score, then smaller left index) is exactly "highest score, then leftmost".
 */
import type { BpeMergeTable, BpeVocab } from './bpe-merge-table';

/**
 * Result of {@link bpeMergeIds}: the surviving symbols in order.
 *
 * @example
 * ```ts
 * const r: BpeMergeIdsResult = { ids: Int32Array.of(2, -1), positions: Int32Array.of(0, 2) };
 * ```
 */
export interface BpeMergeIdsResult {
  /** Id of each surviving symbol (a piece id, an extra character id, or -1 as given). */
  ids: Int32Array;
  /** Index in the input of each surviving symbol's first initial symbol. */
  positions: Int32Array;
}

/**
 * Result of {@link bpeMergeReference}: the surviving symbols in order.
 *
 * @example
 * ```ts
 * const r: BpeMergeResult = { pieces: ['ab', 'c'], frozen: [false, false] };
 * ```
 */
export interface BpeMergeResult {
  /** The final symbol strings, left to right. */
  pieces: string[];
  /** Whether each final symbol was an input symbol marked frozen. */
  frozen: boolean[];
}

/**
 * Binary max-heap of candidate pairs in parallel typed arrays (no per-entry objects); sifting
 * moves a hole instead of swapping entries.
 */
class PairHeap {
  size = 0;
  private score: Float64Array;
  private left: Int32Array;
  private right: Int32Array;
  private len: Int32Array;

  constructor(capacity: number) {
    const c = Math.max(16, capacity);
    this.score = new Float64Array(c);
    this.left = new Int32Array(c);
    this.right = new Int32Array(c);
    this.len = new Int32Array(c);
  }

  private grow(): void {
    const c = this.score.length * 2;
    const score = new Float64Array(c);
    score.set(this.score);
    const left = new Int32Array(c);
    left.set(this.left);
    const right = new Int32Array(c);
    right.set(this.right);
    const len = new Int32Array(c);
    len.set(this.len);
    this.score = score;
    this.left = left;
    this.right = right;
    this.len = len;
  }

  /** Adds an entry; order: higher score first, then smaller left index. */
  push(s: number, l: number, r: number, n: number): void {
    if (this.size === this.score.length) this.grow();
    const { score, left, right, len } = this;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const ps = score[p]!;
      if (ps > s || (ps === s && left[p]! < l)) break;
      score[i] = ps;
      left[i] = left[p]!;
      right[i] = right[p]!;
      len[i] = len[p]!;
      i = p;
    }
    score[i] = s;
    left[i] = l;
    right[i] = r;
    len[i] = n;
  }

  /** Removes the top entry and writes it to `out` as [left, right, len]. */
  pop(out: Int32Array): void {
    const { score, left, right, len } = this;
    out[0] = left[0]!;
    out[1] = right[0]!;
    out[2] = len[0]!;
    const last = --this.size;
    if (last === 0) return;
    const s = score[last]!;
    const l = left[last]!;
    const r = right[last]!;
    const n = len[last]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      const c2 = c + 1;
      if (c2 < last) {
        const a = score[c]!;
        const b = score[c2]!;
        if (b > a || (b === a && left[c2]! < left[c]!)) c = c2;
      }
      const cs = score[c]!;
      if (s > cs || (s === cs && l < left[c]!)) break;
      score[i] = cs;
      left[i] = left[c]!;
      right[i] = right[c]!;
      len[i] = len[c]!;
      i = c;
    }
    score[i] = s;
    left[i] = l;
    right[i] = r;
    len[i] = n;
  }
}

/**
 * Merges symbols by piece score (fast path: linked list + max-heap, integer pair lookups).
 *
 * @param ids - the initial symbol ids (see {@link buildMergeTable}; -1 for a symbol that
 *   never merges); not modified
 * @param frozen - per symbol, 1 when it must never take part in a merge (or null)
 * @param table - the merge table of the vocabulary
 * @param onMerge - called for every merge with the (merged, left, right) ids, e.g. to record
 *   the parts of pieces that SentencePiece later re-splits
 * @returns the surviving symbols, left to right
 * @example
 * ```ts
 * const table = buildMergeTable({
 *   pieceIds: new Map([['a', 0], ['b', 1], ['c', 2], ['ab', 3], ['bc', 4]]),
 *   scores: [0, 0, 0, 1, 2],
 * });
 * bpeMergeIds(Int32Array.of(0, 1, 2), null, table).ids; // Int32Array [0, 4] ('a', 'bc')
 * ```
 */
export function bpeMergeIds(
  ids: Int32Array,
  frozen: Uint8Array | null,
  table: BpeMergeTable,
  onMerge?: (merged: number, left: number, right: number) => void,
): BpeMergeIdsResult {
  const n = ids.length;
  const sym = Int32Array.from(ids);
  const len = new Int32Array(n).fill(1); // initial symbols covered; 0 once merged away
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  const { pairs, scores, stride } = table;
  const heap = new PairHeap(n);
  const consider = (left: number, right: number): void => {
    if (left < 0 || right < 0) return;
    if (frozen !== null && (frozen[left] === 1 || frozen[right] === 1)) return;
    const a = sym[left]!;
    const b = sym[right]!;
    if (a < 0 || b < 0) return;
    const merged = pairs.get(a * stride + b);
    if (merged === undefined) return;
    heap.push(scores[merged]!, left, right, len[left]! + len[right]!);
  };
  for (let i = 1; i < n; i++) consider(i - 1, i);

  const top = new Int32Array(3);
  while (heap.size > 0) {
    heap.pop(top);
    const left = top[0]!;
    const right = top[1]!;
    // Stale entry: a side was merged away, or the right side has grown since the push
    // (the left side cannot grow without absorbing `right`).
    if (len[left] === 0 || len[right] === 0 || next[left] !== right) continue;
    if (len[left]! + len[right]! !== top[2]) continue;
    const merged = pairs.get(sym[left]! * stride + sym[right]!)!;
    if (onMerge !== undefined) onMerge(merged, sym[left]!, sym[right]!);
    sym[left] = merged;
    len[left] = top[2]!;
    len[right] = 0;
    const after = next[right]!;
    next[left] = after;
    if (after >= 0) prev[after] = left;
    consider(prev[left]!, left);
    consider(left, after);
  }
  let count = 0;
  for (let i = n === 0 ? -1 : 0; i >= 0; i = next[i]!) count++;
  const outIds = new Int32Array(count);
  const positions = new Int32Array(count);
  let k = 0;
  for (let i = n === 0 ? -1 : 0; i >= 0; i = next[i]!) {
    outIds[k] = sym[i]!;
    positions[k++] = i;
  }
  return { ids: outIds, positions };
}

/**
 * Plain reference for {@link bpeMergeIds}, on strings: rescans every adjacent pair after each
 * merge and looks up the concatenated string, O(n²). Same result; used to test the fast path.
 *
 * @param symbols - the initial symbols; not modified
 * @param frozen - per symbol, 1 when it must never take part in a merge (or null)
 * @param vocab - mergeable pieces and their scores
 * @returns the surviving symbols, left to right
 * @example
 * ```ts
 * const vocab = { pieceIds: new Map([['ab', 0], ['bc', 1]]), scores: [1, 2] };
 * bpeMergeReference(['a', 'b', 'c'], null, vocab).pieces; // ['a', 'bc']
 * ```
 */
export function bpeMergeReference(
  symbols: readonly string[],
  frozen: Uint8Array | null,
  vocab: BpeVocab,
): BpeMergeResult {
  const pieces = symbols.slice();
  const isFrozen = symbols.map((_, i) => frozen !== null && frozen[i] === 1);
  for (;;) {
    let bestScore = Number.NEGATIVE_INFINITY;
    let best = -1;
    for (let i = 0; i + 1 < pieces.length; i++) {
      if (isFrozen[i] || isFrozen[i + 1]) continue;
      const id = vocab.pieceIds.get(pieces[i]! + pieces[i + 1]!);
      if (id === undefined) continue;
      const s = vocab.scores[id]!;
      if (best < 0 || s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    if (best < 0) return { pieces, frozen: isFrozen };
    pieces.splice(best, 2, pieces[best]! + pieces[best + 1]!);
    isFrozen.splice(best, 2, false);
  }
}
