/**
 * Reader for SentencePiece `.model` files: a protobuf `ModelProto` (sentencepiece_model.proto)
 * decoded with protobufjs. Only the fields tokenization needs are declared; the others
 * (training corpus settings, self-test data, …) are skipped as unknown fields.
 */
import { CalderaError } from '@caldera/core';
import protobuf from 'protobufjs';

/** The subset of sentencepiece_model.proto that encoding and decoding depend on. */
const MODEL_PROTO = `
syntax = "proto2";
package sentencepiece;
message TrainerSpec {
  optional int32 model_type = 3 [default = 1];
  optional int32 vocab_size = 4 [default = 8000];
  optional bool treat_whitespace_as_suffix = 24 [default = false];
  optional bool byte_fallback = 35 [default = false];
  optional int32 unk_id = 40 [default = 0];
  optional int32 bos_id = 41 [default = 1];
  optional int32 eos_id = 42 [default = 2];
  optional int32 pad_id = 43 [default = -1];
  optional string unk_surface = 44 [default = " \u2047 "];
}
message NormalizerSpec {
  optional string name = 1;
  optional bytes precompiled_charsmap = 2;
  optional bool add_dummy_prefix = 3 [default = true];
  optional bool remove_extra_whitespaces = 4 [default = true];
  optional bool escape_whitespaces = 5 [default = true];
}
message ModelProto {
  message SentencePiece {
    optional string piece = 1;
    optional float score = 2;
    optional int32 type = 3 [default = 1];
  }
  repeated SentencePiece pieces = 1;
  optional TrainerSpec trainer_spec = 2;
  optional NormalizerSpec normalizer_spec = 3;
}
`;

let modelType: protobuf.Type | undefined;

function modelProtoType(): protobuf.Type {
  modelType ??= protobuf
    .parse(MODEL_PROTO, { keepCase: true })
    .root.lookupType('sentencepiece.ModelProto');
  return modelType;
}

/** SentencePiece piece type: ordinary piece. */
export const SP_NORMAL = 1;
/** SentencePiece piece type: the unknown piece. */
export const SP_UNKNOWN = 2;
/** SentencePiece piece type: control symbol (`<s>`, `</s>`), never produced from text. */
export const SP_CONTROL = 3;
/** SentencePiece piece type: user-defined symbol, always kept whole. */
export const SP_USER_DEFINED = 4;
/** SentencePiece piece type: unused piece (re-split into its parts when produced). */
export const SP_UNUSED = 5;
/** SentencePiece piece type: byte piece `<0xHH>`. */
export const SP_BYTE = 6;

/**
 * The decoded fields of a SentencePiece model.
 *
 * @example
 * ```ts
 * const m = parseSentencePieceModel(readFileSync('tokenizer.model'));
 * m.modelType; // 2 (BPE)
 * m.pieces[259]; // '▁▁'
 * ```
 */
export interface SentencePieceModelData {
  /** Piece strings, by id. */
  pieces: string[];
  /** Scores, by id. */
  scores: Float32Array;
  /** Piece types ({@link SP_NORMAL} … {@link SP_BYTE}), by id. */
  types: Uint8Array;
  /** 1 UNIGRAM, 2 BPE, 3 WORD, 4 CHAR. */
  modelType: number;
  byteFallback: boolean;
  treatWhitespaceAsSuffix: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  unkSurface: string;
  normalizerName: string;
  /** Length of the precompiled character map (0 for the `identity` normaliser). */
  charsmapLength: number;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

interface RawPiece {
  piece: string;
  score: number;
  type: number;
}
interface RawModel {
  pieces: RawPiece[];
  trainer_spec?: Record<string, unknown>;
  normalizer_spec?: Record<string, unknown>;
}

/**
 * Decodes a SentencePiece `.model` file.
 *
 * @param bytes - the file contents
 * @returns the pieces, their scores and types, and the trainer/normaliser settings
 * @throws CalderaError `TOKENIZER_INVALID` when the bytes are not a `ModelProto` or the
 *   vocabulary is empty or has an out-of-range piece type
 * @example
 * ```ts
 * const m = parseSentencePieceModel(readFileSync('tokenizer.model'));
 * m.pieces.length; // 32000
 * ```
 */
export function parseSentencePieceModel(bytes: Uint8Array): SentencePieceModelData {
  const type = modelProtoType();
  let raw: RawModel;
  try {
    raw = type.toObject(type.decode(bytes), { defaults: true }) as unknown as RawModel;
  } catch (cause) {
    throw new CalderaError(
      'TOKENIZER_INVALID',
      `not a SentencePiece model: protobuf decoding failed (${String(cause)})`,
      { cause, details: { byteLength: bytes.length } },
    );
  }
  const n = raw.pieces.length;
  if (n === 0) {
    throw new CalderaError('TOKENIZER_INVALID', 'SentencePiece model has no pieces', {
      details: { byteLength: bytes.length },
    });
  }
  const pieces: string[] = new Array(n);
  const scores = new Float32Array(n);
  const types = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = raw.pieces[i]!;
    if (p.type < SP_NORMAL || p.type > SP_BYTE || p.piece.length === 0) {
      throw new CalderaError(
        'TOKENIZER_INVALID',
        `SentencePiece piece ${i} (${JSON.stringify(p.piece)}) is empty or has unknown type ${p.type}`,
        { details: { id: i, piece: p.piece, type: p.type } },
      );
    }
    pieces[i] = p.piece;
    scores[i] = p.score;
    types[i] = p.type;
  }
  const t = raw.trainer_spec ?? {};
  const nz = raw.normalizer_spec ?? {};
  const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);
  const bool = (v: unknown, d: boolean): boolean => (typeof v === 'boolean' ? v : d);
  const charsmap = nz.precompiled_charsmap;
  return {
    pieces,
    scores,
    types,
    modelType: num(t.model_type, 1),
    byteFallback: bool(t.byte_fallback, false),
    treatWhitespaceAsSuffix: bool(t.treat_whitespace_as_suffix, false),
    unkId: num(t.unk_id, 0),
    bosId: num(t.bos_id, 1),
    eosId: num(t.eos_id, 2),
    padId: num(t.pad_id, -1),
    unkSurface: typeof t.unk_surface === 'string' ? t.unk_surface : ' \u2047 ',
    normalizerName: typeof nz.name === 'string' ? nz.name : '',
    charsmapLength: charsmap instanceof Uint8Array ? charsmap.length : 0,
    addDummyPrefix: bool(nz.add_dummy_prefix, true),
    removeExtraWhitespaces: bool(nz.remove_extra_whitespaces, true),
    escapeWhitespaces: bool(nz.escape_whitespaces, true),
  };
}

/**
 * Checks that a model is one this package encodes exactly: BPE, the `identity` normaliser (no
 * precompiled rules), whitespace as prefix, and a valid unknown piece.
 *
 * @param m - a decoded model
 * @throws CalderaError `TOKENIZER_UNSUPPORTED` for other model types, precompiled
 *   normalisation rules or whitespace-as-suffix; `TOKENIZER_INVALID` for a bad `unk_id`
 * @example
 * ```ts
 * checkSentencePieceSupported(parseSentencePieceModel(readFileSync('tokenizer.model')));
 * ```
 */
export function checkSentencePieceSupported(m: SentencePieceModelData): void {
  const unsupported = (what: string, value: unknown): never => {
    throw new CalderaError('TOKENIZER_UNSUPPORTED', `SentencePiece model: ${what}`, {
      details: { value },
    });
  };
  if (m.modelType !== 2) unsupported(`model_type ${m.modelType} (only 2, BPE)`, m.modelType);
  if (m.charsmapLength > 0) {
    unsupported(
      `normaliser ${JSON.stringify(m.normalizerName)} has precompiled rules (only identity)`,
      m.normalizerName,
    );
  }
  if (m.treatWhitespaceAsSuffix) unsupported('treat_whitespace_as_suffix', true);
  if (m.unkId < 0 || m.unkId >= m.pieces.length || m.types[m.unkId] !== SP_UNKNOWN) {
    throw new CalderaError(
      'TOKENIZER_INVALID',
      `SentencePiece model: unk_id ${m.unkId} is not an UNKNOWN piece`,
      { details: { unkId: m.unkId } },
    );
  }
}
