/**
 * SentencePiece BPE tokenizer (the Llama / Llama 2 / Mistral `tokenizer.model`), written from
 * the SentencePiece model format and its documented encoding behaviour:
 *
 * 1. normalise: (optionally) collapse runs of spaces and trim them, prepend the dummy-prefix
 *    space, replace every space with `▁` (U+2581);
 * 2. split into characters (user-defined pieces are matched whole, longest first, and frozen);
 * 3. BPE: repeatedly merge the adjacent pair whose concatenation is a piece with the highest
 *    score, leftmost on ties (over the whole text: there is no pre-splitting on whitespace,
 *    which is how runs such as `▁▁▁▁` become one piece — the word-by-word speed-up of
 *    `space-chunks.ts` is used only where it provably gives the same ids);
 * 4. map pieces to ids; an unused piece is re-split into the two parts it was merged from; a
 *    symbol that is not a piece becomes one `<0xHH>` token per UTF-8 byte with byte fallback,
 *    else the unknown id (a run of unknowns gives one unknown id).
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
import {
  checkSentencePieceSupported,
  parseSentencePieceModel,
  type SentencePieceModelData,
  SP_BYTE,
  SP_CONTROL,
  SP_NORMAL,
  SP_UNKNOWN,
  SP_UNUSED,
  SP_USER_DEFINED,
} from './sentencepiece-model';
import { ChunkCache, canChunkBeforeSpaces, chunkBeforeSpaces } from './space-chunks';
import type { DecodeOptions, EncodeOptions, Tokenizer, TokenStreamDecoder } from './tokenizer';

const WS = '\u2581';

/**
 * Speed options of {@link SentencePieceTokenizer} (results never depend on them).
 *
 * @example
 * ```ts
 * const plain: SentencePieceTokenizerOptions = { chunkBeforeSpaces: false, cacheSize: 0 };
 * ```
 */
export interface SentencePieceTokenizerOptions {
  /**
   * Encode word by word (cutting before each `▁` that follows another character) when that
   * is provably exact for the vocabulary (see {@link canChunkBeforeSpaces}); default true.
   */
  chunkBeforeSpaces?: boolean;
  /** Words whose ids are remembered (default 65536; 0 disables the cache). */
  cacheSize?: number;
}

/**
 * A SentencePiece BPE tokenizer.
 *
 * @example
 * ```ts
 * const tok = SentencePieceTokenizer.fromBytes(readFileSync('llama2/tokenizer.model'));
 * tok.encode('Hello world'); // [15043, 3186]
 * tok.encode('Hello world').map((id) => tok.idToPiece(id)); // ['▁Hello', '▁world']
 * tok.decode([1, 15043, 3186]); // 'Hello world'
 * ```
 */
export class SentencePieceTokenizer implements Tokenizer {
  readonly kind = 'sentencepiece' as const;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** The decoded model file. */
  readonly model: SentencePieceModelData;
  private readonly vocab: BpeVocab;
  private readonly allIds = new Map<string, number>();
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly userDefined = new Map<string, string[]>();
  private readonly surfaceTable: SurfaceTable;
  private merge: { table: BpeMergeTable; codePointIds: Map<number, number> } | undefined;
  private readonly chunked: boolean;
  private readonly cache: ChunkCache;

  /**
   * @param model - a decoded `.model` file (see {@link parseSentencePieceModel})
   * @param options - speed options (chunking, cache)
   * @throws CalderaError `TOKENIZER_UNSUPPORTED` for non-BPE models, precompiled normalisation
   *   rules or whitespace-as-suffix; `TOKENIZER_INVALID` for missing unknown/byte pieces
   */
  constructor(model: SentencePieceModelData, options: SentencePieceTokenizerOptions = {}) {
    checkSentencePieceSupported(model);
    this.model = model;
    const { pieces, types } = model;
    this.vocabSize = pieces.length;
    this.bosId = validId(model.bosId, pieces.length);
    this.eosId = validId(model.eosId, pieces.length);
    const mergeable = new Map<string, number>();
    const surfaces: Uint8Array[] = new Array(pieces.length);
    const kinds = new Uint8Array(pieces.length);
    const enc = new TextEncoder();
    for (let id = 0; id < pieces.length; id++) {
      const piece = pieces[id]!;
      const type = types[id]!;
      if (!this.allIds.has(piece)) this.allIds.set(piece, id);
      if (type === SP_NORMAL || type === SP_USER_DEFINED || type === SP_UNUSED) {
        if (!mergeable.has(piece)) mergeable.set(piece, id);
      }
      if (type === SP_USER_DEFINED) {
        const list = this.userDefined.get(piece[0]!) ?? [];
        list.push(piece);
        this.userDefined.set(piece[0]!, list);
      }
      if (type === SP_BYTE) {
        const b = parseBytePiece(piece);
        if (b < 0) invalid(`byte piece ${id} is not of the form <0xHH>: ${describeValue(piece)}`);
        if (this.byteIds[b]! < 0) this.byteIds[b] = id;
        surfaces[id] = Uint8Array.of(b);
        kinds[id] = PIECE_BYTE;
      } else if (type === SP_CONTROL) {
        surfaces[id] = enc.encode(piece);
        kinds[id] = PIECE_CONTROL;
      } else if (type === SP_UNKNOWN) {
        surfaces[id] = enc.encode(model.unkSurface);
        kinds[id] = PIECE_BYTE;
      } else {
        surfaces[id] = enc.encode(model.escapeWhitespaces ? piece.replaceAll(WS, ' ') : piece);
        kinds[id] = PIECE_TEXT;
      }
    }
    for (const list of this.userDefined.values()) list.sort((a, b) => b.length - a.length);
    if (model.byteFallback && this.byteIds.includes(-1)) {
      invalid('byte_fallback is on but the model does not have all 256 <0xHH> pieces');
    }
    this.vocab = { pieceIds: mergeable, scores: model.scores };
    this.chunked =
      (options.chunkBeforeSpaces ?? true) &&
      model.escapeWhitespaces &&
      this.userDefined.size === 0 &&
      mergeable.has(WS) &&
      canChunkBeforeSpaces(mergeable.keys(), WS);
    this.cache = new ChunkCache(options.cacheSize ?? 65536);
    this.surfaceTable = { surfaces, kinds };
  }

  /**
   * Decodes a `.model` file and builds the tokenizer.
   *
   * @param bytes - the file contents
   * @param options - speed options (chunking, cache)
   * @returns the tokenizer
   * @throws CalderaError `TOKENIZER_INVALID` / `TOKENIZER_UNSUPPORTED` (see the constructor)
   * @example
   * ```ts
   * const tok = SentencePieceTokenizer.fromBytes(readFileSync('tokenizer.model'));
   * ```
   */
  static fromBytes(
    bytes: Uint8Array,
    options: SentencePieceTokenizerOptions = {},
  ): SentencePieceTokenizer {
    return new SentencePieceTokenizer(parseSentencePieceModel(bytes), options);
  }

  /**
   * Applies the model's normaliser (space handling only: the `identity` rule set).
   *
   * @param text - raw text
   * @returns the normalised text, with `▁` for spaces and the dummy prefix
   * @example
   * ```ts
   * tok.normalize('Hello  world'); // '▁Hello▁▁world' (Llama 2 keeps extra spaces)
   * ```
   */
  normalize(text: string): string {
    const m = this.model;
    let s = text;
    if (m.removeExtraWhitespaces) s = s.replace(/ {2,}/g, ' ').replace(/^ | $/g, '');
    if (s.length === 0) return '';
    if (m.addDummyPrefix) s = ` ${s}`;
    return m.escapeWhitespaces ? s.replaceAll(' ', WS) : s;
  }

  /** The merge table and the id of each single-code-point symbol, built on first use. */
  private mergeData(): { table: BpeMergeTable; codePointIds: Map<number, number> } {
    if (this.merge === undefined) {
      const table = buildMergeTable(this.vocab, true);
      const codePointIds = new Map<number, number>();
      const add = (str: string, id: number): void => {
        const cp = str.codePointAt(0)!;
        if (str.length === (cp > 0xffff ? 2 : 1)) codePointIds.set(cp, id);
      };
      for (const [str, id] of this.vocab.pieceIds) add(str, id);
      for (const [str, id] of table.charIds) add(str, id);
      this.merge = { table, codePointIds };
    }
    return this.merge;
  }

  /**
   * Splits normalised text into initial symbol ids (-1: a character that can never merge),
   * with the string offset of each; user-defined pieces are matched whole and frozen.
   */
  private split(s: string, codePointIds: Map<number, number>) {
    const ids = new Int32Array(s.length);
    const offsets = new Int32Array(s.length);
    const hasUser = this.userDefined.size > 0;
    const frozen = hasUser ? new Uint8Array(s.length) : null;
    let n = 0;
    for (let i = 0; i < s.length; n++) {
      offsets[n] = i;
      if (frozen !== null) {
        const hit = this.userDefined.get(s[i]!)?.find((c) => s.startsWith(c, i));
        if (hit !== undefined) {
          ids[n] = this.vocab.pieceIds.get(hit)!;
          frozen[n] = 1;
          i += hit.length;
          continue;
        }
      }
      const cp = s.codePointAt(i)!;
      ids[n] = codePointIds.get(cp) ?? -1;
      i += cp > 0xffff ? 2 : 1;
    }
    return { ids: ids.subarray(0, n), offsets, frozen: frozen?.subarray(0, n) ?? null };
  }

  /**
   * Segments normalised text: piece ids (≥ 0) and, for characters that are not pieces, their
   * strings.
   */
  private segment(s: string): (number | string)[] {
    const { table, codePointIds } = this.mergeData();
    const { ids, offsets, frozen } = this.split(s, codePointIds);
    const types = this.model.types;
    const n = this.vocabSize;
    const revMerge = new Map<number, [number, number]>();
    const onMerge = (merged: number, left: number, right: number): void => {
      if (types[merged] === SP_UNUSED) revMerge.set(merged, [left, right]);
    };
    const merged = bpeMergeIds(ids, frozen, table, onMerge);
    const out: (number | string)[] = [];
    const resegment = (id: number): void => {
      const parts = id < n && types[id] === SP_UNUSED ? revMerge.get(id) : undefined;
      if (parts === undefined) {
        out.push(id < n ? id : table.strings[id]!);
        return;
      }
      resegment(parts[0]);
      resegment(parts[1]);
    };
    for (let k = 0; k < merged.ids.length; k++) {
      const id = merged.ids[k]!;
      if (id >= 0) {
        resegment(id);
      } else {
        const at = offsets[merged.positions[k]!]!;
        const cp = s.codePointAt(at)!;
        out.push(s.slice(at, at + (cp > 0xffff ? 2 : 1)));
      }
    }
    return out;
  }

  /**
   * Encodes text as SentencePiece does (no BOS/EOS unless asked).
   *
   * @param text - raw text
   * @param options - whether to add BOS/EOS
   * @returns the ids
   * @example
   * ```ts
   * tok.encode(' ', {}); // [259] ('▁▁')
   * ```
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const out: number[] = [];
    if (options.bos === true && this.bosId >= 0) out.push(this.bosId);
    const s = this.normalize(text);
    if (s.length > 0 && this.chunked) {
      for (const chunk of chunkBeforeSpaces(s, WS)) {
        let ids = this.cache.get(chunk);
        if (ids === undefined) {
          const fresh: number[] = [];
          this.encodeNormalized(chunk, fresh);
          this.cache.set(chunk, fresh);
          ids = fresh;
        }
        for (const id of ids) out.push(id);
      }
    } else if (s.length > 0) {
      this.encodeNormalized(s, out);
    }
    if (options.eos === true && this.eosId >= 0) out.push(this.eosId);
    return out;
  }

  /** Encodes normalised text (BPE, then byte fallback or unknown ids) onto `out`. */
  private encodeNormalized(s: string, out: number[]): void {
    const unkId = this.model.unkId;
    let lastWasUnk = false;
    for (const seg of this.segment(s)) {
      if (typeof seg === 'number') {
        out.push(seg);
        lastWasUnk = false;
      } else if (this.model.byteFallback) {
        for (const b of new TextEncoder().encode(seg)) out.push(this.byteIds[b]!);
        lastWasUnk = false;
      } else {
        if (!lastWasUnk) out.push(unkId);
        lastWasUnk = true;
      }
    }
  }

  /**
   * Decodes ids: pieces joined, `▁` → space, the dummy-prefix space removed, byte pieces
   * reassembled as UTF-8, control tokens dropped.
   *
   * @param ids - token ids
   * @param options - special-token and dummy-prefix handling
   * @returns the text
   * @throws CalderaError `TOKENIZER_BAD_ID` for an id outside the vocabulary
   * @example
   * ```ts
   * tok.decode([1, 15043, 3186]); // 'Hello world'
   * ```
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    return decodeWithSurfaces(this.surfaceTable, ids, options);
  }

  /**
   * Starts an incremental decoder.
   *
   * @param options - special-token and dummy-prefix handling
   * @returns a stream decoder
   * @example
   * ```ts
   * const s = tok.createStreamDecoder();
   * s.push(15043) + s.push(3186) + s.flush(); // 'Hello world'
   * ```
   */
  createStreamDecoder(options: DecodeOptions = {}): TokenStreamDecoder {
    return createSurfaceStreamDecoder(this.surfaceTable, options);
  }

  /**
   * @param id - a token id
   * @returns its piece string
   * @throws CalderaError `TOKENIZER_BAD_ID` for an id outside the vocabulary
   * @example
   * ```ts
   * tok.idToPiece(13); // '<0x0A>'
   * ```
   */
  idToPiece(id: number): string {
    const p = this.model.pieces[id];
    if (p === undefined || !Number.isInteger(id)) {
      throw new CalderaError('TOKENIZER_BAD_ID', `token id ${describeValue(id)} is out of range`, {
        details: { id, vocabSize: this.vocabSize },
      });
    }
    return p;
  }

  /**
   * @param piece - a piece string
   * @returns its id (first occurrence), or undefined
   * @example
   * ```ts
   * tok.pieceToId('▁Hello'); // 15043
   * ```
   */
  pieceToId(piece: string): number | undefined {
    return this.allIds.get(piece);
  }
}

function invalid(message: string): never {
  throw new CalderaError('TOKENIZER_INVALID', `SentencePiece model: ${message}`);
}

function validId(id: number, n: number): number {
  return id >= 0 && id < n ? id : -1;
}
