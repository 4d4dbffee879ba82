/**
 * Rows of the first Markdown table whose header starts with `firstHeader` (test helper).
 *
 * @param md - Markdown text
 * @param firstHeader - the first column's header
 * @returns the body rows as cells (unescaped pipes split cells; `\|` kept)
 * @example
 * ```ts
 * parseMarkdownTable('| a | b |\n| --- | --- |\n| 1 | 2 |', 'a'); // [['1', '2']]
 * ```
 */
export function parseMarkdownTable(md: string, firstHeader: string): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader} |`));
  if (start < 0) return [];
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    rows.push(
      lines[i]!.slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}
