import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHfModel, loadTokenizer, SafetensorsFile } from '@caldera/io';
import { LlamaModel, loadLordModel, perplexity, readLordConfig } from '@caldera/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/cli-harness';

const root = new URL('../../../../', import.meta.url).pathname;
const pycode = `${root}models/pycode-6m`;
const text = `${pycode}/heldout_sample.txt`;
const FAST = ['--samples', '4', '--seq', '128', '--rank-step', '8'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-cli-lord-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('caldera compress --method lord', () => {
  it('writes a LoRD folder that the runtime runs, at the requested reduction', async () => {
    const out = join(dir, 'lord');
    const r = await cli(
      'compress',
      pycode,
      '-o',
      out,
      '--method',
      'lord',
      '--param-reduction',
      '0.05',
      '--data',
      text,
      ...FAST,
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.layers).toHaveLength(42);
    const lc = await readLordConfig(out);
    expect(lc).not.toBeNull();
    // parameter count: factors + dense layers vs Σ m·n of the 42 projections
    const dense = 6 * (2 * 256 * 256 + 2 * 128 * 256 + 3 * 688 * 256);
    expect(lc!.dense_linear_parameters).toBe(dense);
    // golden-ish: the config extension's keys and the tensor naming
    expect(Object.keys(lc!)).toEqual([
      'format',
      'format_version',
      'decomposition',
      'factor_dtype',
      'parameter_reduction',
      'linear_parameters',
      'dense_linear_parameters',
      'requested_reduction',
      'calibration_tokens',
      'ranks',
      'llama_config',
    ]);
    expect(lc).toMatchObject({
      format: 'caldera-lord',
      format_version: 1,
      decomposition: 'whitened',
    });
    const file = await SafetensorsFile.open(join(out, 'model.safetensors'));
    for (const [base, k] of Object.entries(lc!.ranks)) {
      expect(base).toMatch(/^model\.layers\.\d\.(self_attn|mlp)\.[a-z]+_proj$/);
      expect(file.has(`${base}.weight`)).toBe(false);
      expect(file.tensor(`${base}.0.weight`).shape[0]).toBe(k);
      expect(file.tensor(`${base}.1.weight`).shape[1]).toBe(k);
    }
    let linear = 0;
    let stored = 0;
    let dataEnd = 0;
    for (const t of file.tensors()) {
      if (/\.layers\.\d+\.(self_attn|mlp)\./.test(t.name)) linear += t.shape[0]! * t.shape[1]!;
      stored += t.shape.reduce((a, b) => a * b, 1);
      dataEnd = Math.max(dataEnd, t.dataOffsets[1]);
    }
    const fileBytes = file.dataOffset + dataEnd;
    await file.close();
    expect(linear).toBe(lc!.linear_parameters);
    expect(fileBytes).toBe((await stat(join(out, 'model.safetensors'))).size);
    // eval and inspect count the stored factors, not the config's dense shapes
    expect(stored).toBeLessThan(6_450_432);
    const ev = await cli('eval', out, '--data', text, '--seq', '64', '--windows', '1', '--json');
    expect(ev.code, ev.err).toBe(0);
    const e = JSON.parse(ev.out);
    expect(e.compressed).toBe(true);
    expect(e.parameters).toBe(stored);
    expect(e.bytes).toBe(fileBytes);
    expect(e.bits_per_param).toBeCloseTo((8 * fileBytes) / stored, 10);
    const ins = await cli('inspect', out, '--json');
    expect(ins.code, ins.err).toBe(0);
    const report = JSON.parse(ins.out);
    expect(report.format).toBe('caldera-lord');
    expect(report.totalParameters).toBe(stored);
    expect(report.config.hiddenSize).toBe(256);
    expect(1 - linear / dense).toBeGreaterThanOrEqual(0.05);
    expect(1 - linear / dense).toBeLessThan(0.06);
    expect(Object.keys(lc!.ranks).length).toBeGreaterThan(0);
    expect(existsSync(join(out, 'tokenizer.model'))).toBe(true);
    // the runtime loads it with low-rank layers; perplexity finite and close to dense
    const lord = await loadLordModel(out);
    const [base, k] = Object.entries(lc!.ranks)[0]!;
    const m = /layers\.(\d+)\.\w+\.(\w+)$/.exec(base)!;
    const layer = lord.linear(Number(m[1]), m[2] as 'q_proj');
    expect(layer.kind).toBe('low-rank');
    expect((layer as unknown as { rank: number }).rank).toBe(k);
    const src = await loadHfModel(pycode);
    const dm = await LlamaModel.load(src);
    await src.close();
    const tok = await loadTokenizer(pycode);
    const ids = Int32Array.from(tok.encode((await readFile(text, 'utf8')).slice(-6000)));
    const opts = { contextLength: 128, maxWindows: 2 };
    const p0 = (await perplexity(dm, ids, opts)).perplexity;
    const p1 = (await perplexity(lord, ids, opts)).perplexity;
    expect(Number.isFinite(p1)).toBe(true);
    expect(p1 / p0).toBeLessThan(1.1);
    expect(p1 / p0).toBeGreaterThan(0.95);
  }, 120_000);

  it.each([
    [['--param-reduction', '1.5'], /--param-reduction must be a fraction in \(0, 1\)/],
    [['--param-reduction', '0'], /--param-reduction must be a fraction in \(0, 1\)/],
    [['--param-reduction', '0.2', '--ppl-budget', '1'], /either --param-reduction or --ppl-budget/],
    [['--param-reduction', '0.2', '--lord-decomposition', 'qr'], /--lord-decomposition must be/],
    [['--ppl-budget', '-1'], /--ppl-budget/],
  ])('rejects bad flags %j with INVALID_ARGUMENT', async (flags, message) => {
    const r = await cli(
      'compress',
      pycode,
      '-o',
      join(dir, 'bad'),
      '--method',
      'lord',
      '--data',
      text,
      ...flags,
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('INVALID_ARGUMENT');
    expect(r.err).toMatch(message);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('refuses --param-reduction with another method', async () => {
    const r = await cli('compress', pycode, '-o', join(dir, 'bad2'), '--param-reduction', '0.2');
    expect(r.code).toBe(2);
    expect(r.err).toContain('INVALID_ARGUMENT');
  });
});
