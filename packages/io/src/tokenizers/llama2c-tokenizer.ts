/**
 * llama2.c's tokenizer (`tokenizer.bin`, e.g. `tok512.bin`), written from its file format and
 * encoding rule.
 *
 * File: int32 max token length, then per token: float32 score, int32 byte length, the bytes
 * (little-endian). The number of tokens is not stored: it is given, or read until the end.
 *
 * Encoding: a non-empty text gets a dummy leading space; each UTF-8 character becomes its
 * piece, or one `<0xHH>` byte token per byte when it is not in the vocabulary; then adjacent
 * pieces are merged by score (see {@link bpeMergeIds}). Pieces are compared as raw bytes (held
 * in strings of char codes 0..255), so vocabularies with non-UTF-8 pieces work too. Control
 * tokens (unk/BOS/EOS) and byte tokens are never produced by a merge.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { bpeMergeIds } from './bpe-merge';
import { type BpeMergeTable, type BpeVocab, buildMergeTable } from './bpe-merge-table';
import {
  createSurfaceStreamDecoder,
  decodeWithSurfaces,
  PIECE_BYTE,
  PIECE_CONTROL,
  PIECE_TEXT,
  parseBytePiece,
  type SurfaceTable,
} from './piece-decoder';
import { ChunkCache, canChunkBeforeSpaces, chunkBeforeSpaces } from './space-chunks';
import type { DecodeOptions, EncodeOptions, Tokenizer, TokenStreamDecoder } from './tokenizer';

/**
 * Options of {@link Llama2cTokenizer.fromBytes}.
 *
 * @example
 * ```ts
 * const opts: Llama2cTokenizerOptions = { vocabSize: 512 };
 * ```
 */
export interface Llama2cTokenizerOptions {
  /** Number of tokens to read (default: read records until the end of the file). */
  vocabSize?: number;
  /** Unknown id (default 0). */
  unkId?: number;
  /** Beginning-of-sequence id (default 1). */
  bosId?: number;
  /** End-of-sequence id (default 2). */
  eosId?: number;
  /**
   * Encode word by word (cutting before each space that follows another character) when that
   * is provably exact for the vocabulary (see {@link canChunkBeforeSpaces}); default true.
   * Results never depend on it.
   */
  chunkBeforeSpaces?: boolean;
  /** Words whose ids are remembered (default 65536; 0 disables the cache). */
  cacheSize?: number;
}

/** Single-byte strings, by byte value. */
const BYTE_CHARS = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));

/** Raw bytes → a string with one char code (0..255) per byte. */
function binary(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_CHARS[bytes[i]!]!;
  return s;
}

function invalid(message: string, details: Record<string, unknown>): never {
  throw new CalderaError('TOKENIZER_INVALID', `llama2.c tokenizer: ${message}`, { details });
}

/**
 * A llama2.c `tokenizer.bin` tokenizer.
 *
 * @example
 * ```ts
 * const tok = Llama2cTokenizer.fromBytes(readFileSync('tok512.bin'));
 * tok.vocabSize; // 512
 * tok.decode(tok.encode('Once upon a time')); // 'Once upon a time'
 * ```
 */
export class Llama2cTokenizer implements Tokenizer {
  readonly kind = 'llama2c' as const;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;
  /** The max-token-length field of the file. */
  readonly maxTokenLength: number;
  /** Raw piece bytes, by id. */
  readonly pieces: readonly Uint8Array[];
  /** Scores, by id. */
  readonly scores: Float32Array;
  private readonly vocab: BpeVocab;
  private mergeTable: BpeMergeTable | undefined;
  private readonly asciiIds = new Int32Array(128).fill(-1);
  private readonly chunked: boolean;
  private readonly cache: ChunkCache;
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly textIds = new Map<string, number>();
  private readonly table: SurfaceTable;
  private readonly utf8 = new TextDecoder('utf-8');

  /**
   * @param pieces - raw piece bytes, by id
   * @param scores - scores, by id
   * @param maxTokenLength - the header field (informational)
   * @param options - special ids
   * @throws CalderaError `TOKENIZER_INVALID` when the special ids are out of range
   */
  constructor(
    pieces: Uint8Array[],
    scores: Float32Array,
    maxTokenLength: number,
    options: Llama2cTokenizerOptions = {},
  ) {
    const n = pieces.length;
    this.vocabSize = n;
    this.pieces = pieces;
    this.scores = scores;
    this.maxTokenLength = maxTokenLength;
    this.unkId = options.unkId ?? 0;
    this.bosId = options.bosId ?? 1;
    this.eosId = options.eosId ?? 2;
    for (const [name, id] of [
      ['unkId', this.unkId],
      ['bosId', this.bosId],
      ['eosId', this.eosId],
    ] as const) {
      if (!Number.isInteger(id) || id < 0 || id >= n) {
        invalid(`${name} ${describeValue(id)} is outside the vocabulary [0, ${n})`, { [name]: id });
      }
    }
    const mergeable = new Map<string, number>();
    const kinds = new Uint8Array(n);
    const surfaces: Uint8Array[] = new Array(n);
    for (let id = 0; id < n; id++) {
      const bytes = pieces[id]!;
      const text = this.utf8.decode(bytes);
      if (!this.textIds.has(text)) this.textIds.set(text, id);
      const b = parseBytePiece(text);
      if (id === this.bosId || id === this.eosId) {
        kinds[id] = PIECE_CONTROL;
        surfaces[id] = bytes;
      } else if (b >= 0) {
        if (this.byteIds[b]! < 0) this.byteIds[b] = id;
        kinds[id] = PIECE_BYTE;
        surfaces[id] = Uint8Array.of(b);
      } else {
        kinds[id] = PIECE_TEXT;
        surfaces[id] = bytes;
        const key = binary(bytes);
        if (id !== this.unkId && !mergeable.has(key)) mergeable.set(key, id);
      }
    }
    this.vocab = { pieceIds: mergeable, scores };
    for (let b = 0; b < 128; b++) this.asciiIds[b] = mergeable.get(BYTE_CHARS[b]!) ?? -1;
    this.chunked =
      (options.chunkBeforeSpaces ?? true) && canChunkBeforeSpaces(mergeable.keys(), ' ');
    this.cache = new ChunkCache(options.cacheSize ?? 65536);
    this.table = { surfaces, kinds };
  }

  /**
   * Reads a `tokenizer.bin` file.
   *
   * @param bytes - the file contents
   * @param options - vocabulary size and special ids
   * @returns the tokenizer
   * @throws CalderaError `TOKENIZER_INVALID` for a truncated or malformed file
   * @example
   * ```ts
   * const tok = Llama2cTokenizer.fromBytes(readFileSync('tok512.bin'), { vocabSize: 512 });
   * ```
   */
  static fromBytes(bytes: Uint8Array, options: Llama2cTokenizerOptions = {}): Llama2cTokenizer {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < 4) invalid('file is shorter than its 4-byte header', { size: bytes.length });
    const maxTokenLength = view.getInt32(0, true);
    if (maxTokenLength <= 0) {
      invalid(`max token length ${maxTokenLength} is not positive`, { maxTokenLength });
    }
    const want = options.vocabSize;
    if (want !== undefined && (!Number.isInteger(want) || want <= 0)) {
      invalid(`vocabSize ${describeValue(want)} is not a positive integer`, { vocabSize: want });
    }
    const pieces: Uint8Array[] = [];
    const scoreList: number[] = [];
    let at = 4;
    while (want === undefined ? at < bytes.length : pieces.length < want) {
      if (at + 8 > bytes.length) {
        invalid(`token ${pieces.length} record is truncated at byte ${at}`, {
          offset: at,
          size: bytes.length,
        });
      }
      const score = view.getFloat32(at, true);
      const len = view.getInt32(at + 4, true);
      at += 8;
      if (len < 0 || at + len > bytes.length) {
        invalid(`token ${pieces.length} has bad length ${len} at byte ${at - 4}`, { len, at });
      }
      pieces.push(bytes.slice(at, at + len));
      scoreList.push(score);
      at += len;
    }
    if (pieces.length === 0) invalid('file has no tokens', { size: bytes.length });
    return new Llama2cTokenizer(pieces, Float32Array.from(scoreList), maxTokenLength, options);
  }

  /**
   * Encodes text with llama2.c's rule (dummy space, per-character lookup with byte
   * fallback, score-driven merges).
   *
   * @param text - raw text
   * @param options - whether to add BOS/EOS
   * @returns the ids
   * @example
   * ```ts
   * tok.encode('Once upon a time', { bos: true }); // [1, 403, 407, 261, 378]
   * ```
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const out: number[] = [];
    if (options.bos === true) out.push(this.bosId);
    if (text.length > 0) {
      const s = ` ${text}`;
      if (!this.chunked) {
        this.encodeChunk(s, out);
      } else {
        for (const chunk of chunkBeforeSpaces(s, ' ')) {
          let ids = this.cache.get(chunk);
          if (ids === undefined) {
            const fresh: number[] = [];
            this.encodeChunk(chunk, fresh);
            this.cache.set(chunk, fresh);
            ids = fresh;
          }
          for (const id of ids) out.push(id);
        }
      }
    }
    if (options.eos === true) out.push(this.eosId);
    return out;
  }

  /** Per-character lookup with byte fallback, then merges; appends the ids to `out`. */
  private encodeChunk(text: string, out: number[]): void {
    const bytes = new TextEncoder().encode(text);
    const ids = new Int32Array(bytes.length);
    const frozen = new Uint8Array(bytes.length);
    const pieceIds = this.vocab.pieceIds;
    let n = 0;
    for (let i = 0; i < bytes.length; ) {
      const lead = bytes[i]!;
      const len = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
      const id =
        len === 1 ? this.asciiIds[lead]! : (pieceIds.get(binary(bytes.subarray(i, i + len))) ?? -1);
      if (id >= 0) {
        ids[n++] = id;
      } else {
        // Not in the vocabulary: one frozen byte token per UTF-8 byte.
        for (let k = i; k < i + len && k < bytes.length; k++) {
          const byteId = this.byteIds[bytes[k]!]!;
          frozen[n] = 1;
          ids[n++] = byteId >= 0 ? byteId : this.unkId;
        }
      }
      i += len;
    }
    this.mergeTable ??= buildMergeTable(this.vocab);
    const merged = bpeMergeIds(ids.subarray(0, n), frozen.subarray(0, n), this.mergeTable);
    for (const id of merged.ids) out.push(id);
  }

  /**
   * Decodes ids: piece bytes joined, byte tokens as raw bytes, BOS/EOS dropped, the dummy
   * space of the first piece removed (pass `stripDummyPrefix: false` to keep it).
   *
   * @param ids - token ids
   * @param options - special-token and dummy-prefix handling
   * @returns the text
   * @throws CalderaError `TOKENIZER_BAD_ID` for an id outside the vocabulary
   * @example
   * ```ts
   * tok.decode([1, 403, 407]); // 'Once upon'
   * tok.decode([1, 403, 407], { stripDummyPrefix: false }); // ' Once upon'
   * ```
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    return decodeWithSurfaces(this.table, ids, options);
  }

  /**
   * Starts an incremental decoder.
   *
   * @param options - special-token and dummy-prefix handling
   * @returns a stream decoder
   * @example
   * ```ts
   * const s = tok.createStreamDecoder({ stripDummyPrefix: false });
   * s.push(403) + s.flush(); // ' Once'
   * ```
   */
  createStreamDecoder(options: DecodeOptions = {}): TokenStreamDecoder {
    return createSurfaceStreamDecoder(this.table, options);
  }

  /**
   * @param id - a token id
   * @returns its piece as text (bytes decoded as UTF-8)
   * @throws CalderaError `TOKENIZER_BAD_ID` for an id outside the vocabulary
   * @example
   * ```ts
   * tok.idToPiece(403); // ' Once'
   * ```
   */
  idToPiece(id: number): string {
    const p = this.pieces[id];
    if (p === undefined || !Number.isInteger(id)) {
      throw new CalderaError('TOKENIZER_BAD_ID', `token id ${describeValue(id)} is out of range`, {
        details: { id, vocabSize: this.vocabSize },
      });
    }
    return this.utf8.decode(p);
  }

  /**
   * @param piece - a piece as text
   * @returns its id (first occurrence), or undefined
   * @example
   * ```ts
   * tok.pieceToId(' Once'); // 403
   * ```
   */
  pieceToId(piece: string): number | undefined {
    return this.textIds.get(piece);
  }
}
