/**
 * The one tokenizer interface of caldera-ts, implemented by the llama2.c `tokenizer.bin`
 * reader, the SentencePiece `.model` reader and the Hugging Face `tokenizer.json` adapter.
 *
 * Token ids are plain `number[]` (JSON-friendly, cheap to slice and concatenate); convert
 * with `Int32Array.from(ids)` where a typed array is needed.
 */

/**
 * Options of {@link Tokenizer.encode}.
 *
 * @example
 * ```ts
 * const opts: EncodeOptions = { bos: true }; // prepend the BOS id, no EOS
 * ```
 */
export interface EncodeOptions {
  /** Prepend the beginning-of-sequence id (default false). */
  bos?: boolean;
  /** Append the end-of-sequence id (default false). */
  eos?: boolean;
}

/**
 * Options of {@link Tokenizer.decode} and {@link Tokenizer.createStreamDecoder}.
 *
 * @example
 * ```ts
 * const opts: DecodeOptions = { stripDummyPrefix: false }; // keep the leading space of " Once"
 * ```
 */
export interface DecodeOptions {
  /** Drop control tokens such as BOS/EOS (default true); when false their piece text is emitted. */
  skipSpecialTokens?: boolean;
  /**
   * Remove the one leading space that the encoder's dummy prefix added, from the first piece
   * that produces text (default true, as SentencePiece does), so that
   * `decode(encode(s)) === s`. Pass false to get the raw concatenation of pieces (the text a
   * model "said" after BOS, e.g. `" Once upon a time"`), and for a stream decoder that only
   * sees the continuation of an already-printed prompt (its first piece's space is real).
   * Ignored by the Hugging Face adapter, whose decoder handles its own prefix.
   */
  stripDummyPrefix?: boolean;
}

/**
 * Incremental decoder for generation: push ids one at a time and get the text they complete.
 * Byte tokens (`<0xHH>`) that form one multi-byte UTF-8 character are held back until the
 * character is complete, so no half characters or replacement marks are emitted mid-stream.
 *
 * @example
 * ```ts
 * const stream = tokenizer.createStreamDecoder();
 * let text = '';
 * for (const id of ids) text += stream.push(id);
 * text += stream.flush();
 * ```
 */
export interface TokenStreamDecoder {
  /** Adds one token id; returns the newly completed text (possibly empty). */
  push(id: number): string;
  /** Ends the stream; returns any held-back text (incomplete bytes become U+FFFD). */
  flush(): string;
}

/**
 * A text tokenizer: text ⇄ token ids.
 *
 * @example
 * ```ts
 * const tok = await loadTokenizer('/models/stories260K/tok512.bin');
 * const ids = tok.encode('Once upon a time', { bos: true }); // [1, 403, 407, 261, 378]
 * tok.decode(ids); // 'Once upon a time'
 * ```
 */
export interface Tokenizer {
  /** Which file format the tokenizer came from. */
  readonly kind: 'llama2c' | 'sentencepiece' | 'huggingface';
  /** Number of ids (the largest id + 1). */
  readonly vocabSize: number;
  /** Beginning-of-sequence id, or -1 when the vocabulary has none. */
  readonly bosId: number;
  /** End-of-sequence id, or -1 when the vocabulary has none. */
  readonly eosId: number;
  /**
   * Encodes text into token ids.
   *
   * @param text - any string (lone surrogates are encoded as U+FFFD)
   * @param options - whether to add BOS/EOS
   * @returns the ids
   */
  encode(text: string, options?: EncodeOptions): number[];
  /**
   * Decodes ids into text; byte tokens are reassembled into UTF-8 across tokens.
   *
   * @param ids - token ids
   * @param options - special-token and dummy-prefix handling
   * @returns the text
   * @throws CalderaError `TOKENIZER_BAD_ID` for an id outside `[0, vocabSize)`
   */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /**
   * Starts an incremental decoder (for streaming generation).
   *
   * @param options - as for {@link Tokenizer.decode}
   * @returns a fresh stream decoder
   */
  createStreamDecoder(options?: DecodeOptions): TokenStreamDecoder;
  /**
   * The vocabulary string of one id (e.g. `'▁Hello'`, `'<0x0A>'`, `' the'`).
   *
   * @param id - a token id
   * @returns its piece
   * @throws CalderaError `TOKENIZER_BAD_ID` for an id outside `[0, vocabSize)`
   */
  idToPiece(id: number): string;
  /**
   * The id of one vocabulary string.
   *
   * @param piece - a vocabulary string
   * @returns its id, or undefined when it is not in the vocabulary
   */
  pieceToId(piece: string): number | undefined;
}
