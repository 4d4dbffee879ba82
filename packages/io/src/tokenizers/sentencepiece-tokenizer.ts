/**
 * SentencePiece BPE tokenizer (the Llama / Llama 2 / Mistral `tokenizer.model`), written from
 * the SentencePiece model format and its documented encoding behaviour:
 *
 * 1. normalise: (optionally) collapse runs of spaces and trim them, prepend the dummy-prefix
 *    space, replace every space with `▁` (U+2581);
 * 2. split into characters (user-defined pieces are matched whole, longest first, and frozen);
 * 3. BPE: repeatedly merge the adjacent pair whose concatenation is a piece with the highest
 *    score, leftmost on ties (over the whole text: there is no pre-splitting on whitespace,
 *    which is how runs such as `▁▁▁▁` become one piece);
 * 4. map pieces to ids; an unused piece is re-split into the two parts it was merged from; a
 *    symbol that is not a piece becomes one `<0xHH>` token per UTF-8 byte with byte fallback,
 *    else the unknown id (a run of unknowns gives one unknown id).
 */
import { CalderaError, describeValue } from '@caldera/core';
import { bpeMerge, type BpeVocab } from './bpe-merge';
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
  parseSentencePieceModel,
  SP_BYTE,
  SP_CONTROL,
  SP_NORMAL,
  SP_UNKNOWN,
  SP_UNUSED,
  SP_USER_DEFINED,
  type SentencePieceModelData,
} from './sentencepiece-model';
import type {
  DecodeOptions,
  EncodeOptions,
  Tokenizer,
  TokenStreamDecoder,
} from './tokenizer';

const WS = '\u2581';
const BPE = 2;

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
  private readonly table: SurfaceTable;

  /**
   * @param model - a decoded `.model` file (see {@link parseSentencePieceModel})
   * @throws CalderaError `TOKENIZER_UNSUPPORTED` for non-BPE models, precompiled normalisation
   *   rules or whitespace-as-suffix; `TOKENIZER_INVALID` for missing unknown/byte pieces
   */
  constructor(model: SentencePieceModelData) {
    checkSupported(model);
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
    this.table = { surfaces, kinds };
  }

  /**
   * Decodes a `.model` file and builds the tokenizer.
   *
   * @param bytes - the file contents
   * @returns the tokenizer
   * @throws CalderaError `TOKENIZER_INVALID` / `TOKENIZER_UNSUPPORTED` (see the constructor)
   * @example
   * ```ts
   * const tok = SentencePieceTokenizer.fromBytes(readFileSync('tokenizer.model'));
   * ```
   */
  static fromBytes(bytes: Uint8Array): SentencePieceTokenizer {
    return new SentencePieceTokenizer(parseSentencePieceModel(bytes));
  }

  /**
   * Applies the model's normaliser (space handling only: the `identity` rule set).
   *
   * @param text - raw text
   * @returns the normalised text, with `▁` for spaces and the dummy prefix
   */
  normalize(text: string): string {
    const m = this.model;
    let s = text;
    if (m.removeExtraWhitespaces) s = s.replace(/ {2,}/g, ' ').replace(/^ | $/g, '');
    if (s.length === 0) return '';
    if (m.addDummyPrefix) s = ` ${s}`;
    return m.escapeWhitespaces ? s.replaceAll(' ', WS) : s;
  }

  /** Splits normalised text into initial symbols; user-defined pieces are frozen. */
  private split(s: string): { symbols: string[]; frozen: Uint8Array | null } {
    const symbols: string[] = [];
    const hasUser = this.userDefined.size > 0;
    const frozenList: number[] = [];
    let i = 0;
    while (i < s.length) {
      if (hasUser) {
        const cands = this.userDefined.get(s[i]!);
        const hit = cands?.find((c) => s.startsWith(c, i));
        if (hit !== undefined) {
          frozenList.push(symbols.length);
          symbols.push(hit);
          i += hit.length;
          continue;
        }
      }
      const c = s.charCodeAt(i);
      const len = c >= 0xd800 && c < 0xdc00 && i + 1 < s.length ? 2 : 1;
      symbols.push(len === 1 ? s[i]! : s.slice(i, i + 2));
      i += len;
    }
    if (frozenList.length === 0) return { symbols, frozen: null };
    const frozen = new Uint8Array(symbols.length);
    for (const k of frozenList) frozen[k] = 1;
    return { symbols, frozen };
  }

  /**
   * Segments text into pieces (strings), before mapping to ids.
   *
   * @param text - raw text
   * @returns the pieces; unknown characters appear as they are (not yet byte pieces)
   */
  private segment(text: string): string[] {
    const normalized = this.normalize(text);
    if (normalized.length === 0) return [];
    const { symbols, frozen } = this.split(normalized);
    const types = this.model.types;
    const revMerge = new Map<string, [string, string]>();
    const ids = this.vocab.pieceIds;
    const onMerge = (merged: string, left: string, right: string): void => {
      const id = ids.get(merged)!;
      if (types[id] === SP_UNUSED) revMerge.set(merged, [left, right]);
    };
    const { pieces } = bpeMerge(symbols, frozen, this.vocab, onMerge);
    const out: string[] = [];
    const resegment = (w: string): void => {
      const id = ids.get(w);
      const parts = id !== undefined && types[id] === SP_UNUSED ? revMerge.get(w) : undefined;
      if (parts === undefined) {
        out.push(w);
        return;
      }
      resegment(parts[0]);
      resegment(parts[1]);
    };
    for (const p of pieces) resegment(p);
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
    const enc = new TextEncoder();
    const unkId = this.model.unkId;
    let lastWasUnk = false;
    for (const piece of this.segment(text)) {
      const id = this.vocab.pieceIds.get(piece);
      if (id !== undefined) {
        out.push(id);
        lastWasUnk = false;
      } else if (this.model.byteFallback) {
        for (const b of enc.encode(piece)) out.push(this.byteIds[b]!);
        lastWasUnk = false;
      } else {
        if (!lastWasUnk) out.push(unkId);
        lastWasUnk = true;
      }
    }
    if (options.eos === true && this.eosId >= 0) out.push(this.eosId);
    return out;
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
    return decodeWithSurfaces(this.table, ids, options);
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
    return createSurfaceStreamDecoder(this.table, options);
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

function checkSupported(m: SentencePieceModelData): void {
  const unsupported = (what: string, value: unknown): never => {
    throw new CalderaError('TOKENIZER_UNSUPPORTED', `SentencePiece model: ${what}`, {
      details: { value },
    });
  };
  if (m.modelType !== BPE) unsupported(`model_type ${m.modelType} (only 2, BPE)`, m.modelType);
  if (m.charsmapLength > 0) {
    unsupported(
      `normaliser ${describeValue(m.normalizerName)} has precompiled rules (only identity)`,
      m.normalizerName,
    );
  }
  if (m.treatWhitespaceAsSuffix) unsupported('treat_whitespace_as_suffix', true);
  if (m.unkId < 0 || m.unkId >= m.pieces.length || m.types[m.unkId] !== SP_UNKNOWN) {
    invalid(`unk_id ${m.unkId} is not an UNKNOWN piece`);
  }
}
