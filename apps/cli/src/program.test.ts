import { describe, expect, it } from 'vitest';
import { cli } from '../test/cli-harness';

const root = new URL('../../../', import.meta.url).pathname;
const embedded = `${root}models/pycode-6m`;
const stories = `${root}../shared/assets/models/stories260K/stories260K.bin`;

describe('caldera inspect', () => {
  it('lists the embedded model: 57 float16 tensors, 6,450,432 parameters', async () => {
    const r = await cli('inspect', embedded);
    expect(r.code).toBe(0);
    expect(r.out).toContain('llama: hidden 256, 6 layers, 8 heads (4 kv), ffn 688, vocab 4096');
    expect(r.out).toMatch(
      /model\.layers\.5\.mlp\.down_proj\.weight\s+\[256, 688\]\s+F16\s+176,128/,
    );
    expect(r.out).toContain('57 tensors, 6,450,432 parameters, 12.9 MB');
  });

  it('prints JSON with --json', async () => {
    const r = await cli('inspect', embedded, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.format).toBe('hf-safetensors');
    expect(report.totalParameters).toBe(6_450_432);
    expect(report.totalBytes).toBe(2 * 6_450_432);
    expect(report.config.numKvHeads).toBe(4);
  });

  it('reads a llama2.c checkpoint and a bare safetensors file', async () => {
    const a = await cli('inspect', stories);
    expect(a.code).toBe(0);
    expect(a.out).toContain('260,032 parameters');
    const b = await cli('inspect', `${embedded}/model.safetensors`);
    expect(b.code).toBe(0);
    expect(b.out).toContain('57 tensors, 6,450,432 parameters');
  });

  it('reports bad input as one line with its error code', async () => {
    const missing = await cli('inspect', `${root}no-such-model`);
    expect(missing.code).toBe(3); // not found
    expect(missing.err).toMatch(/\[FILE_NOT_FOUND\].*no-such-model/);
    expect(missing.err).not.toMatch(/\n\s+at /);
    const notModel = await cli('inspect', `${root}README.md`);
    expect(notModel.code).toBe(4); // malformed input
    expect(notModel.err).toContain('[UNSUPPORTED_MODEL]');
    const offline = await cli('inspect', 'no-org/no-model', '--offline');
    expect(offline.code).toBe(3);
    expect(offline.err).toContain('[HUB_OFFLINE_MISS]');
  });

  it('prints the stack only with --verbose, given before or after the command', async () => {
    const after = await cli('inspect', `${root}no-such-model`, '--verbose');
    expect(after.code).toBe(3);
    expect(after.err).toMatch(/\[FILE_NOT_FOUND\]/);
    expect(after.err).toMatch(/\n\s+at /);
    const before = await cli('--verbose', 'inspect', `${root}no-such-model`);
    expect(before.code).toBe(3);
    expect(before.err).toMatch(/\n\s+at /);
  });

  it('exits 2 on usage errors and 0 on --help', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('inspect')).code).toBe(2);
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('inspect');
  });
});
