import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type BenchTable, benchTable, parseBenchFile } from '../src/site/bench-data';

export interface BenchData {
  tables: BenchTable[];
  errors: string[];
}

declare const data: BenchData;
export { data };

export default {
  watch: ['../data/bench/*.json'],
  load(files: string[]): BenchData {
    const tables: BenchTable[] = [];
    const errors: string[] = [];
    for (const f of files) {
      try {
        tables.push(benchTable(basename(f), parseBenchFile(readFileSync(f, 'utf8'), basename(f))));
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    return { tables, errors };
  },
};
