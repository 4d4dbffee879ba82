/**
 * Decoding for piece vocabularies (llama2.c and SentencePiece): every id maps to the UTF-8
 * bytes it stands for; byte tokens contribute one raw byte, so a multi-byte character split
 * into `<0xHH>` tokens is reassembled when the bytes are decoded together.
 */
import { CalderaError, describeValue } from '@caldera/core';
import type { DecodeOptions, TokenStreamDecoder } from './tokenizer';

/** Kind of a vocabulary entry for decoding: ordinary text piece. */
export const PIECE_TEXT = 0;
/**
 * Kind of a vocabulary entry for decoding: verbatim bytes that the dummy-prefix rule never
 * touches (byte tokens `<0xHH>`, the unknown-token surface).
 */
export const PIECE_BYTE = 1;
/** Kind of a vocabulary entry for decoding: control token (BOS, EOS, …), dropped by default. */
export const PIECE_CONTROL = 2;

/**
 * What each id decodes to.
 *
 * @example
 * ```ts
 * const enc = new TextEncoder();
 * const table: SurfaceTable = {
 *   surfaces: [enc.encode('<s>'), new Uint8Array([0x0a]), enc.encode(' hi')],
 *   kinds: new Uint8Array([PIECE_CONTROL, PIECE_BYTE, PIECE_TEXT]),
 * };
 * ```
 */
export interface SurfaceTable {
  /** Per id, its bytes (for control tokens: the bytes emitted when special tokens are kept). */
  readonly surfaces: readonly Uint8Array[];
  /** Per id, one of {@link PIECE_TEXT}, {@link PIECE_BYTE}, {@link PIECE_CONTROL}. */
  readonly kinds: Uint8Array;
}

const SPACE = 0x20;

function checkId(table: SurfaceTable, id: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= table.surfaces.length) {
    throw new CalderaError(
      'TOKENIZER_BAD_ID',
      `token id ${describeValue(id)} is outside the vocabulary [0, ${table.surfaces.length})`,
      { details: { id, vocabSize: table.surfaces.length } },
    );
  }
}

/**
 * Stateful id → bytes step shared by the batch and the streaming decoder: it drops control
 * tokens when asked and strips the dummy-prefix space from the first text-producing piece.
 */
class SurfaceCursor {
  private first = true;
  private readonly skipSpecial: boolean;
  private readonly strip: boolean;

  constructor(
    private readonly table: SurfaceTable,
    options: DecodeOptions,
  ) {
    this.skipSpecial = options.skipSpecialTokens ?? true;
    this.strip = options.stripDummyPrefix ?? true;
  }

  next(id: number): Uint8Array {
    checkId(this.table, id);
    const kind = this.table.kinds[id]!;
    const bytes = this.table.surfaces[id]!;
    if (kind === PIECE_CONTROL && this.skipSpecial) return bytes.subarray(0, 0);
    if (bytes.length === 0) return bytes;
    const isFirst = this.first;
    this.first = false;
    if (isFirst && this.strip && kind === PIECE_TEXT && bytes[0] === SPACE)
      return bytes.subarray(1);
    return bytes;
  }
}

/**
 * Decodes ids with a surface table.
 *
 * @param table - what each id decodes to
 * @param ids - token ids
 * @param options - special-token and dummy-prefix handling
 * @returns the text (invalid UTF-8 becomes U+FFFD)
 * @throws CalderaError `TOKENIZER_BAD_ID` for an id outside the table
 * @example
 * ```ts
 * decodeWithSurfaces(table, [0, 2, 1]); // 'hi\n'
 * ```
 */
export function decodeWithSurfaces(
  table: SurfaceTable,
  ids: ArrayLike<number>,
  options: DecodeOptions = {},
): string {
  const cursor = new SurfaceCursor(table, options);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < ids.length; i++) {
    const bytes = cursor.next(ids[i]!);
    if (bytes.length === 0) continue;
    parts.push(bytes);
    total += bytes.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return new TextDecoder('utf-8').decode(out);
}

/**
 * Starts a streaming decoder over a surface table; incomplete UTF-8 sequences are held back
 * until the bytes that complete them arrive.
 *
 * @param table - what each id decodes to
 * @param options - special-token and dummy-prefix handling
 * @returns a stream decoder
 * @example
 * ```ts
 * const s = createSurfaceStreamDecoder(table);
 * s.push(2) + s.push(1) + s.flush(); // 'hi\n'
 * ```
 */
export function createSurfaceStreamDecoder(
  table: SurfaceTable,
  options: DecodeOptions = {},
): TokenStreamDecoder {
  const cursor = new SurfaceCursor(table, options);
  const utf8 = new TextDecoder('utf-8');
  return {
    push(id: number): string {
      const bytes = cursor.next(id);
      return bytes.length === 0 ? '' : utf8.decode(bytes, { stream: true });
    },
    flush(): string {
      return utf8.decode();
    },
  };
}

/**
 * Parses a byte-token piece `<0xHH>` (two upper- or lower-case hex digits).
 *
 * @param piece - a vocabulary string
 * @returns the byte value, or -1 when the piece is not a byte token
 * @example
 * ```ts
 * parseBytePiece('<0x0A>'); // 10
 * parseBytePiece('hello'); // -1
 * ```
 */
export function parseBytePiece(piece: string): number {
  if (piece.length !== 6 || !piece.startsWith('<0x') || piece[5] !== '>') return -1;
  const hex = piece.slice(3, 5);
  return /^[0-9A-Fa-f]{2}$/.test(hex) ? Number.parseInt(hex, 16) : -1;
}

/**
 * Formats a byte as its byte-token piece.
 *
 * @param byte - 0..255
 * @returns `<0xHH>` with upper-case hex
 * @example
 * ```ts
 * bytePiece(10); // '<0x0A>'
 * ```
 */
export function bytePiece(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}
