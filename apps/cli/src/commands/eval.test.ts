import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/cli-harness';

const root = new URL('../../../../', import.meta.url).pathname;
const stories = `${root}../shared/assets/models/stories260K/stories260K.bin`;
const text = `${root}../shared/assets/text/tinystories/tinystories_validation_head.txt`;

let dir: string;
let ckpt: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-cli-eval-'));
  ckpt = join(dir, 'st');
  const r = await cli(
    'compress',
    stories,
    '-o',
    ckpt,
    '--data',
    text,
    '--method',
    'ldlq',
    '--samples',
    '4',
    '--seq',
    '64',
  );
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('caldera eval', () => {
  it('reports PPL, NLL, tokens, bits per parameter and bytes of the float model', async () => {
    const r = await cli('eval', stories, '--data', text, '--seq', '64', '--windows', '6', '--json');
    expect(r.code).toBe(0);
    const e = JSON.parse(r.out);
    expect(e.compressed).toBe(false);
    expect(e.tokens).toBe(6 * 63);
    expect(e.ppl).toBeCloseTo(Math.exp(e.nll), 10);
    expect(e.ppl).toBeGreaterThan(2);
    expect(e.ppl).toBeLessThan(20);
    expect(e.parameters).toBe(260_032);
    // a llama2.c file holds float32 weights (plus its header and RoPE tables)
    expect(e.bits_per_param).toBeGreaterThan(32);
    expect(e.bits_per_param).toBeLessThan(33);
    expect(e.bytes).toBe((await stat(stories)).size);
  });

  it('compares a compressed checkpoint with its base: KL and top-1 agreement', async () => {
    const r = await cli(
      'eval',
      ckpt,
      '--base',
      stories,
      '--data',
      text,
      '--seq',
      '64',
      '--windows',
      '6',
      '--json',
    );
    expect(r.code).toBe(0);
    const e = JSON.parse(r.out);
    expect(e.compressed).toBe(true);
    expect(e.kl).toBeGreaterThan(0);
    expect(e.top1).toBeGreaterThan(0.1);
    expect(e.top1).toBeLessThan(1);
    expect(e.ppl).toBeGreaterThan(e.base_ppl);
    expect(e.bits_per_param).toBeLessThan(8);
    const self = await cli(
      'eval',
      stories,
      '--base',
      stories,
      '--data',
      text,
      '--seq',
      '64',
      '--windows',
      '2',
      '--json',
    );
    const s = JSON.parse(self.out);
    expect(s.kl).toBeCloseTo(0, 6);
    expect(s.top1).toBe(1);
    const plain = await cli(
      'eval',
      ckpt,
      '--base',
      stories,
      '--data',
      text,
      '--seq',
      '64',
      '--windows',
      '2',
    );
    expect(plain.out).toMatch(/\(compressed\): perplexity [\d.]+/);
    expect(plain.out).toMatch(/KL [\d.]+ nats\/token, top-1 agreement [\d.]+%/);
  });

  it('evaluates the embedded model on its held-out text by default', async () => {
    const r = await cli('eval', '--seq', '64', '--windows', '2', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/embedded default model .*heldout_sample\.txt/);
    const e = JSON.parse(r.out);
    expect(e.parameters).toBe(6_450_432);
    expect(e.bits_per_param).toBeCloseTo(16, 1); // float16 plus the safetensors header
    expect(e.ppl).toBeLessThan(60);
  });

  it('says when the text is too short', async () => {
    const r = await cli(
      'eval',
      stories,
      '--data',
      `${root}models/pycode-6m/config.json`,
      '--seq',
      '4096',
    );
    expect(r.code).toBe(4); // malformed input
    expect(r.err).toContain('[DATASET_TOO_SHORT]');
    // --offset skips the tokens used for calibration
    const skipped = await cli(
      'eval',
      stories,
      '--data',
      text,
      '--seq',
      '64',
      '--offset',
      '1000000000',
    );
    expect(skipped.err).toContain('[DATASET_TOO_SHORT]');
    const a = JSON.parse(
      (await cli('eval', stories, '--data', text, '--seq', '64', '--windows', '1', '--json')).out,
    );
    const b = JSON.parse(
      (
        await cli(
          'eval',
          stories,
          '--data',
          text,
          '--seq',
          '64',
          '--windows',
          '1',
          '--offset',
          '63',
          '--json',
        )
      ).out,
    );
    expect(b.tokens).toBe(a.tokens);
    expect(b.nll).not.toBe(a.nll);
  });
});
