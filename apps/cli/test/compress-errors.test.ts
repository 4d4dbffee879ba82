// `caldera compress` on bad input: one line naming the CalderaError code, the documented exit
// code, and no output folder left behind.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensorsFile } from '@caldera/io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, exitCodeOf } from '../src/exit-codes';
import { cli, embedded } from './cli-harness';

const text = `${embedded}/heldout_sample.txt`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-cli-errors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A tiny Llama folder (hidden 16, one block) missing `omit`, with the embedded tokenizer. */
async function tinyFolder(name: string, omit: string): Promise<string> {
  const d = join(dir, name);
  await mkdir(d);
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 2,
    vocab_size: 4096,
    max_position_embeddings: 64,
    rms_norm_eps: 1e-5,
    tie_word_embeddings: false,
  };
  await writeFile(join(d, 'config.json'), JSON.stringify(config));
  const shapes: Record<string, number[]> = {
    'model.embed_tokens.weight': [4096, 16],
    'model.layers.0.input_layernorm.weight': [16],
    'model.layers.0.self_attn.q_proj.weight': [16, 16],
    'model.layers.0.self_attn.k_proj.weight': [16, 16],
    'model.layers.0.self_attn.v_proj.weight': [16, 16],
    'model.layers.0.self_attn.o_proj.weight': [16, 16],
    'model.layers.0.post_attention_layernorm.weight': [16],
    'model.layers.0.mlp.gate_proj.weight': [32, 16],
    'model.layers.0.mlp.up_proj.weight': [32, 16],
    'model.layers.0.mlp.down_proj.weight': [16, 32],
    'model.norm.weight': [16],
    'lm_head.weight': [4096, 16],
  };
  const entries = Object.entries(shapes)
    .filter(([n]) => n !== omit)
    .map(([n, shape]) => ({
      name: n,
      dtype: 'F32' as const,
      shape,
      data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.01),
    }));
  await writeSafetensorsFile(join(d, 'model.safetensors'), entries);
  await copyFile(`${embedded}/tokenizer.model`, join(d, 'tokenizer.model'));
  return d;
}

async function expectError(
  args: string[],
  code: string,
  exit: number,
  out: string,
  message?: RegExp,
): Promise<void> {
  const r = await cli('compress', ...args, '-o', out, '--samples', '1', '--seq', '16');
  expect(r.code).toBe(exit);
  expect(r.err).toMatch(new RegExp(`^[^\\n]*\\[${code}\\][^\\n]*\\n$`, 'm'));
  const errorLines = r.err.split('\n').filter((l) => l.includes(`[${code}]`));
  expect(errorLines).toHaveLength(1);
  if (message) expect(errorLines[0]).toMatch(message);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(existsSync(out)).toBe(false);
}

describe('caldera compress: clear errors and exit codes', () => {
  it('maps error codes to the documented exit codes', () => {
    expect(exitCodeOf('INVALID_OPTIONS')).toBe(EXIT_CODES.USAGE);
    expect(exitCodeOf('FILE_NOT_FOUND')).toBe(EXIT_CODES.NOT_FOUND);
    expect(exitCodeOf('SAFETENSORS_HEADER_NOT_JSON')).toBe(EXIT_CODES.BAD_INPUT);
    expect(exitCodeOf('MISSING_TENSOR')).toBe(EXIT_CODES.BAD_INPUT);
    expect(exitCodeOf('FILE_WRITE_FAILED')).toBe(EXIT_CODES.WRITE_FAILED);
    expect(exitCodeOf('NOT_POSITIVE_DEFINITE')).toBe(EXIT_CODES.FAILURE);
    expect(exitCodeOf('ABORTED')).toBe(EXIT_CODES.ABORTED);
  });

  it('a model folder without config.json', async () => {
    const d = join(dir, 'noconfig');
    await mkdir(d);
    await copyFile(`${embedded}/model.safetensors`, join(d, 'model.safetensors'));
    await expectError(
      [d, '--data', text],
      'FILE_NOT_FOUND',
      EXIT_CODES.NOT_FOUND,
      join(dir, 'o1'),
      /config\.json/,
    );
  });

  it('a bad safetensors header', async () => {
    const d = join(dir, 'badheader');
    await mkdir(d);
    await copyFile(`${embedded}/config.json`, join(d, 'config.json'));
    await copyFile(`${embedded}/tokenizer.model`, join(d, 'tokenizer.model'));
    const header = Buffer.from('{"a": not json');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    await writeFile(join(d, 'model.safetensors'), Buffer.concat([len, header]));
    await expectError(
      [d, '--data', text],
      'SAFETENSORS_HEADER_NOT_JSON',
      EXIT_CODES.BAD_INPUT,
      join(dir, 'o2'),
    );
  });

  it('a missing tensor', async () => {
    const d = await tinyFolder('notensor', 'model.layers.0.mlp.up_proj.weight');
    await expectError(
      [d, '--data', text],
      'MISSING_TENSOR',
      EXIT_CODES.BAD_INPUT,
      join(dir, 'o3'),
      /up_proj/,
    );
  });

  it('missing calibration text', async () => {
    await expectError(
      [embedded, '--data', join(dir, 'no-such-text.txt')],
      'FILE_NOT_FOUND',
      EXIT_CODES.NOT_FOUND,
      join(dir, 'o4'),
      /no-such-text\.txt/,
    );
    await expectError([embedded], 'INVALID_ARGUMENT', EXIT_CODES.USAGE, join(dir, 'o5'), /--data/);
  });

  it('an impossible --target-bpw above float', async () => {
    await expectError(
      [embedded, '--data', text, '--target-bpw', '16'],
      'INVALID_OPTIONS',
      EXIT_CODES.USAGE,
      join(dir, 'o6'),
      /not below float16/,
    );
  });

  it('an output folder that is not a checkpoint', async () => {
    const out = join(dir, 'precious');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'keep');
    const r = await cli('compress', embedded, '--data', text, '-o', out, '--threads', '1');
    expect(r.code).toBe(EXIT_CODES.USAGE);
    expect(r.err).toMatch(/\[INVALID_ARGUMENT\].*not a caldera checkpoint/);
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('keep');
  });
});
