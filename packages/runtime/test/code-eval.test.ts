import { CalderaError } from '@caldera/core';
import { loadHfModel, loadTokenizer } from '@caldera/io';
import { beforeAll, describe, expect, it } from 'vitest';
import { completeWithModel, evaluateHumanEval } from '../src/code-eval/evaluate-humaneval';
import {
  buildCheckProgram,
  type HumanEvalProblem,
  loadHumanEval,
  parseHumanEval,
} from '../src/code-eval/humaneval-dataset';
import { resolvePython, runPythonCheck } from '../src/code-eval/python-sandbox';
import { HUMANEVAL_STOPS, truncateCompletion } from '../src/code-eval/truncate-completion';
import { LlamaModel } from '../src/model/llama-model';
import { ASSETS } from './helpers';

const HUMANEVAL = `${ASSETS}text/humaneval/HumanEval.jsonl`;
let problems: HumanEvalProblem[];

beforeAll(async () => {
  problems = await loadHumanEval(HUMANEVAL);
});

describe('loadHumanEval / parseHumanEval', () => {
  it('reads the 164 problems with their fields', () => {
    expect(problems).toHaveLength(164);
    expect(problems[0]!.taskId).toBe('HumanEval/0');
    expect(problems[0]!.entryPoint).toBe('has_close_elements');
    expect(problems[163]!.taskId).toBe('HumanEval/163');
    expect(new Set(problems.map((p) => p.taskId)).size).toBe(164);
  });

  it('rejects bad lines with DATASET_INVALID naming the line', () => {
    const good = JSON.stringify({
      task_id: 't/0',
      prompt: 'def f():\n',
      canonical_solution: '    return 1\n',
      test: 'def check(c):\n    assert c() == 1\n',
      entry_point: 'f',
    });
    expect(parseHumanEval(`${good}\n\n`)).toHaveLength(1);
    const missing = JSON.stringify({ task_id: 't/1', prompt: 'x' });
    for (const text of [
      `${good}\n{oops`,
      `${good}\n${missing}`,
      `${good}\n${good}`,
      `${good}\n[1]`,
    ]) {
      try {
        parseHumanEval(text, 'f.jsonl');
        expect.unreachable();
      } catch (e) {
        expect((e as CalderaError).code).toBe('DATASET_INVALID');
        expect((e as CalderaError).message).toContain('f.jsonl line 2');
      }
    }
  });
});

describe('truncateCompletion', () => {
  it('cuts at the earliest stop sequence', () => {
    expect(truncateCompletion('    return 1\ndef g():\n    pass\n')).toBe('    return 1');
    expect(truncateCompletion('    x = 1\n# note\nclass A:\n')).toBe('    x = 1');
    expect(truncateCompletion('    return 2\n\nif __name__ == "__main__":\n')).toBe(
      '    return 2\n',
    );
    expect(truncateCompletion('    return 3\nprint(f(1))\n\ndef h')).toBe('    return 3');
    expect(truncateCompletion('    return 4\n    # inner comment kept\n')).toBe(
      '    return 4\n    # inner comment kept\n',
    );
    expect(truncateCompletion('abc', [])).toBe('abc');
    expect(truncateCompletion('a|b', ['', '|'])).toBe('a');
    expect(HUMANEVAL_STOPS).toContain('\nclass ');
  });
});

describe('runPythonCheck', () => {
  it('passes a good program, fails an exception or sys.exit', async () => {
    expect((await runPythonCheck('assert 1 + 1 == 2\n')).passed).toBe(true);
    const bad = await runPythonCheck('assert 1 + 1 == 3, "math"\n');
    expect(bad.passed).toBe(false);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderrTail).toContain('AssertionError: math');
    const exit0 = await runPythonCheck('import sys\nsys.exit(0)\n');
    expect(exit0.exitCode).toBe(0);
    expect(exit0.passed).toBe(false);
  });

  it('kills an infinite loop at the timeout', async () => {
    const p = problems[0]!;
    const r = await runPythonCheck(buildCheckProgram(p, '    while True:\n        pass\n'), {
      timeoutMs: 800,
    });
    expect(r.timedOut).toBe(true);
    expect(r.passed).toBe(false);
    expect(r.exitCode).toBe(null);
    expect(r.durationMs).toBeLessThan(5000);
  });

  it('fails a 2 GB allocation under the memory limit', async () => {
    const r = await runPythonCheck('x = bytearray(2 * 1024 ** 3)\nx[-1] = 1\n', { memoryMb: 512 });
    expect(r.passed).toBe(false);
    expect(r.timedOut).toBe(false);
    expect(r.stderrTail).toContain('MemoryError');
  });

  it('blocks network access', async () => {
    const r = await runPythonCheck(
      "import socket\ns = socket.create_connection(('127.0.0.1', 9), timeout=1)\n",
    );
    expect(r.passed).toBe(false);
    expect(r.stderrTail).toContain('network access is disabled');
    const raw = await runPythonCheck('import socket\nsocket.socket()\n');
    expect(raw.passed).toBe(false);
    const proc = await runPythonCheck("import subprocess\nsubprocess.run(['true'])\n");
    expect(proc.passed).toBe(false);
    expect(proc.stderrTail).toContain('starting processes is disabled');
  });

  it('runs in a fresh temporary working directory and rejects bad limits', async () => {
    const r = await runPythonCheck(
      "import os\nassert os.path.basename(os.getcwd()).startswith('caldera-py-')\nassert 'HTTP_PROXY' not in os.environ\n",
    );
    expect(r.passed).toBe(true);
    await expect(runPythonCheck('pass\n', { timeoutMs: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('reports PYTHON_UNAVAILABLE for a missing interpreter', async () => {
    await expect(resolvePython('/nonexistent/python3')).rejects.toMatchObject({
      code: 'PYTHON_UNAVAILABLE',
    });
    await expect(
      runPythonCheck('pass\n', { python: '/nonexistent/python3' }),
    ).rejects.toMatchObject({ code: 'PYTHON_UNAVAILABLE' });
  });

  it('stops on abort', async () => {
    const ac = new AbortController();
    const run = runPythonCheck('while True:\n    pass\n', { timeoutMs: 20000, signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('evaluateHumanEval', () => {
  it('scores 164/164 with the canonical solutions', async () => {
    const t = performance.now();
    let events = 0;
    const r = await evaluateHumanEval(problems, async (_prompt, p) => p.canonicalSolution, {
      timeoutMs: 10000,
      onProgress: (e) => {
        if (e.type === 'progress') events++;
      },
    });
    const failed = r.results.filter((x) => !x.passed).map((x) => `${x.taskId}: ${x.stderrTail}`);
    expect(failed).toEqual([]);
    expect(r.total).toBe(164);
    expect(r.passed).toBe(164);
    expect(r.passAt1).toBe(1);
    expect(events).toBe(164);
    expect(r.results.map((x) => x.taskId)).toEqual(problems.map((p) => p.taskId));
    console.log(`canonical: 164 checks in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }, 60000);

  it('scores 0/164 with empty bodies', async () => {
    const r = await evaluateHumanEval(problems, async () => '    pass\n', { timeoutMs: 10000 });
    expect(r.passed).toBe(0);
    expect(r.passAt1).toBe(0);
    expect(r.results.every((x) => !x.passed && x.completion === '    pass\n')).toBe(true);
  }, 60000);

  it('truncates completions and reports timeouts as failures', async () => {
    const p = problems.slice(0, 2);
    const r = await evaluateHumanEval(
      p,
      async (_prompt, pr) =>
        pr === p[0] ? '    while True:\n        pass\n' : `${pr.canonicalSolution}\ndef extra(:\n`,
      { timeoutMs: 800 },
    );
    expect(r.results[0]!.timedOut).toBe(true);
    expect(r.results[0]!.passed).toBe(false);
    expect(r.results[1]!.passed).toBe(true);
    expect(r.results[1]!.completion).toBe(p[1]!.canonicalSolution);
    expect(r.passed).toBe(1);
    await expect(evaluateHumanEval(p, async () => '', { concurrency: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('runs pycode-6m end to end on 3 problems', async () => {
    const dir = `${ASSETS}models/pycode-6m`;
    const src = await loadHfModel(dir);
    const model = await LlamaModel.load(src);
    await src.close();
    const tokenizer = await loadTokenizer(dir);
    const r = await evaluateHumanEval(
      problems.slice(0, 3),
      completeWithModel(model, tokenizer, { maxTokens: 32 }),
      { concurrency: 3, timeoutMs: 5000 },
    );
    expect(r.total).toBe(3);
    expect(r.results).toHaveLength(3);
    expect(r.passed).toBe(r.results.filter((x) => x.passed).length);
    for (const x of r.results) {
      expect(x.completion.length).toBeGreaterThan(0);
      for (const s of HUMANEVAL_STOPS) expect(x.completion.includes(s)).toBe(false);
    }
    // Interleaved generation (concurrency 3) gives the same greedy completions as one at a time.
    const serial = await evaluateHumanEval(
      problems.slice(0, 3),
      completeWithModel(model, tokenizer, { maxTokens: 32 }),
      { concurrency: 1, timeoutMs: 5000 },
    );
    expect(serial.results.map((x) => x.completion)).toEqual(r.results.map((x) => x.completion));
    expect(() => completeWithModel(model, tokenizer, { maxTokens: 0 })).toThrow(CalderaError);
  }, 60000);
});
