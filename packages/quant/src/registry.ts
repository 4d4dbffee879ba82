import { CalderaError, describeValue } from '@caldera/core';

/**
 * The registry of quantisers: a stable name ↔ numeric id map. Ids are stored in packed blobs
 * so that files stay readable across versions; never renumber a registered quantiser.
 *
 * Built-ins: e8p12 = 1, e8p12rvq3b = 2, e8p12rvq4b = 3, uniform2 = 18, uniform3 = 19,
 * uniform4 = 20, uniform8 = 24 (16 + bits).
 */

/**
 * What the registry knows about a quantiser.
 *
 * @example
 * ```ts
 * const info: QuantizerInfo = { name: 'e8p12', id: 1, family: 'e8p', codeBits: 2, blockSize: 8 };
 * ```
 */
export interface QuantizerInfo {
  /** Stable name (lower case letters, digits, `-`, `_`). */
  name: string;
  /** Stable numeric id, 1…65535, stored in packed blobs. */
  id: number;
  /** Implementation family: the E8 lattice family, uniform scalar, or user-defined. */
  family: 'e8p' | 'uniform' | 'custom';
  /** Bits of code per weight, before scales and side data. */
  codeBits: number;
  /** Number of weights rounded jointly (8 for the E8 family, 1 for scalar). */
  blockSize: number;
  /** Optional one-line description. */
  description?: string;
}

const byName = new Map<string, QuantizerInfo>();
const byId = new Map<number, QuantizerInfo>();

/**
 * Registers a quantiser under a stable name and id.
 *
 * @param info - name, id, family, code bits and block size
 * @returns the frozen registered record
 * @throws CalderaError `DUPLICATE_QUANTIZER` when the name or id is taken;
 *   `INVALID_ARGUMENT` for a malformed name, id, codeBits or blockSize
 * @example
 * ```ts
 * registerQuantizer({ name: 'my-nf4', id: 1000, family: 'custom', codeBits: 4, blockSize: 1 });
 * ```
 */
export function registerQuantizer(info: QuantizerInfo): Readonly<QuantizerInfo> {
  if (typeof info.name !== 'string' || !/^[a-z0-9_-]+$/.test(info.name)) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `registerQuantizer: name must match /^[a-z0-9_-]+$/, got ${describeValue(info.name)}`,
    );
  }
  if (!Number.isInteger(info.id) || info.id < 1 || info.id > 65535) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `registerQuantizer: id must be an integer in 1..65535, got ${describeValue(info.id)}`,
    );
  }
  if (!(info.codeBits > 0) || !Number.isInteger(info.blockSize) || info.blockSize < 1) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `registerQuantizer: bad codeBits/blockSize ${describeValue([info.codeBits, info.blockSize])}`,
    );
  }
  const clash = byName.get(info.name) ?? byId.get(info.id);
  if (clash) {
    throw new CalderaError(
      'DUPLICATE_QUANTIZER',
      `registerQuantizer: ${describeValue(info.name)} (id ${info.id}) clashes with registered ${describeValue(clash.name)} (id ${clash.id})`,
      { details: { name: info.name, id: info.id } },
    );
  }
  const rec = Object.freeze({ ...info });
  byName.set(rec.name, rec);
  byId.set(rec.id, rec);
  return rec;
}

/**
 * Looks a quantiser up by name or numeric id.
 *
 * @param nameOrId - a registered name or id
 * @returns the registered record
 * @throws CalderaError `UNKNOWN_QUANTIZER` when nothing is registered under it
 * @example
 * ```ts
 * getQuantizer('e8p12rvq4b').id; // 3
 * getQuantizer(1).name; // 'e8p12'
 * ```
 */
export function getQuantizer(nameOrId: string | number): Readonly<QuantizerInfo> {
  const rec = typeof nameOrId === 'number' ? byId.get(nameOrId) : byName.get(nameOrId);
  if (!rec) {
    throw new CalderaError(
      'UNKNOWN_QUANTIZER',
      `getQuantizer: no quantizer registered as ${describeValue(nameOrId)}`,
      { details: { nameOrId } },
    );
  }
  return rec;
}

/**
 * All registered quantisers, by ascending id.
 *
 * @returns the records
 * @example
 * ```ts
 * listQuantizers().map((q) => q.name); // ['e8p12', 'e8p12rvq3b', 'e8p12rvq4b', 'uniform2', …]
 * ```
 */
export function listQuantizers(): Readonly<QuantizerInfo>[] {
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

registerQuantizer({ name: 'e8p12', id: 1, family: 'e8p', codeBits: 2, blockSize: 8 });
registerQuantizer({ name: 'e8p12rvq3b', id: 2, family: 'e8p', codeBits: 3, blockSize: 8 });
registerQuantizer({ name: 'e8p12rvq4b', id: 3, family: 'e8p', codeBits: 4, blockSize: 8 });
for (const bits of [2, 3, 4, 8]) {
  registerQuantizer({
    name: `uniform${bits}`,
    id: 16 + bits,
    family: 'uniform',
    codeBits: bits,
    blockSize: 1,
  });
}
