/**
 * HumanEval problems: loading the JSONL file and assembling the program that checks one
 * completion (prompt + completion + tests + `check(entry_point)`).
 */
import { readFile } from 'node:fs/promises';
import { CalderaError, describeValue } from '@caldera/core';

/**
 * One HumanEval problem.
 *
 * @example
 * ```ts
 * const p: HumanEvalProblem = {
 *   taskId: 'HumanEval/0', prompt: 'def f(x):\n', canonicalSolution: '    return x\n',
 *   test: 'def check(c):\n    assert c(1) == 1\n', entryPoint: 'f',
 * };
 * ```
 */
export interface HumanEvalProblem {
  /** `task_id`, e.g. `HumanEval/0`. */
  taskId: string;
  /** Function signature and docstring the model continues. */
  prompt: string;
  /** Reference body (`canonical_solution`). */
  canonicalSolution: string;
  /** Python source defining `check(candidate)`. */
  test: string;
  /** Name of the function under test (`entry_point`). */
  entryPoint: string;
}

const FIELDS = [
  ['task_id', 'taskId'],
  ['prompt', 'prompt'],
  ['canonical_solution', 'canonicalSolution'],
  ['test', 'test'],
  ['entry_point', 'entryPoint'],
] as const;

/**
 * Parses HumanEval JSONL text (one problem per non-empty line).
 *
 * @param text - the file contents
 * @param source - name used in error messages (e.g. the path)
 * @returns the problems in file order
 * @throws CalderaError `DATASET_INVALID` naming the line for bad JSON, a missing or
 *   non-string field, or a duplicate `task_id`
 * @example
 * ```ts
 * const problems = parseHumanEval(jsonlText, 'HumanEval.jsonl');
 * ```
 */
export function parseHumanEval(text: string, source = 'HumanEval'): HumanEvalProblem[] {
  const problems: HumanEvalProblem[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${source} line ${i + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (cause) {
      throw new CalderaError('DATASET_INVALID', `${where}: not valid JSON`, {
        cause,
        details: { line: i + 1 },
      });
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new CalderaError(
        'DATASET_INVALID',
        `${where}: expected an object, got ${describeValue(row)}`,
        {
          details: { line: i + 1 },
        },
      );
    }
    const obj = row as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const [key, name] of FIELDS) {
      const v = obj[key];
      if (typeof v !== 'string' || (key !== 'canonical_solution' && v === '')) {
        throw new CalderaError(
          'DATASET_INVALID',
          `${where}: field "${key}" must be a non-empty string, got ${describeValue(v)}`,
          { details: { line: i + 1, field: key } },
        );
      }
      out[name] = v;
    }
    const p = out as unknown as HumanEvalProblem;
    if (seen.has(p.taskId)) {
      throw new CalderaError('DATASET_INVALID', `${where}: duplicate task_id "${p.taskId}"`, {
        details: { line: i + 1, field: 'task_id' },
      });
    }
    seen.add(p.taskId);
    problems.push(p);
  }
  return problems;
}

/**
 * Reads a HumanEval JSONL file (e.g. `HumanEval.jsonl`, 164 problems).
 *
 * @param path - path of the JSONL file
 * @returns the problems in file order
 * @throws CalderaError `DATASET_INVALID` (see {@link parseHumanEval}); the file-system error
 *   if the file cannot be read
 * @example
 * ```ts
 * const problems = await loadHumanEval('assets/text/humaneval/HumanEval.jsonl');
 * ```
 */
export async function loadHumanEval(path: string): Promise<HumanEvalProblem[]> {
  return parseHumanEval(await readFile(path, 'utf8'), path);
}

/**
 * The Python program that checks one completion: the prompt, the completion, the tests and
 * a call of `check` on the entry point. It exits non-zero iff a test fails.
 *
 * @param problem - the problem
 * @param completion - the generated function body (continuation of the prompt)
 * @returns Python source
 * @example
 * ```ts
 * const program = buildCheckProgram(problem, problem.canonicalSolution);
 * ```
 */
export function buildCheckProgram(problem: HumanEvalProblem, completion: string): string {
  return `${problem.prompt}${completion}\n${problem.test}\ncheck(${problem.entryPoint})\n`;
}
