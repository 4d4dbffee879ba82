/**
 * Small text-formatting helpers for the CLI's human-readable output.
 */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/**
 * Formats a byte count with decimal units.
 *
 * @param bytes - a non-negative byte count
 * @returns e.g. `'12.9 MB'`
 * @example
 * ```ts
 * formatBytes(12_900_000); // '12.9 MB'
 * ```
 */
export function formatBytes(bytes: number): string {
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${UNITS[u]}`;
}

/**
 * Formats an integer with thousands separators.
 *
 * @param n - the number
 * @returns e.g. `'6,450,432'`
 * @example
 * ```ts
 * formatCount(6450432); // '6,450,432'
 * ```
 */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Lays out rows as left-aligned (text) or right-aligned (numeric) columns.
 *
 * @param header - the column titles
 * @param rows - the cells, one array per row
 * @param rightAligned - indices of columns to right-align
 * @returns the table as lines of text
 * @example
 * ```ts
 * formatTable(['a', 'n'], [['x', '1']], [1]); // ['a  n', 'x  1']
 * ```
 */
export function formatTable(
  header: string[],
  rows: string[][],
  rightAligned: number[] = [],
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) =>
        rightAligned.includes(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
