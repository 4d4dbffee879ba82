import { describe, expect, it } from 'vitest';
import { ChunkCache, canChunkBeforeSpaces, chunkBeforeSpaces } from './space-chunks';

describe('space chunks', () => {
  it('allows chunking only when no piece has a character before a space symbol', () => {
    expect(canChunkBeforeSpaces(['▁the', '▁▁', '▁▁▁x', 'er'], '▁')).toBe(true);
    expect(canChunkBeforeSpaces(['of▁the'], '▁')).toBe(false);
    expect(canChunkBeforeSpaces(['a ', ' b'], ' ')).toBe(false);
  });

  it('cuts before a space that follows another character', () => {
    expect(chunkBeforeSpaces('▁▁if▁x:▁▁▁y', '▁')).toEqual(['▁▁if', '▁x:', '▁▁▁y']);
    expect(chunkBeforeSpaces('ab▁', '▁')).toEqual(['ab', '▁']);
    expect(chunkBeforeSpaces('▁', '▁')).toEqual(['▁']);
    expect(chunkBeforeSpaces('', '▁')).toEqual([]);
    expect(chunkBeforeSpaces(' Once upon  a', ' ')).toEqual([' Once', ' upon', '  a']);
  });

  it('caches up to its capacity, then starts over', () => {
    const cache = new ChunkCache(2);
    cache.set('a', [1]);
    cache.set('b', [2]);
    expect(cache.get('a')).toEqual([1]);
    cache.set('c', [3]);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toEqual([3]);
    const off = new ChunkCache(0);
    off.set('a', [1]);
    expect(off.get('a')).toBeUndefined();
  });
});
