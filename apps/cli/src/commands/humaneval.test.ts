import { describe, expect, it } from 'vitest';
import { cli } from '../../test/cli-harness';

describe('caldera humaneval', () => {
  it('runs the first problems on the embedded model and reports pass@1 as JSON', async () => {
    const r = await cli('humaneval', '--limit', '2', '--max-tokens', '8', '--json');
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.total).toBe(2);
    expect(s.passed).toBeGreaterThanOrEqual(0);
    expect(s.passAt1).toBe(s.passed / 2);
    expect(s.maxTokens).toBe(8);
    expect(Array.isArray(s.passedTasks)).toBe(true);
  }, 60_000);

  it('names a missing problem file', async () => {
    const r = await cli('humaneval', '--problems', '/nonexistent/HumanEval.jsonl');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('FILE_NOT_FOUND');
  });
});
