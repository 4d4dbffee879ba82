export { type BpeMergeResult, type BpeVocab, bpeMerge, bpeMergeReference } from './bpe-merge';
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
  parseSentencePieceModel,
  SP_BYTE,
  SP_CONTROL,
  SP_NORMAL,
  SP_UNKNOWN,
  SP_UNUSED,
  SP_USER_DEFINED,
  type SentencePieceModelData,
} from './sentencepiece-model';
export { SentencePieceTokenizer } from './sentencepiece-tokenizer';
export type {
  DecodeOptions,
  EncodeOptions,
  Tokenizer,
  TokenStreamDecoder,
} from './tokenizer';
