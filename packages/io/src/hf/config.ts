import { CalderaError, describeValue } from '@caldera/core';
import { z } from 'zod';
import { readTextFile } from '../fs/read-text-file';
import type { LlamaConfig } from '../model/model-source';

/** The `model_type` values this package can load. */
const SUPPORTED_MODEL_TYPES = ['llama', 'mistral', 'qwen2'] as const;

const positiveInt = z.number().int().positive();
const tokenId = z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())]);

/**
 * The zod schema of a Llama-family `config.json` (llama, mistral, qwen2), as written by
 * Hugging Face `transformers`. Unknown keys are kept (`looseObject`), so the parsed object
 * still carries fields such as `architectures`, `torch_dtype` or `sliding_window`.
 * Defaults follow `transformers`: `num_key_value_heads` = heads, `rope_theta` = 10000,
 * `tie_word_embeddings` = false.
 *
 * @example
 * ```ts
 * const raw = hfConfigSchema.parse(JSON.parse(text));
 * raw.hidden_size; // 256
 * ```
 */
export const hfConfigSchema = z.looseObject({
  model_type: z.string(),
  hidden_size: positiveInt,
  intermediate_size: positiveInt,
  num_hidden_layers: positiveInt,
  num_attention_heads: positiveInt,
  num_key_value_heads: positiveInt.nullish(),
  head_dim: positiveInt.nullish(),
  vocab_size: positiveInt,
  max_position_embeddings: positiveInt,
  rope_theta: z.number().positive().default(10000),
  rms_norm_eps: z.number().positive(),
  tie_word_embeddings: z.boolean().default(false),
  bos_token_id: tokenId.nullish(),
  eos_token_id: tokenId.nullish(),
  attention_bias: z.boolean().nullish(),
  mlp_bias: z.boolean().nullish(),
  hidden_act: z.string().nullish(),
  rope_scaling: z
    .looseObject({ type: z.string().optional(), rope_type: z.string().optional() })
    .nullish(),
});

/**
 * The raw, validated `config.json` object (snake_case keys, unknown keys kept).
 *
 * @example
 * ```ts
 * const raw: HfConfigJson = hfConfigSchema.parse({ model_type: 'llama', ... });
 * ```
 */
export type HfConfigJson = z.infer<typeof hfConfigSchema>;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * Turns zod issues into one readable sentence naming each field and its value.
 *
 * @param issues - the issues of a failed `safeParse`
 * @param input - the object that was parsed
 * @returns e.g. `hidden_size: expected number, received string (got "256")`
 */
function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${field}: ${issue.message} (got ${describeValue(valueAt(input, issue.path))})`;
    })
    .join('; ');
}

function firstId(v: number | number[] | null | undefined, fallback: number): number {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'number') return v;
  return v[0] ?? fallback;
}

function invalid(where: string, message: string, details: Record<string, unknown>): CalderaError {
  return new CalderaError('CONFIG_INVALID', `${where}: ${message}`, { details });
}

/**
 * Checks a Hugging Face `config.json` object and normalises it into a {@link LlamaConfig}
 * (`ropeStyle` is always `'half'`, the Hugging Face rotary convention).
 *
 * Rules: `num_key_value_heads` defaults to `num_attention_heads` and must divide it;
 * `head_dim` defaults to `hidden_size / num_attention_heads` (which must then be an
 * integer); list-valued `bos_token_id`/`eos_token_id` keep their first id (missing ids
 * default to 1 and 2); qwen2 always has q/k/v biases, llama `attention_bias: true` (which also
 * biases `o_proj`) and `mlp_bias: true` are rejected; `hidden_act` must be `silu`;
 * `rope_scaling` must be null or of type `default` (linear, dynamic, yarn, llama3… are rejected).
 *
 * @param json - the parsed `config.json`
 * @param where - where it came from, for messages (default `config.json`)
 * @returns the normalised config
 * @throws CalderaError `CONFIG_INVALID` naming the field and value; `UNSUPPORTED_MODEL` for a
 *   `model_type` other than llama, mistral or qwen2, or an unsupported feature
 * @example
 * ```ts
 * const c = parseHfConfig({
 *   model_type: 'llama', hidden_size: 256, intermediate_size: 688, num_hidden_layers: 6,
 *   num_attention_heads: 8, num_key_value_heads: 4, vocab_size: 4096,
 *   max_position_embeddings: 1024, rms_norm_eps: 1e-5,
 * });
 * c.headDim; // 32
 * ```
 */
export function parseHfConfig(json: unknown, where = 'config.json'): LlamaConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw invalid(where, `expected a JSON object, got ${describeValue(json)}`, { value: json });
  }
  const modelType = (json as Record<string, unknown>).model_type;
  if (typeof modelType !== 'string') {
    throw invalid(where, `model_type must be a string, got ${describeValue(modelType)}`, {
      field: 'model_type',
      value: modelType,
    });
  }
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(modelType)) {
    throw new CalderaError(
      'UNSUPPORTED_MODEL',
      `${where}: model_type ${describeValue(modelType)} is not supported (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`,
      { details: { modelType } },
    );
  }
  const parsed = hfConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw invalid(where, formatIssues(parsed.error.issues, json), { issues: parsed.error.issues });
  }
  return normalise(parsed.data, modelType as LlamaConfig['modelType'], where);
}

function unsupported(where: string, message: string, details: Record<string, unknown>): never {
  throw new CalderaError('UNSUPPORTED_MODEL', `${where}: ${message}`, { details });
}

function normalise(
  c: HfConfigJson,
  modelType: LlamaConfig['modelType'],
  where: string,
): LlamaConfig {
  const numHeads = c.num_attention_heads;
  const numKvHeads = c.num_key_value_heads ?? numHeads;
  if (numHeads % numKvHeads !== 0) {
    throw invalid(
      where,
      `num_key_value_heads (${numKvHeads}) must divide num_attention_heads (${numHeads})`,
      { field: 'num_key_value_heads', value: numKvHeads },
    );
  }
  let headDim = c.head_dim ?? undefined;
  if (headDim === undefined) {
    if (c.hidden_size % numHeads !== 0) {
      throw invalid(
        where,
        `hidden_size (${c.hidden_size}) is not a multiple of num_attention_heads (${numHeads}) and head_dim is not given`,
        { field: 'hidden_size', value: c.hidden_size },
      );
    }
    headDim = c.hidden_size / numHeads;
  }
  if (headDim % 2 !== 0) {
    throw invalid(where, `head_dim must be even for rotary embeddings, got ${headDim}`, {
      field: 'head_dim',
      value: headDim,
    });
  }
  if (c.hidden_act != null && c.hidden_act !== 'silu') {
    unsupported(where, `hidden_act ${describeValue(c.hidden_act)} is not supported (only silu)`, {
      field: 'hidden_act',
      value: c.hidden_act,
    });
  }
  if (c.mlp_bias === true) {
    unsupported(where, 'mlp_bias: true is not supported', { field: 'mlp_bias', value: true });
  }
  if (modelType !== 'qwen2' && c.attention_bias === true) {
    unsupported(
      where,
      `attention_bias: true is not supported for ${modelType} (it biases o_proj too)`,
      {
        field: 'attention_bias',
        value: true,
      },
    );
  }
  if (c.rope_scaling != null) {
    const kind = c.rope_scaling.rope_type ?? c.rope_scaling.type;
    if (kind !== 'default') {
      unsupported(
        where,
        `rope_scaling ${describeValue(c.rope_scaling)} is not supported (only null or type "default")`,
        { field: 'rope_scaling', value: c.rope_scaling },
      );
    }
  }
  return {
    modelType,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads,
    numKvHeads,
    headDim,
    vocabSize: c.vocab_size,
    maxSeqLen: c.max_position_embeddings,
    ropeTheta: c.rope_theta,
    rmsNormEps: c.rms_norm_eps,
    tieWordEmbeddings: c.tie_word_embeddings,
    ropeStyle: 'half',
    attentionBias: c.attention_bias ?? modelType === 'qwen2',
    bosTokenId: firstId(c.bos_token_id, 1),
    eosTokenId: firstId(c.eos_token_id, 2),
  };
}

/**
 * Reads and normalises a Hugging Face `config.json` file.
 *
 * @param path - path of the `config.json`
 * @returns the normalised config
 * @throws CalderaError `FILE_NOT_FOUND` / `FILE_READ_FAILED`, `CONFIG_INVALID` (also for invalid
 *   JSON), `UNSUPPORTED_MODEL`
 * @example
 * ```ts
 * const config = await readHfConfig('models/pycode-6m/config.json');
 * config.numKvHeads; // 4
 * ```
 */
export async function readHfConfig(path: string): Promise<LlamaConfig> {
  const text = await readTextFile(path, 'config file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CalderaError(
      'CONFIG_INVALID',
      `${path}: not valid JSON (${(cause as Error).message})`,
      {
        cause,
        details: { path },
      },
    );
  }
  return parseHfConfig(json, path);
}
