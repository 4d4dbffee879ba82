import { describe, expect, it } from 'vitest';
import { workerEntry } from './worker-entry';

describe('workerEntry', () => {
  it('finds the built entry next to the built module, with the same module format', () => {
    expect(workerEntry('file:///p/dist/index.js', 'w', './w.ts')).toEqual({
      filename: '/p/dist/w.js',
    });
    expect(workerEntry('file:///p/dist/index.cjs', 'w', './w.ts')).toEqual({
      filename: '/p/dist/w.cjs',
    });
  });

  it('from the sources: the .ts entry, the source condition, tsx and its ESM API', () => {
    const e = workerEntry(new URL('./index.ts', import.meta.url).href, 'w', './model/w.ts');
    expect(e.filename).toMatch(/packages\/core\/src\/model\/w\.ts$/);
    expect(e.execArgv?.[0]).toBe('--conditions=@caldera/source');
    expect(e.execArgv?.[2]).toMatch(/^file:.*tsx/);
    expect(e.tsxApi).toMatch(/tsx\/dist\/esm\/api\/index\.mjs$/);
  });
});
