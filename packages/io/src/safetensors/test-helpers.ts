// Shared helpers of the safetensors tests (not exported from the package).
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CalderaErrorCode, isCalderaError } from '@caldera/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { DTYPE_ITEMSIZE, DTYPES } from '../dtype/dtype-info';
import type { TensorWithData } from './serialize';

/**
 * A fresh temporary folder for one test.
 *
 * @returns its path
 */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'caldera-st-'));
}

/**
 * Files left in a folder (to check that failed writes leave no temporary files).
 *
 * @param dir - the folder
 * @returns sorted file names
 */
export async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/**
 * Asserts that `run` throws (or rejects with) a `CalderaError` of `code`.
 *
 * @param run - the code under test
 * @param code - the expected code
 */
export async function expectCode(run: () => unknown, code: CalderaErrorCode): Promise<void> {
  let caught: unknown;
  try {
    await run();
  } catch (e) {
    caught = e;
  }
  if (!isCalderaError(caught, code)) {
    expect.fail(
      `expected CalderaError ${code}, got ${caught instanceof Error ? `${(caught as { code?: string }).code}: ${caught.message}` : String(caught)}`,
    );
  }
}

/** Random tensors of every dtype: shapes of rank 0–3 with zero-size dims, unique names. */
export const tensorsArb: fc.Arbitrary<TensorWithData[]> = fc
  .uniqueArray(
    fc.record({
      name: fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 })),
      dtype: fc.constantFrom(...DTYPES),
      shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
      seed: fc.integer(),
    }),
    { selector: (t) => t.name, maxLength: 8 },
  )
  .map((list) =>
    list
      .filter((t) => t.name !== '__metadata__')
      .map((t) => {
        const n = t.shape.reduce((a, b) => a * b, 1) * DTYPE_ITEMSIZE[t.dtype];
        const data = new Uint8Array(n);
        let x = t.seed >>> 0;
        for (let i = 0; i < n; i++) {
          x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
          data[i] = x >>> 24;
        }
        return { name: t.name, dtype: t.dtype, shape: t.shape, data };
      }),
  );

/** Random `__metadata__` maps. */
export const metadataArb: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.string({ maxLength: 8 }),
  fc.string({ maxLength: 16 }),
  { maxKeys: 4, noNullPrototype: true },
);

/**
 * Builds a file from a header string and a data region of `dataLength` bytes.
 *
 * @param header - header text (or raw bytes)
 * @param dataLength - bytes after the header
 * @param declaredLength - overrides the 8-byte header length
 * @returns the file bytes
 */
export function fileFrom(
  header: string | Uint8Array,
  dataLength = 0,
  declaredLength?: number,
): Uint8Array {
  const h = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + h.length + dataLength);
  const view = new DataView(out.buffer);
  const len = declaredLength ?? h.length;
  view.setUint32(0, len % 2 ** 32, true);
  view.setUint32(4, Math.floor(len / 2 ** 32), true);
  out.set(h, 8);
  return out;
}
