/**
 * Score-driven BPE merging, the segmentation step shared by llama2.c's tokenizer and
 * SentencePiece's BPE model: starting from a sequence of symbols, repeatedly merge the
 * adjacent pair whose concatenation is a vocabulary piece with the highest score; among equal
 * scores the leftmost pair wins. Stops when no adjacent pair forms a piece.
 *
 * The fast path keeps the symbols in a doubly linked list and the candidate pairs in a binary
 * max-heap (stale entries are skipped when popped), O(n log n) overall. Because a merged
 * symbol keeps the index of its left part, heap order (score, then smaller left index) is
 * exactly "highest score, then leftmost".
 */

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
 * Result of {@link bpeMerge}: the surviving symbols in order.
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

/** Binary max-heap of candidate pairs in parallel typed arrays (no per-entry objects). */
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

  /** Whether entry a ranks before entry b (higher score, then smaller left index). */
  private before(a: number, b: number): boolean {
    const sa = this.score[a]!;
    const sb = this.score[b]!;
    return sa > sb || (sa === sb && this.left[a]! < this.left[b]!);
  }

  private swap(a: number, b: number): void {
    const s = this.score[a]!;
    this.score[a] = this.score[b]!;
    this.score[b] = s;
    const l = this.left[a]!;
    this.left[a] = this.left[b]!;
    this.left[b] = l;
    const r = this.right[a]!;
    this.right[a] = this.right[b]!;
    this.right[b] = r;
    const n = this.len[a]!;
    this.len[a] = this.len[b]!;
    this.len[b] = n;
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

  push(score: number, left: number, right: number, len: number): void {
    if (this.size === this.score.length) this.grow();
    let i = this.size++;
    this.score[i] = score;
    this.left[i] = left;
    this.right[i] = right;
    this.len[i] = len;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the top entry and writes it to `out` as [left, right, len]. */
  pop(out: Int32Array): void {
    out[0] = this.left[0]!;
    out[1] = this.right[0]!;
    out[2] = this.len[0]!;
    const last = --this.size;
    if (last === 0) return;
    this.score[0] = this.score[last]!;
    this.left[0] = this.left[last]!;
    this.right[0] = this.right[last]!;
    this.len[0] = this.len[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const best = r < last && this.before(r, l) ? r : l;
      if (!this.before(best, i)) break;
      this.swap(i, best);
      i = best;
    }
  }
}

/**
 * Merges symbols by piece score (fast path: linked list + max-heap).
 *
 * @param symbols - the initial symbols (one character, or a user-defined piece, each);
 *   not modified
 * @param frozen - per symbol, 1 when it must never take part in a merge (or null)
 * @param vocab - mergeable pieces and their scores
 * @param onMerge - called for every merge with (merged, left, right) strings, e.g. to record
 *   the parts of pieces that SentencePiece later re-splits
 * @returns the surviving symbols, left to right
 * @example
 * ```ts
 * const vocab = { pieceIds: new Map([['ab', 0], ['bc', 1]]), scores: [1, 2] };
 * bpeMerge(['a', 'b', 'c'], null, vocab).pieces; // ['a', 'bc']
 * ```
 */
export function bpeMerge(
  symbols: readonly string[],
  frozen: Uint8Array | null,
  vocab: BpeVocab,
  onMerge?: (merged: string, left: string, right: string) => void,
): BpeMergeResult {
  const n = symbols.length;
  const sym = symbols.slice();
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  const { pieceIds, scores } = vocab;
  const heap = new PairHeap(n);
  const consider = (left: number, right: number): void => {
    if (left < 0 || right < 0) return;
    if (frozen !== null && (frozen[left] === 1 || frozen[right] === 1)) return;
    const merged = sym[left]! + sym[right]!;
    const id = pieceIds.get(merged);
    if (id === undefined) return;
    heap.push(scores[id]!, left, right, merged.length);
  };
  for (let i = 1; i < n; i++) consider(i - 1, i);

  const top = new Int32Array(3);
  while (heap.size > 0) {
    heap.pop(top);
    const left = top[0]!;
    const right = top[1]!;
    const l = sym[left]!;
    const r = sym[right]!;
    // Stale entry: one side was merged away, or the pair is no longer adjacent/same size.
    if (l.length === 0 || r.length === 0 || next[left] !== right) continue;
    if (l.length + r.length !== top[2]) continue;
    const merged = l + r;
    if (onMerge !== undefined) onMerge(merged, l, r);
    sym[left] = merged;
    sym[right] = '';
    const after = next[right]!;
    next[left] = after;
    if (after >= 0) prev[after] = left;
    consider(prev[left]!, left);
    consider(left, after);
  }
  return collect(sym, n === 0 ? -1 : 0, next, frozen);
}

function collect(
  sym: string[],
  first: number,
  next: Int32Array,
  frozen: Uint8Array | null,
): BpeMergeResult {
  const pieces: string[] = [];
  const isFrozen: boolean[] = [];
  for (let i = first; i >= 0; i = next[i]!) {
    pieces.push(sym[i]!);
    isFrozen.push(frozen !== null && frozen[i] === 1);
  }
  return { pieces, frozen: isFrozen };
}

/**
 * Plain reference for {@link bpeMerge}: rescans every adjacent pair after each merge,
 * O(n²). Same result; used to test the fast path.
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
