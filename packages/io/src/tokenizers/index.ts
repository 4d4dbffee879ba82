export {
  type BpeMergeIdsResult,
  type BpeMergeResult,
  bpeMergeIds,
  bpeMergeReference,
} from './bpe-merge';
export {
  type BpeMergeTable,
  type BpeVocab,
  buildMergeTable,
} from './bpe-merge-table';
export { HfTokenizer, loadHfTokenizer } from './hf-tokenizer';
export { Llama2cTokenizer, type Llama2cTokenizerOptions } from './llama2c-tokenizer';
export { loadTokenizer, loadTokenizerFile } from './load-tokenizer';
export {
  bytePiece,
  createSurfaceStreamDecoder,
  decodeWithSurfaces,
  PIECE_BYTE,
  PIECE_CONTROL,
  PIECE_TEXT,
  parseBytePiece,
  type SurfaceTable,
} from './piece-decoder';
export {
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
export {
  SentencePieceTokenizer,
  type SentencePieceTokenizerOptions,
} from './sentencepiece-tokenizer';
export { ChunkCache, canChunkBeforeSpaces, chunkBeforeSpaces } from './space-chunks';
export type {
  DecodeOptions,
  EncodeOptions,
  Tokenizer,
  TokenStreamDecoder,
} from './tokenizer';
