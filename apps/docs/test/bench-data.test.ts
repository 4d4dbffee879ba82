import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import loader from '../pages/benchmarks.data';
import { benchTable, parseBenchFile } from '../src/site/bench-data';
import { markdownLinks, pageTitle } from '../src/site/sidebar';

describe('benchmark files', () => {
  it('reads JSON lines, arrays and single objects', () => {
    expect(parseBenchFile('{"op":"a","s":1}\n\n// note\n{"op":"b"}\n', 'x')).toEqual([
      { op: 'a', s: 1 },
      { op: 'b' },
    ]);
    expect(parseBenchFile('[{"op":"a"},{"op":"b"}]', 'x')).toHaveLength(2);
    expect(parseBenchFile('{\n  "op": "a"\n}\n', 'x')).toEqual([{ op: 'a' }]);
    expect(parseBenchFile('  ', 'x')).toEqual([]);
    expect(() => parseBenchFile('{"op":"a"}\n{oops', 'f.json')).toThrow('f.json:2');
  });

  it('builds tables over the union of keys and formats numbers', () => {
    const t = benchTable('b.json', [
      { op: 'sgemm', gflops: 41.23456 },
      { op: 'fwht', threads: 2 },
    ]);
    expect(t.columns).toEqual(['op', 'gflops', 'threads']);
    expect(t.rows).toEqual([
      ['sgemm', '41.23', ''],
      ['fwht', '', '2'],
    ]);
  });

  it('expands a record holding one list of objects into rows', () => {
    const t = benchTable('s.json', [{ model: 'm', sweep: [{ k: 1 }, { k: 2, e: 0.5 }] }]);
    expect(t.columns).toEqual(['model', 'k', 'e']);
    expect(t.rows).toEqual([
      ['m', '1', ''],
      ['m', '2', '0.5000'],
    ]);
    // Two lists: kept as one row (cells as JSON).
    expect(benchTable('x', [{ a: [{ k: 1 }], b: [{ k: 2 }] }]).rows).toHaveLength(1);
  });

  it('the data loader turns files into tables and reports bad files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    writeFileSync(join(dir, 'a.json'), '{"op":"x","seconds":0.5}\n');
    writeFileSync(join(dir, 'b.json'), 'nope');
    const data = loader.load([join(dir, 'a.json'), join(dir, 'b.json')]);
    expect(data.tables).toEqual([
      { file: 'a.json', columns: ['op', 'seconds'], rows: [['x', '0.5000']] },
    ]);
    expect(data.errors).toHaveLength(1);
    expect(data.errors[0]).toContain('b.json');
  });
});

describe('sidebar from a folder', () => {
  it('titles pages by frontmatter, heading or name, index first', () => {
    expect(pageTitle('---\ntitle: "PPL"\n---\n# Other', 'x')).toBe('PPL');
    expect(pageTitle('intro\n# Speed\n', 'x')).toBe('Speed');
    expect(pageTitle('no title', 'fallback')).toBe('fallback');
    const dir = mkdtempSync(join(tmpdir(), 'pages-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'b.md'), '# Bee');
    writeFileSync(join(dir, 'a.md'), '# Ay');
    writeFileSync(join(dir, 'index.md'), '# Home');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(markdownLinks(dir, '/m/')).toEqual([
      { text: 'Home', link: '/m/' },
      { text: 'Ay', link: '/m/a' },
      { text: 'Bee', link: '/m/b' },
    ]);
    expect(markdownLinks(join(dir, 'missing'), '/m/')).toEqual([]);
  });
});
