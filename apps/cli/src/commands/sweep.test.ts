import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/cli-harness';
import { parseMethods, sweepCsv } from './sweep';
import { sweepSvg } from './sweep-plot';

const root = new URL('../../../../', import.meta.url).pathname;
const stories = `${root}../shared/assets/models/stories260K/stories260K.bin`;
const text = `${root}../shared/assets/text/tinystories/tinystories_validation_head.txt`;

let dir: string;
let run: { code: number; out: string; err: string };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-cli-sweep-'));
  run = await cli(
    'sweep',
    stories,
    '--data',
    text,
    '--method',
    'rtn',
    '--method',
    'caldera',
    '--ranks',
    '4',
    '--bits',
    '2',
    '--samples',
    '4',
    '--seq',
    '64',
    '--eval-windows',
    '4',
    '--iterations',
    '1',
    '--lplr',
    '1',
    '-o',
    dir,
  );
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('caldera sweep', () => {
  it('writes one CSV row per run plus the float model, with finite bits and PPL', async () => {
    expect(run.err).not.toMatch(/error/);
    expect(run.code).toBe(0);
    const lines = (await readFile(join(dir, 'sweep.csv'), 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('method,rank,q_bits,bpp,model_bpp,ppl,nll,seconds,dir');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => `${r[0]}:${r[1]}:${r[2]}`)).toEqual([
      'float:0:0',
      'rtn:0:2',
      'caldera:4:2',
    ]);
    for (const r of rows) {
      expect(Number.isFinite(Number(r[3]))).toBe(true);
      expect(Number.isFinite(Number(r[5]))).toBe(true);
      expect(Number(r[5])).toBeGreaterThan(1);
    }
    // stories260K is float32; the compressed runs are near 2 bits (+ scales, + low rank)
    expect(Number(rows[0]![3])).toBeCloseTo(32, 0);
    expect(Number(rows[1]![3])).toBeGreaterThan(2);
    expect(Number(rows[1]![3])).toBeLessThan(3);
    expect(Number(rows[2]![3])).toBeGreaterThan(Number(rows[1]![3]));
    // the low-rank correction helps over plain rounding
    expect(Number(rows[2]![5])).toBeLessThan(Number(rows[1]![5]));
    expect(run.out).toContain('caldera');
  });

  it('writes JSON that matches the CSV and held-out tokens after the calibration ones', async () => {
    const json = JSON.parse(await readFile(join(dir, 'sweep.json'), 'utf8'));
    const csv = await readFile(join(dir, 'sweep.csv'), 'utf8');
    expect(sweepCsv(json.rows)).toBe(csv);
    expect(json.calibrationTokens).toBe(4 * 64);
    expect(json.evalTokens).toBe(4 * 63);
  });

  it('plots one polyline per method with labelled axes and a legend', async () => {
    const svg = await readFile(join(dir, 'sweep.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline/g)?.length).toBe(2);
    expect(svg).toContain('bits per parameter');
    expect(svg).toContain('perplexity (log scale)');
    expect(svg).toContain('>rtn</text>');
    expect(svg).toContain('>caldera</text>');
    // balanced open/close tags (self-closing ones aside)
    const opens = svg.match(/<(?!\/)[a-z]+[^>]*[^/]>/g)?.length ?? 0;
    const closes = svg.match(/<\/[a-z]+>/g)?.length ?? 0;
    expect(opens).toBe(closes);
  });

  it('rejects unknown methods and bad bit widths', async () => {
    expect(() => parseMethods(['rtn,gptq'])).toThrow(/gptq/);
    expect(parseMethods(['rtn,ldlq', 'rtn', 'caldera'])).toEqual(['rtn', 'ldlq', 'caldera']);
    const r = await cli('sweep', stories, '--data', text, '--bits', '5', '-o', join(dir, 'bad'));
    expect(r.code).toBe(2); // usage
    expect(r.err).toContain('INVALID_ARGUMENT');
  });

  it('places a higher perplexity higher up the plot, on a log scale', () => {
    const svg = sweepSvg(
      [
        { series: 'a', bpp: 2, ppl: 100 },
        { series: 'a', bpp: 3, ppl: 10 },
      ],
      1,
      't',
    );
    const pts = /points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(pts[0]![0]).toBeLessThan(pts[1]![0]!);
    // SVG y grows downward: PPL 100 sits above PPL 10
    expect(pts[0]![1]).toBeLessThan(pts[1]![1]!);
    // the float reference (PPL 1) is one decade below 10, as far as 10 is below 100
    const floatY = Number(/<line x1="70" y1="([\d.]+)"[^>]*stroke-dasharray/.exec(svg)![1]);
    expect(floatY - pts[1]![1]!).toBeCloseTo(pts[1]![1]! - pts[0]![1]!, 0);
    expect(svg).toContain('float (1)');
  });
});
