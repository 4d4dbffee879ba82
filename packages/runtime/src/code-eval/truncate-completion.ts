/**
 * Cutting a generated completion at the first stop sequence.
 */

/**
 * The usual HumanEval stop sequences: a new top-level definition, main guard, print or
 * comment ends the function body.
 *
 * @example
 * ```ts
 * truncateCompletion(text, HUMANEVAL_STOPS);
 * ```
 */
export const HUMANEVAL_STOPS: readonly string[] = Object.freeze([
  '\ndef ',
  '\nclass ',
  '\nif __name__',
  '\nprint(',
  '\n#',
]);

/**
 * Cuts `text` before the earliest occurrence of any stop sequence.
 *
 * @param text - generated text
 * @param stops - stop sequences (empty strings are ignored); default {@link HUMANEVAL_STOPS}
 * @returns the prefix of `text` that precedes the first stop (all of it if none occurs)
 * @example
 * ```ts
 * truncateCompletion('    return 1\ndef g():\n', ['\ndef ']); // '    return 1'
 * ```
 */
export function truncateCompletion(
  text: string,
  stops: readonly string[] = HUMANEVAL_STOPS,
): string {
  let cut = text.length;
  for (const s of stops) {
    if (s === '') continue;
    const i = text.indexOf(s);
    if (i >= 0 && i < cut) cut = i;
  }
  return text.slice(0, cut);
}
