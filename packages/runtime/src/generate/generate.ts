/**
 * Text generation: prefill the prompt, then decode token by token with a sampler, stopping
 * at EOS, a stop string, the token limit, the context limit or an abort.
 */
import { CalderaError, throwIfAborted } from '@caldera/core';
import type { Tokenizer } from '@caldera/io';
import type { LlamaModel } from '../model/llama-model';
import { Sampler, type SamplingOptions } from './sampler';
import { StopMatcher } from './stop-matcher';
import { Yielder } from './yield';

/**
 * One generated token, as streamed.
 *
 * @example
 * ```ts
 * const e: TokenEvent = { token: 403, index: 0, text: ' Once' };
 * ```
 */
export interface TokenEvent {
  /** The token id. */
  token: number;
  /** 0-based index among generated tokens. */
  index: number;
  /** Text that became final with this token (empty without a tokenizer or while held back). */
  text: string;
}

/**
 * Options of {@link generate}.
 *
 * @example
 * ```ts
 * const o: GenerateOptions = { maxTokens: 64, temperature: 0.8, topP: 0.9, seed: 1, stop: ['\n\n'] };
 * ```
 */
export interface GenerateOptions extends SamplingOptions {
  /** Most tokens to generate (default 128). */
  maxTokens?: number;
  /** Needed for a string prompt, stop strings and streamed text. */
  tokenizer?: Tokenizer;
  /** Stop strings (need a tokenizer); the result's text ends before the first one. */
  stop?: readonly string[];
  /** Stop at the model's EOS id (default true). */
  stopAtEos?: boolean;
  /** Prepend BOS when encoding a string prompt (default true). */
  bos?: boolean;
  /** Receives every generated token. */
  onToken?: (event: TokenEvent) => void;
  /** Cancels generation (`ABORTED`). */
  signal?: AbortSignal;
  /** KV-cache size (default prompt + maxTokens, capped at the model's maxSeqLen). */
  maxContext?: number;
}

/**
 * Outcome of {@link generate}.
 *
 * @example
 * ```ts
 * const r: GenerateResult = { promptTokens: [1], tokens: [403], text: ' Once', finishReason: 'length', prefillMs: 1, decodeMs: 2 };
 * ```
 */
export interface GenerateResult {
  promptTokens: number[];
  /** Generated ids (EOS excluded; tokens of a stop string included). */
  tokens: number[];
  /**
   * Decoded generated text (empty without a tokenizer), cut before a stop string. It is the raw
   * continuation of the prompt: a word-initial piece keeps its leading space (`' Once'`).
   */
  text: string;
  finishReason: 'length' | 'eos' | 'stop' | 'context';
  prefillMs: number;
  decodeMs: number;
}

/**
 * Generates a continuation of a prompt.
 *
 * @param model - the model
 * @param prompt - token ids, or text (with `tokenizer`)
 * @param options - sampling, limits, stop strings, streaming, abort
 * @returns tokens, text and why generation ended
 * @throws CalderaError `INVALID_ARGUMENT` (text prompt or stop strings without tokenizer,
 *   empty prompt), `INVALID_TOKEN`, `CONTEXT_OVERFLOW` (prompt longer than the context),
 *   `ABORTED`
 * @example
 * ```ts
 * const r = await generate(model, 'Once upon a time', { tokenizer, maxTokens: 50, temperature: 0 });
 * console.log(r.text);
 * ```
 */
export async function generate(
  model: LlamaModel,
  prompt: readonly number[] | string,
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  const { tokenizer, signal, onToken } = options;
  const maxTokens = options.maxTokens ?? 128;
  const stops = options.stop ?? [];
  if ((typeof prompt === 'string' || stops.length > 0) && !tokenizer) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      'generate: a text prompt or stop strings need a tokenizer',
    );
  }
  const ids =
    typeof prompt === 'string'
      ? tokenizer!.encode(prompt, { bos: options.bos ?? true })
      : [...prompt];
  if (ids.length === 0) throw new CalderaError('INVALID_ARGUMENT', 'generate: the prompt is empty');
  const c = model.config;
  const maxContext = options.maxContext ?? Math.min(c.maxSeqLen, ids.length + maxTokens);
  const session = model.createSession({ maxContext: Math.max(maxContext, ids.length) });
  const sampler = new Sampler(c.vocabSize, options);
  const decoder = tokenizer?.createStreamDecoder({ stripDummyPrefix: false });
  const matcher = new StopMatcher(stops);
  const yielder = new Yielder();
  throwIfAborted(signal, 'generate');
  let t0 = performance.now();
  let logits = session.forward(ids);
  const prefillMs = performance.now() - t0;
  t0 = performance.now();
  const tokens: number[] = [];
  let text = '';
  let finishReason: GenerateResult['finishReason'] = 'length';
  for (let i = 0; i < maxTokens; i++) {
    throwIfAborted(signal, 'generate');
    const token = sampler.sample(logits);
    if (token === c.eosTokenId && (options.stopAtEos ?? true)) {
      finishReason = 'eos';
      break;
    }
    tokens.push(token);
    let piece = '';
    if (decoder) {
      const r = matcher.push(decoder.push(token));
      piece = r.text;
      text += piece;
    }
    onToken?.({ token, index: i, text: piece });
    if (matcher.stopped) {
      finishReason = 'stop';
      break;
    }
    if (i + 1 === maxTokens) break;
    if (session.position >= session.maxContext) {
      finishReason = 'context';
      break;
    }
    logits = session.step(token);
    await yielder.maybeYield();
  }
  if (decoder && !matcher.stopped) {
    const tail = matcher.push(decoder.flush());
    text += tail.text + (tail.stopped ? '' : matcher.flush());
    if (tail.stopped) finishReason = 'stop';
  }
  return {
    promptTokens: ids,
    tokens,
    text,
    finishReason,
    prefillMs,
    decodeMs: performance.now() - t0,
  };
}
