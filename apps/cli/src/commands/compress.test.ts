import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCompressedModel } from '@caldera/caldera';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/cli-harness';

const root = new URL('../../../../', import.meta.url).pathname;
const stories = `${root}../shared/assets/models/stories260K/stories260K.bin`;
const text = `${root}../shared/assets/text/tinystories/tinystories_validation_head.txt`;

const FAST = ['--iterations', '1', '--lplr', '2', '--samples', '4', '--seq', '64'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-cli-compress-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('caldera compress', () => {
  it('compresses stories260K with CALDERA into a loadable checkpoint (JSON summary)', async () => {
    const out = join(dir, 'st');
    const r = await cli(
      'compress',
      stories,
      '-o',
      out,
      '--data',
      text,
      '--rank',
      '8',
      ...FAST,
      '--json',
    );
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.layers).toHaveLength(35);
    expect(
      s.layers.every(
        (l: { method: string; rank: number }) => l.method === 'caldera' && l.rank === 8,
      ),
    ).toBe(true);
    expect(s.linearBitsPerParameter).toBeGreaterThan(2);
    expect(s.linearBitsPerParameter).toBeLessThan(4);
    expect(s.bytesAfter).toBeLessThan(s.bytesBefore / 4);
    // progress: one JSON object per line on stderr
    const events = r.err
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.task === 'compress' && e.type === 'progress')).toHaveLength(35);
    expect(existsSync(join(out, 'tok512.bin'))).toBe(true);
    const model = await loadCompressedModel(out);
    expect(model.linear(2, 'gate_proj').kind).toBe('caldera');
  });

  it('reads saved calibration and per-tensor rules; text output has a table', async () => {
    const cal = join(dir, 'cal');
    expect(
      (await cli('calibrate', stories, '--data', text, '--samples', '2', '--seq', '32', '-o', cal))
        .code,
    ).toBe(0);
    const rules = join(dir, 'rules.json');
    await writeFile(
      rules,
      JSON.stringify([
        { pattern: 'layers\\.0\\.', keep: true },
        { pattern: 'down_proj', method: 'ldlq' },
      ]),
    );
    const out = join(dir, 'rules');
    const r = await cli(
      'compress',
      stories,
      '-o',
      out,
      '--calibration',
      join(cal, 'calibration.safetensors'),
      '--method',
      'rtn',
      '--q-bits',
      '4',
      '--rules',
      rules,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/model\.layers\.1\.mlp\.down_proj\.weight\s+ldlq/);
    expect(r.out).toMatch(/model\.layers\.1\.mlp\.up_proj\.weight\s+rtn/);
    expect(r.out).not.toContain('model.layers.0.');
    expect(r.out).toMatch(/wrote .*bits\/param/);
    const cfg = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(cfg.quantization_config.quant_method).toBe('rtn');
    expect(Object.keys(cfg.quantization_config.tensors)).toHaveLength(28);
  });

  it('compresses the embedded model by default and says so', async () => {
    const out = join(dir, 'py');
    const r = await cli(
      'compress',
      '-o',
      out,
      '--method',
      'rtn',
      '--q-bits',
      '4',
      '--samples',
      '1',
      '--seq',
      '32',
      '--eval-windows',
      '2',
      '--threads',
      '1',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/embedded default model .*pycode-6m.*held-out text/);
    const s = JSON.parse(r.out);
    expect(s.layers).toHaveLength(42);
    expect(existsSync(join(out, 'tokenizer.model'))).toBe(true);
    // without a model argument: perplexity before/after on the tokens after the calibration's
    expect(s.eval.offset).toBe(32);
    expect(s.eval.tokens).toBe(2 * 255);
    expect(s.eval.ppl_before).toBeGreaterThan(1);
    expect(s.eval.ppl_after).toBeGreaterThan(s.eval.ppl_before * 0.98);
    expect(s.eval.bytes_after).toBe(s.bytesAfter);
    expect(s.eval.bits_per_param_before).toBeCloseTo(16, 6);
    expect(s.eval.bits_per_param_after).toBeCloseTo(s.modelBitsPerParameter, 9);
    expect(s.eval.top1).toBeGreaterThan(0.5);
  });

  it('rejects bad options with one line and a code', async () => {
    const bad = await cli(
      'compress',
      stories,
      '-o',
      join(dir, 'bad'),
      '--data',
      text,
      '--method',
      'gptq',
    );
    expect(bad.code).toBe(2); // usage
    expect(bad.err).toMatch(/^.*\[INVALID_ARGUMENT\].*--method.*gptq.*\n$/);
    const lr = await cli(
      'compress',
      stories,
      '-o',
      join(dir, 'bad'),
      '--data',
      text,
      '--lr-bits',
      '8',
    );
    expect(lr.err).toContain('[INVALID_ARGUMENT]');
    expect(existsSync(join(dir, 'bad', 'config.json'))).toBe(false);
  });
  it('allocates ranks under --target-bpw and rejects an impossible target', async () => {
    const args = ['--data', text, ...FAST, '--candidate-ranks', '0,8'];
    const ok = await cli(
      'compress',
      stories,
      '-o',
      join(dir, 'tb'),
      ...args,
      '--target-bpw',
      '2.6',
    );
    expect(ok.code).toBe(0);
    const m = /target 2\.6 bits\/param: achieved (\d+\.\d+), ranks ([\d,]+)/.exec(ok.out);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(2.6);
    expect(new Set(m![2]!.split(',')).size).toBe(2);
    const bad = await cli(
      'compress',
      stories,
      '-o',
      join(dir, 'tb1'),
      ...args,
      '--target-bpw',
      '1',
    );
    expect(bad.code).toBe(2); // usage: an impossible target
    expect(bad.err).toMatch(/^.*\[INVALID_OPTIONS\].*minimum achievable 2\.\d{4} bits\/param.*\n$/);
    expect(existsSync(join(dir, 'tb1', 'config.json'))).toBe(false);
  }, 60_000);
});
