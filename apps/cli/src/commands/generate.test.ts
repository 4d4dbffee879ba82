import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cli } from '../../test/cli-harness';

const root = new URL('../../../../', import.meta.url).pathname;
const stories = `${root}../shared/assets/models/stories260K/stories260K.bin`;
const golden = `${root}../shared/assets/golden/stories260K_greedy.json`;

describe('caldera generate', () => {
  it('prints only the greedy continuation from BOS (matches the golden tokens)', async () => {
    const g = JSON.parse(await readFile(golden, 'utf8'));
    const r = await cli('generate', stories, '--max-tokens', '30', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    // the golden list starts with BOS
    expect(j.tokens).toEqual(g.greedy_tokens.slice(1, 31));
    expect(j.prompt_tokens).toBe(1);
    const plain = await cli('generate', stories, '--max-tokens', '30');
    expect(plain.out).toBe(`${j.text}\n`);
    expect(plain.out).toContain('Once upon a time');
  });

  it('samples reproducibly for a seed', async () => {
    const args = [
      'generate',
      stories,
      '--prompt',
      'The cat',
      '--max-tokens',
      '20',
      '--temperature',
      '1',
      '--top-k',
      '40',
      '--top-p',
      '0.9',
    ];
    const a = await cli(...args, '--seed', '7');
    const b = await cli(...args, '--seed', '7');
    const c = await cli(...args, '--seed', '8');
    expect(a.out).toBe(b.out);
    expect(a.out).not.toBe(c.out);
  });

  it('uses the embedded model by default', async () => {
    const r = await cli('generate', '--prompt', 'import ', '--max-tokens', '8', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/embedded default model/);
    expect(JSON.parse(r.out).tokens).toHaveLength(8);
  });

  it('rejects a negative temperature', async () => {
    const r = await cli('generate', stories, '--temperature', '-1');
    expect(r.code).toBe(2); // usage
    expect(r.err).toMatch(/\[INVALID_ARGUMENT\].*--temperature/);
  });
});
