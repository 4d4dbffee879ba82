/**
 * Benchmark JSON files → one table per benchmark group, for the benchmarks page. A file holds
 * one JSON object per line (`pnpm bench --json`) or a JSON array of objects.
 */

/**
 * One benchmark record (whatever fields its benchmark printed).
 *
 * @example
 * ```ts
 * const r: BenchRecord = { op: 'sgemm', gflops: 41 };
 * ```
 */
export type BenchRecord = Record<string, unknown>;

/**
 * A table of records from one file.
 *
 * @example
 * ```ts
 * const t: BenchTable = { file: 'linalg.json', columns: ['op', 'seconds'], rows: [['sgemm', '0.1']] };
 * ```
 */
export interface BenchTable {
  file: string;
  columns: string[];
  rows: string[][];
}

/**
 * Parses a benchmark file: a JSON array, a single object, or JSON lines (blank lines and
 * `//` comments ignored).
 *
 * @param text - the file's contents
 * @param file - its name, for error messages
 * @returns the records
 * @throws Error naming the file and line for invalid JSON
 * @example
 * ```ts
 * parseBenchFile('{"op":"a"}\n{"op":"b"}', 'x.json').length; // 2
 * ```
 */
export function parseBenchFile(text: string, file: string): BenchRecord[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    const arr = JSON.parse(trimmed) as unknown;
    if (!Array.isArray(arr)) throw new Error(`${file}: expected an array`);
    return arr.filter((x): x is BenchRecord => x !== null && typeof x === 'object');
  }
  const out: BenchRecord[] = [];
  const lines = trimmed.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('//')) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(v as BenchRecord);
    } catch (e) {
      // A pretty-printed single object spans lines: try the whole text once.
      if (i === 0) {
        try {
          const whole = JSON.parse(trimmed) as unknown;
          if (whole !== null && typeof whole === 'object') return [whole as BenchRecord];
        } catch {}
      }
      throw new Error(`${file}:${i + 1}: invalid JSON (${(e as Error).message})`);
    }
  }
  return out;
}

function cell(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (typeof v === 'string') return v;
  return v === undefined ? '' : JSON.stringify(v);
}

function isPlainObject(v: unknown): v is BenchRecord {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Expands a record that holds one array of objects (e.g. `{ model, sweep: [{…}, {…}] }`)
 * into one record per element, each carrying the record's other fields.
 *
 * @param records - parsed records
 * @returns flat records
 * @example
 * ```ts
 * flattenRecords([{ model: 'm', rows: [{ k: 1 }, { k: 2 }] }]); // [{ model: 'm', k: 1 }, { model: 'm', k: 2 }]
 * ```
 */
export function flattenRecords(records: readonly BenchRecord[]): BenchRecord[] {
  return records.flatMap((r) => {
    const lists = Object.keys(r).filter((k) => {
      const v = r[k];
      return Array.isArray(v) && v.length > 0 && v.every(isPlainObject);
    });
    if (lists.length !== 1) return [r];
    const key = lists[0]!;
    const { [key]: list, ...rest } = r;
    return (list as BenchRecord[]).map((e) => ({ ...rest, ...e }));
  });
}

/**
 * Builds the table of one file: records flattened ({@link flattenRecords}), the union of their
 * keys (first-seen order) as columns.
 *
 * @param file - the file name
 * @param records - its records
 * @returns the table
 * @example
 * ```ts
 * benchTable('a.json', [{ op: 'x', seconds: 0.5 }]).columns; // ['op', 'seconds']
 * ```
 */
export function benchTable(file: string, records: readonly BenchRecord[]): BenchTable {
  records = flattenRecords(records);
  const columns: string[] = [];
  for (const r of records)
    for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  return { file, columns, rows: records.map((r) => columns.map((c) => cell(r[c]))) };
}
