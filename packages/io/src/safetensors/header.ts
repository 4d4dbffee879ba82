// Validation of the safetensors header: pure functions on bytes, no Node imports.
import { CalderaError, describeValue } from '@caldera/core';
import { dtypeItemSize, isDType } from '../dtype/dtype-info';
import type { DType } from '../model/model-source';
import type { SafetensorsTensorInfo } from './types';

/**
 * The largest header accepted, in bytes (100 MB, as in the reference implementation).
 *
 * @example
 * ```ts
 * SAFETENSORS_MAX_HEADER_BYTES; // 100_000_000
 * ```
 */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/**
 * A validated safetensors header.
 *
 * @example
 * ```ts
 * const h: SafetensorsHeader = { tensors: [], metadata: {}, dataOffset: 8 + 8, dataLength: 0 };
 * ```
 */
export interface SafetensorsHeader {
  /** Tensors sorted by their data offsets. */
  tensors: SafetensorsTensorInfo[];
  /** The `__metadata__` map (empty when absent). */
  metadata: Record<string, string>;
  /** Absolute file offset of the data region: 8 + header length. */
  dataOffset: number;
  /** Length of the data region in bytes. */
  dataLength: number;
}

/**
 * Reads and checks the header length from the first 8 bytes of a file, before anything is
 * allocated for the header: it must be at most {@link SAFETENSORS_MAX_HEADER_BYTES} and fit in
 * the file.
 *
 * @param prefix - the first bytes of the file (at least 8 unless the file is shorter)
 * @param fileSize - total size of the file in bytes
 * @returns the header length in bytes
 * @throws CalderaError `SAFETENSORS_TOO_SMALL`, `SAFETENSORS_HEADER_TOO_LARGE`, `SAFETENSORS_HEADER_OUT_OF_BOUNDS`
 * @example
 * ```ts
 * readHeaderLength(new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0]), 10); // 2
 * ```
 */
export function readHeaderLength(prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new CalderaError(
      'SAFETENSORS_TOO_SMALL',
      `safetensors: the file has ${Math.min(fileSize, prefix.length)} bytes, fewer than the 8-byte header length`,
      { details: { fileSize } },
    );
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const length = view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
  if (length > SAFETENSORS_MAX_HEADER_BYTES) {
    throw new CalderaError(
      'SAFETENSORS_HEADER_TOO_LARGE',
      `safetensors: header length ${length} exceeds the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`,
      { details: { headerLength: length } },
    );
  }
  if (length > fileSize - 8) {
    throw new CalderaError(
      'SAFETENSORS_HEADER_OUT_OF_BOUNDS',
      `safetensors: header length ${length} runs past the end of the ${fileSize}-byte file`,
      { details: { headerLength: length, fileSize } },
    );
  }
  return length;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(
  code: 'SAFETENSORS_BAD_SHAPE' | 'SAFETENSORS_BAD_OFFSETS',
  name: string,
  what: string,
  value: unknown,
): never {
  throw new CalderaError(
    code,
    `safetensors: tensor ${describeValue(name)} has ${what} ${describeValue(value)}`,
    {
      details: { tensor: name, value },
    },
  );
}

/**
 * Number of elements of a shape, checking that every dimension is a non-negative safe
 * integer and that the product stays a safe integer.
 *
 * @param shape - candidate shape (any value)
 * @param name - tensor name, for messages
 * @returns the element count (1 for the scalar shape `[]`)
 * @throws CalderaError `SAFETENSORS_BAD_SHAPE`
 * @example
 * ```ts
 * shapeElementCount([2, 3], 'w'); // 6
 * ```
 */
export function shapeElementCount(shape: unknown, name: string): number {
  if (!Array.isArray(shape)) fail('SAFETENSORS_BAD_SHAPE', name, 'shape', shape);
  let count = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail(
        'SAFETENSORS_BAD_SHAPE',
        name,
        'a shape dimension that is not a non-negative integer:',
        d,
      );
    }
    if (d !== 0 && count > Number.MAX_SAFE_INTEGER / d) {
      fail('SAFETENSORS_BAD_SHAPE', name, 'a shape whose element count overflows:', shape);
    }
    count *= d;
  }
  return count;
}

/**
 * Byte length of a tensor of `dtype` and `count` elements, checked to be a safe integer.
 *
 * @param dtype - element type
 * @param count - element count (from {@link shapeElementCount})
 * @param name - tensor name, for messages
 * @returns `count × itemsize`
 * @throws CalderaError `SAFETENSORS_SIZE_MISMATCH` when the size is not representable
 * @example
 * ```ts
 * tensorByteLength('BF16', 6, 'w'); // 12
 * ```
 */
export function tensorByteLength(dtype: DType, count: number, name: string): number {
  const bytes = count * dtypeItemSize(dtype);
  if (!Number.isSafeInteger(bytes)) {
    throw new CalderaError(
      'SAFETENSORS_SIZE_MISMATCH',
      `safetensors: tensor ${describeValue(name)} of ${count} ${dtype} elements is too large to address`,
      { details: { tensor: name, count } },
    );
  }
  return bytes;
}

/**
 * Checks a `__metadata__` value: an object whose values are all strings.
 *
 * @param value - the candidate metadata
 * @returns a copy as a plain record
 * @throws CalderaError `SAFETENSORS_BAD_METADATA`
 * @example
 * ```ts
 * validateMetadata({ format: 'pt' }); // { format: 'pt' }
 * ```
 */
export function validateMetadata(value: unknown): Record<string, string> {
  if (!isPlainObject(value)) {
    throw new CalderaError(
      'SAFETENSORS_BAD_METADATA',
      `safetensors: __metadata__ must be an object of strings, got ${describeValue(value)}`,
    );
  }
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new CalderaError(
        'SAFETENSORS_BAD_METADATA',
        `safetensors: __metadata__ value of ${describeValue(k)} is not a string: ${describeValue(v)}`,
        { details: { key: k } },
      );
    }
    out.push([k, v]);
  }
  return Object.fromEntries(out);
}

function parseEntry(name: string, entry: unknown, dataLength: number): SafetensorsTensorInfo {
  if (!isPlainObject(entry)) {
    throw new CalderaError(
      'SAFETENSORS_BAD_TENSOR_ENTRY',
      `safetensors: entry of tensor ${describeValue(name)} is not an object: ${describeValue(entry)}`,
      { details: { tensor: name } },
    );
  }
  for (const key of Object.keys(entry)) {
    if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets') {
      throw new CalderaError(
        'SAFETENSORS_BAD_TENSOR_ENTRY',
        `safetensors: entry of tensor ${describeValue(name)} has an unknown field ${describeValue(key)}`,
        { details: { tensor: name, field: key } },
      );
    }
  }
  const { dtype, shape, data_offsets: offsets } = entry;
  if (!isDType(dtype)) {
    throw new CalderaError(
      'SAFETENSORS_UNKNOWN_DTYPE',
      `safetensors: tensor ${describeValue(name)} has unknown dtype ${describeValue(dtype)}`,
      { details: { tensor: name, dtype } },
    );
  }
  const count = shapeElementCount(shape, name);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
  ) {
    fail(
      'SAFETENSORS_BAD_OFFSETS',
      name,
      'data_offsets that are not two non-negative integers:',
      offsets,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail('SAFETENSORS_BAD_OFFSETS', name, 'reversed data_offsets', offsets);
  if (end > dataLength) {
    throw new CalderaError(
      'SAFETENSORS_OFFSET_OUT_OF_BOUNDS',
      `safetensors: tensor ${describeValue(name)} ends at ${end}, past the ${dataLength}-byte data region`,
      { details: { tensor: name, dataOffsets: offsets, dataLength } },
    );
  }
  const bytes = tensorByteLength(dtype, count, name);
  if (bytes !== end - begin) {
    throw new CalderaError(
      'SAFETENSORS_SIZE_MISMATCH',
      `safetensors: tensor ${describeValue(name)} (${dtype} ${describeValue(shape)}) needs ${bytes} bytes but data_offsets span ${end - begin}`,
      { details: { tensor: name, expected: bytes, actual: end - begin } },
    );
  }
  return { name, dtype, shape: (shape as number[]).slice(), dataOffsets: [begin, end] };
}

function checkCoverage(tensors: SafetensorsTensorInfo[], dataLength: number): void {
  let pos = 0;
  let prev = '';
  for (const t of tensors) {
    const [begin, end] = t.dataOffsets;
    if (begin < pos) {
      throw new CalderaError(
        'SAFETENSORS_OVERLAP',
        `safetensors: tensor ${describeValue(t.name)} starts at ${begin}, inside ${describeValue(prev)} which ends at ${pos}`,
        { details: { tensor: t.name, other: prev } },
      );
    }
    if (begin > pos) {
      throw new CalderaError(
        'SAFETENSORS_GAP',
        `safetensors: bytes ${pos}..${begin} of the data region belong to no tensor (before ${describeValue(t.name)})`,
        { details: { from: pos, to: begin } },
      );
    }
    pos = end;
    prev = t.name;
  }
  if (pos !== dataLength) {
    throw new CalderaError(
      'SAFETENSORS_GAP',
      `safetensors: the data region has ${dataLength} bytes but the tensors cover only ${pos}`,
      { details: { from: pos, to: dataLength } },
    );
  }
}

/**
 * Decodes and fully validates a header: UTF-8, JSON object, every entry (dtype, shape,
 * offsets, size), `__metadata__`, and that the tensors cover the data region exactly, without
 * overlaps or gaps.
 *
 * @param headerBytes - the header JSON bytes (without the 8-byte length)
 * @param fileSize - total file size; the data region is what follows the header
 * @returns the validated header, tensors sorted by offset
 * @throws CalderaError `SAFETENSORS_HEADER_NOT_UTF8`, `SAFETENSORS_HEADER_NOT_JSON`, `SAFETENSORS_HEADER_NOT_OBJECT`, `SAFETENSORS_BAD_TENSOR_ENTRY`, `SAFETENSORS_UNKNOWN_DTYPE`, `SAFETENSORS_BAD_SHAPE`, `SAFETENSORS_BAD_OFFSETS`, `SAFETENSORS_SIZE_MISMATCH`, `SAFETENSORS_OFFSET_OUT_OF_BOUNDS`, `SAFETENSORS_OVERLAP`, `SAFETENSORS_GAP`, `SAFETENSORS_BAD_METADATA`
 * @example
 * ```ts
 * const json = new TextEncoder().encode('{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}');
 * parseHeader(json, 8 + json.length + 2).tensors[0]!.name; // 'a'
 * ```
 */
export function parseHeader(headerBytes: Uint8Array, fileSize: number): SafetensorsHeader {
  const dataOffset = 8 + headerBytes.length;
  const dataLength = fileSize - dataOffset;
  let text: string;
  try {
    text = utf8.decode(headerBytes);
  } catch (cause) {
    throw new CalderaError(
      'SAFETENSORS_HEADER_NOT_UTF8',
      'safetensors: the header is not valid UTF-8',
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CalderaError(
      'SAFETENSORS_HEADER_NOT_JSON',
      `safetensors: the header is not JSON: ${describeValue(text)}`,
      { cause },
    );
  }
  if (!isPlainObject(json)) {
    throw new CalderaError(
      'SAFETENSORS_HEADER_NOT_OBJECT',
      `safetensors: the header must be a JSON object, got ${describeValue(json)}`,
    );
  }
  let metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') metadata = validateMetadata(entry);
    else tensors.push(parseEntry(name, entry, dataLength));
  }
  tensors.sort(
    (a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1],
  );
  checkCoverage(tensors, dataLength);
  return { tensors, metadata, dataOffset, dataLength };
}
