/**
 * Running an exported decoder with ONNX Runtime — onnxruntime-node or onnxruntime-web, passed
 * in by the caller (this package imports neither), so the same code runs in Node and in a
 * browser bundle. Holds the KV cache between calls, like the runtime's `InferenceSession`.
 */
import { CalderaError, describeValue } from '@caldera/core';

/** The parts of an `onnxruntime-common` Tensor this module uses. */
export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** The parts of an ONNX Runtime `InferenceSession` this module uses. */
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release?(): Promise<void>;
}

/**
 * The parts of the `onnxruntime-node` / `onnxruntime-web` module this module uses.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * const m: OrtModuleLike = ort as unknown as OrtModuleLike;
 * ```
 */
export interface OrtModuleLike {
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => OrtTensorLike;
  InferenceSession: {
    create(model: string | Uint8Array, options?: Record<string, unknown>): Promise<OrtSessionLike>;
  };
}

/**
 * A KV-cached decoder session over an exported model.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * const dec = await OrtDecoder.create(ort, 'out/onnx/model.onnx', { numKvHeads: 4, headDim: 32, numLayers: 6 });
 * const logits = await dec.forward([1, 593]);
 * const ids = await dec.greedy([1, 593], 16);
 * ```
 */
export class OrtDecoder {
  private past: Record<string, OrtTensorLike> = {};
  private pos = 0;

  private constructor(
    private readonly ort: OrtModuleLike,
    /** The ONNX Runtime session. */
    readonly session: OrtSessionLike,
    private readonly shape: { numLayers: number; numKvHeads: number; headDim: number },
  ) {
    this.reset();
  }

  /**
   * Opens a session on an exported `.onnx` file (path; Node) or its bytes (with
   * `sessionOptions.externalData` for the weights, as onnxruntime-web needs).
   *
   * @param ort - `onnxruntime-node` or `onnxruntime-web`
   * @param model - path or bytes of the `.onnx` file
   * @param shape - layers, KV heads and head size (the model's config)
   * @param sessionOptions - passed to `InferenceSession.create`
   * @returns the decoder
   * @throws CalderaError `INVALID_ARGUMENT` for a bad shape or a model without the expected inputs
   */
  static async create(
    ort: OrtModuleLike,
    model: string | Uint8Array,
    shape: { numLayers: number; numKvHeads: number; headDim: number },
    sessionOptions: Record<string, unknown> = {},
  ): Promise<OrtDecoder> {
    const { numLayers, numKvHeads, headDim } = shape;
    for (const [k, v] of Object.entries({ numLayers, numKvHeads, headDim })) {
      if (!Number.isInteger(v) || v < 1) {
        throw new CalderaError(
          'INVALID_ARGUMENT',
          `OrtDecoder: ${k} must be a positive integer, got ${describeValue(v)}`,
        );
      }
    }
    const session = await ort.InferenceSession.create(model, sessionOptions);
    for (const name of ['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key']) {
      if (!session.inputNames.includes(name)) {
        throw new CalderaError('INVALID_ARGUMENT', `OrtDecoder: the model has no input ${name}`);
      }
    }
    return new OrtDecoder(ort, session, { numLayers, numKvHeads, headDim });
  }

  /** Tokens in the cache. */
  get position(): number {
    return this.pos;
  }

  /** Forgets the sequence. */
  reset(): void {
    const { numLayers, numKvHeads, headDim } = this.shape;
    this.past = {};
    for (let l = 0; l < numLayers; l++) {
      for (const kind of ['key', 'value']) {
        this.past[`past_key_values.${l}.${kind}`] = new this.ort.Tensor(
          'float32',
          new Float32Array(0),
          [1, numKvHeads, 0, headDim],
        );
      }
    }
    this.pos = 0;
  }

  /**
   * Appends tokens and returns the logits of every new position (`tokens.length × vocab`).
   *
   * @param tokens - token ids
   * @returns the logits, row-major
   * @throws CalderaError `INVALID_ARGUMENT` for no tokens or a non-integer id
   */
  async forward(tokens: readonly number[]): Promise<Float32Array> {
    const n = tokens.length;
    if (n === 0 || tokens.some((t) => !Number.isInteger(t) || t < 0)) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `OrtDecoder.forward: bad tokens ${describeValue(tokens)}`,
      );
    }
    const total = this.pos + n;
    const big = (a: number[]) => BigInt64Array.from(a.map((v) => BigInt(v)));
    const feeds: Record<string, OrtTensorLike> = {
      ...this.past,
      input_ids: new this.ort.Tensor('int64', big([...tokens]), [1, n]),
      attention_mask: new this.ort.Tensor('int64', big(new Array(total).fill(1)), [1, total]),
      position_ids: new this.ort.Tensor(
        'int64',
        big(Array.from({ length: n }, (_, i) => this.pos + i)),
        [1, n],
      ),
    };
    const out = await this.session.run(feeds);
    const { numLayers } = this.shape;
    for (let l = 0; l < numLayers; l++) {
      for (const kind of ['key', 'value'])
        this.past[`past_key_values.${l}.${kind}`] = out[`present.${l}.${kind}`]!;
    }
    this.pos = total;
    return out.logits!.data as Float32Array;
  }

  /**
   * Greedy decoding: the prompt, then `maxTokens` argmax tokens (stops early at `eos`).
   *
   * @param prompt - prompt ids (BOS first if the model wants one)
   * @param maxTokens - tokens to generate
   * @param eos - a stop token (optional)
   * @returns the generated ids
   */
  async greedy(prompt: readonly number[], maxTokens: number, eos?: number): Promise<number[]> {
    this.reset();
    let logits = await this.forward(prompt);
    let rows = prompt.length;
    const out: number[] = [];
    for (let i = 0; i < maxTokens; i++) {
      const vocab = logits.length / rows;
      let best = 0;
      const o = (rows - 1) * vocab;
      for (let j = 1; j < vocab; j++) if (logits[o + j]! > logits[o + best]!) best = j;
      out.push(best);
      if (best === eos || i === maxTokens - 1) break;
      logits = await this.forward([best]);
      rows = 1;
    }
    return out;
  }
}
