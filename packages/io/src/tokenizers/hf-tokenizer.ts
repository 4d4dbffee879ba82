/**
 * Adapter from a Hugging Face `tokenizer.json` (run by `@huggingface/tokenizers`, the
 * pure-JS implementation of the Rust `tokenizers` pipeline) to the caldera {@link Tokenizer}.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { Tokenizer as HfTokenizerImpl } from '@huggingface/tokenizers';
import type { DecodeOptions, EncodeOptions, Tokenizer, TokenStreamDecoder } from './tokenizer';

type Json = Record<string, unknown>;

/** A special-token entry of `tokenizer_config.json`: a string or `{ content }`. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && 'content' in value) {
    const c = (value as { content: unknown }).content;
    return typeof c === 'string' ? c : undefined;
  }
  return undefined;
}

/**
 * A Hugging Face tokenizer behind the caldera interface. Encoding never lets the
 * post-processor add special tokens; BOS/EOS are added from `tokenizer_config.json`'s
 * `bos_token`/`eos_token` when asked.
 *
 * @example
 * ```ts
 * const tok = loadHfTokenizer(tokenizerJson, { bos_token: '<s>', eos_token: '</s>' });
 * tok.encode('lower', { bos: true }); // [1, 11, 12]
 * ```
 */
export class HfTokenizer implements Tokenizer {
  readonly kind = 'huggingface' as const;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** The underlying `@huggingface/tokenizers` instance. */
  readonly impl: HfTokenizerImpl;

  /**
   * @param impl - a constructed `@huggingface/tokenizers` tokenizer
   * @param config - the parsed `tokenizer_config.json` (for the BOS/EOS strings)
   */
  constructor(impl: HfTokenizerImpl, config: Json = {}) {
    this.impl = impl;
    let maxId = -1;
    for (const id of impl.get_vocab(true).values()) if (id > maxId) maxId = id;
    this.vocabSize = maxId + 1;
    const idOf = (v: unknown): number => {
      const s = tokenContent(v);
      return s === undefined ? -1 : (impl.token_to_id(s) ?? -1);
    };
    this.bosId = idOf(config.bos_token);
    this.eosId = idOf(config.eos_token);
  }

  /**
   * @param text - raw text
   * @param options - whether to add BOS/EOS (only when the config names them)
   * @returns the ids
   * @example
   * ```ts
   * tok.encode('low low'); // [11, 11]
   * ```
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids = text.length === 0 ? [] : this.impl.encode(text, { add_special_tokens: false }).ids;
    if (options.bos === true && this.bosId >= 0) ids.unshift(this.bosId);
    if (options.eos === true && this.eosId >= 0) ids.push(this.eosId);
    return ids;
  }

  /**
   * @param ids - token ids
   * @param options - `skipSpecialTokens` (default true); `stripDummyPrefix` is the decoder's
   *   business here and is ignored
   * @returns the text
   * @throws CalderaError `TOKENIZER_BAD_ID` for an id outside the vocabulary
   * @example
   * ```ts
   * tok.decode([1, 11, 12]); // 'lower'
   * ```
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const list = Array.from(ids);
    for (const id of list) this.idToPiece(id);
    if (list.length === 0) return '';
    return this.impl.decode(list, { skip_special_tokens: options.skipSpecialTokens ?? true });
  }

  /**
   * Incremental decoding by difference: each push decodes a short window of recent ids and
   * emits only the new text, holding back output that ends in an incomplete character.
   *
   * @param options - as for {@link HfTokenizer.decode}
   * @returns a stream decoder
   * @example
   * ```ts
   * const s = tok.createStreamDecoder();
   * s.push(11) + s.push(12) + s.flush(); // 'lower'
   * ```
   */
  createStreamDecoder(options: DecodeOptions = {}): TokenStreamDecoder {
    const ids: number[] = [];
    let prefixOffset = 0;
    let readOffset = 0;
    const step = (final: boolean): string => {
      const prefix = this.decode(ids.slice(prefixOffset, readOffset), options);
      const full = this.decode(ids.slice(prefixOffset), options);
      if (full.length <= prefix.length || (!final && full.endsWith('\uFFFD'))) return '';
      prefixOffset = readOffset;
      readOffset = ids.length;
      return full.slice(prefix.length);
    };
    return {
      push: (id: number): string => {
        this.idToPiece(id);
        ids.push(id);
        return step(false);
      },
      flush: (): string => (readOffset < ids.length ? step(true) : ''),
    };
  }

  /**
   * @param id - a token id
   * @returns its vocabulary string
   * @throws CalderaError `TOKENIZER_BAD_ID` for an unknown id
   * @example
   * ```ts
   * tok.idToPiece(11); // '▁low'
   * ```
   */
  idToPiece(id: number): string {
    const piece = Number.isInteger(id) ? this.impl.id_to_token(id) : undefined;
    if (piece === undefined) {
      throw new CalderaError('TOKENIZER_BAD_ID', `token id ${describeValue(id)} is out of range`, {
        details: { id, vocabSize: this.vocabSize },
      });
    }
    return piece;
  }

  /**
   * @param piece - a vocabulary string
   * @returns its id, or undefined
   * @example
   * ```ts
   * tok.pieceToId('▁low'); // 11
   * ```
   */
  pieceToId(piece: string): number | undefined {
    return this.impl.token_to_id(piece);
  }
}

/**
 * Builds a tokenizer from the parsed contents of `tokenizer.json` (and optionally
 * `tokenizer_config.json`).
 *
 * @param tokenizerJson - the parsed `tokenizer.json`
 * @param tokenizerConfig - the parsed `tokenizer_config.json` (BOS/EOS names, clean-up flags)
 * @returns the tokenizer
 * @throws CalderaError `TOKENIZER_INVALID` when the JSON is not a tokenizer the library accepts
 * @example
 * ```ts
 * const json = JSON.parse(readFileSync('tokenizer.json', 'utf8'));
 * const tok = loadHfTokenizer(json, { bos_token: '<s>', eos_token: '</s>' });
 * ```
 */
export function loadHfTokenizer(
  tokenizerJson: unknown,
  tokenizerConfig: unknown = {},
): HfTokenizer {
  if (tokenizerJson === null || typeof tokenizerJson !== 'object' || !('model' in tokenizerJson)) {
    throw new CalderaError(
      'TOKENIZER_INVALID',
      `tokenizer.json must be an object with a "model" field, got ${describeValue(tokenizerJson)}`,
    );
  }
  const json = { added_tokens: [], ...(tokenizerJson as Json) };
  const config = (tokenizerConfig ?? {}) as Json;
  try {
    return new HfTokenizer(new HfTokenizerImpl(json, config), config);
  } catch (cause) {
    throw new CalderaError('TOKENIZER_INVALID', `tokenizer.json could not be loaded: ${cause}`, {
      cause,
    });
  }
}
