import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCalibration } from '@caldera/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/cli-harness';

const root = new URL('../../../../', import.meta.url).pathname;
const stories = `${root}../shared/assets/models/stories260K/stories260K.bin`;
const text = `${root}../shared/assets/text/tinystories/tinystories_validation_head.txt`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-cli-calibrate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('caldera calibrate', () => {
  it('saves the Hessians of every linear input over the requested windows', async () => {
    const out = join(dir, 'st');
    const r = await cli(
      'calibrate',
      stories,
      '--data',
      text,
      '--samples',
      '3',
      '--seq',
      '32',
      '-o',
      out,
      '--json',
    );
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result).toMatchObject({
      windows: 3,
      tokens: 96,
      file: join(out, 'calibration.safetensors'),
    });
    expect(r.err).toContain('"task":"calibrate"');
    const stats = await loadCalibration(result.file);
    expect(stats.windows).toBe(3);
    // 5 blocks × 4 input sites
    expect(stats.entries.size).toBe(20);
    const h = stats.inputMoment(0, 'down');
    expect(h.length).toBe(172 * 172);
  });

  it('uses the embedded model and its held-out text without arguments, and says so', async () => {
    const out = join(dir, 'default');
    const r = await cli('calibrate', '--samples', '1', '--seq', '16', '-o', out);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/embedded default model .*pycode-6m .*heldout_sample\.txt/);
    expect(r.out).toMatch(/1 windows, 16 tokens/);
    expect(existsSync(join(out, 'calibration.safetensors'))).toBe(true);
  });

  it('reports missing or too little text with its code', async () => {
    const noData = await cli('calibrate', stories, '-o', join(dir, 'x'));
    expect(noData.code).toBe(2); // usage
    expect(noData.err).toContain('[INVALID_ARGUMENT]');
    const missing = await cli(
      'calibrate',
      stories,
      '--data',
      join(dir, 'none.txt'),
      '-o',
      join(dir, 'x'),
    );
    expect(missing.code).toBe(3); // not found
    expect(missing.err).toContain('[FILE_NOT_FOUND]');
    const bad = await cli(
      'calibrate',
      stories,
      '--data',
      text,
      '--samples',
      'many',
      '-o',
      join(dir, 'x'),
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/\[INVALID_ARGUMENT\].*--samples/);
  });
});
