/**
 * Exact speed-up for score-driven BPE: cutting the text before every space symbol that follows
 * a non-space character, and encoding the pieces separately (with a cache, since words
 * repeat), gives the same ids as encoding the whole text — provided no mergeable piece contains
 * a non-space character followed by a space symbol.
 *
 * Why: a merged symbol that straddled such a cut would be a piece containing "c␣" (c not a
 * space), which the condition rules out; so no candidate pair ever spans a cut, and the merges
 * inside one chunk happen in the same order (highest score, then leftmost) whether or not the
 * other chunks are present.
 */

/**
 * Whether chunking before spaces is exact for a vocabulary.
 *
 * @param pieces - every string a merge can produce
 * @param space - the space symbol (`▁` for SentencePiece, `' '` for llama2.c)
 * @returns true when no piece has a non-space character directly before a space symbol
 * @example
 * ```ts
 * canChunkBeforeSpaces(['▁the', '▁▁', 'er'], '▁'); // true
 * canChunkBeforeSpaces(['of▁the'], '▁'); // false
 * ```
 */
export function canChunkBeforeSpaces(pieces: Iterable<string>, space: string): boolean {
  for (const p of pieces) {
    for (let i = p.indexOf(space, 1); i > 0; i = p.indexOf(space, i + 1)) {
      if (p[i - 1] !== space) return false;
    }
  }
  return true;
}

/**
 * Splits text before every space symbol that follows a non-space character (a run of spaces
 * stays with the word after it).
 *
 * @param s - text (already normalised)
 * @param space - the one-code-unit space symbol
 * @returns the chunks, whose concatenation is `s`
 * @example
 * ```ts
 * chunkBeforeSpaces('▁▁if▁x:', '▁'); // ['▁▁if', '▁x:']
 * ```
 */
export function chunkBeforeSpaces(s: string, space: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = s.indexOf(space, 1); i > 0; i = s.indexOf(space, i + 1)) {
    if (s[i - 1] !== space) {
      out.push(s.slice(start, i));
      start = i;
    }
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

/**
 * A bounded map from chunk text to its ids; it is emptied when full (cheap, and the common
 * words come back at once).
 *
 * @example
 * ```ts
 * const cache = new ChunkCache(1000);
 * cache.set('▁the', [278]);
 * cache.get('▁the'); // [278]
 * ```
 */
export class ChunkCache {
  private readonly map = new Map<string, readonly number[]>();

  /** @param capacity - most entries kept (0 disables caching) */
  constructor(readonly capacity: number) {}

  /**
   * @param chunk - chunk text
   * @returns its cached ids, or undefined
   */
  get(chunk: string): readonly number[] | undefined {
    return this.map.get(chunk);
  }

  /**
   * @param chunk - chunk text
   * @param ids - its ids
   */
  set(chunk: string, ids: readonly number[]): void {
    if (this.capacity <= 0) return;
    if (this.map.size >= this.capacity) this.map.clear();
    this.map.set(chunk, ids);
  }
}
