// @huggingface/transformers (transformers.js) loads an exported float model from a local
// folder (no network: allowRemoteModels = false, localModelPath) with AutoModelForCausalLM
// and generates the same greedy tokens as @caldera/runtime. The model is driven with token ids:
// our source models ship SentencePiece / llama2.c tokenizers, and transformers.js' AutoTokenizer
// only reads tokenizer.json (see README, "transformers.js").
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../src/index';
import { loadFloat, PROMPT, PYCODE, runtimeGreedy, STORIES, STORIES_TOK } from './helpers';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caldera-onnx-tjs-'));
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${dir}/`;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('transformers.js AutoModelForCausalLM', () => {
  for (const [name, path] of [
    ['stories260K', STORIES],
    ['pycode-6m', PYCODE],
  ] as const) {
    it(`${name}: loads the export offline and generates the runtime's greedy tokens`, async () => {
      const out = join(dir, name);
      await exportOnnx(path, out, { tokenizerFiles: path === STORIES ? [STORIES_TOK] : [] });
      const model = await AutoModelForCausalLM.from_pretrained(basename(out), {
        local_files_only: true,
        dtype: 'fp32',
        device: 'cpu',
      });
      const prompt = PROMPT[path]!;
      const ids = new Tensor('int64', BigInt64Array.from(prompt.map(BigInt)), [1, prompt.length]);
      const mask = new Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [
        1,
        prompt.length,
      ]);
      const n = 20;
      const gen = (await model.generate({
        input_ids: ids,
        attention_mask: mask,
        max_new_tokens: n,
        min_new_tokens: n,
        do_sample: false,
      })) as Tensor;
      const tokens = Array.from(gen.data as BigInt64Array, Number).slice(prompt.length);
      expect(tokens).toEqual(runtimeGreedy(await loadFloat(path), prompt, n));
      await model.dispose();
      expect(dirname(out)).toBe(dir);
    });
  }

  it('AutoTokenizer cannot load the exported folder: the sources have no tokenizer.json', async () => {
    await expect(
      AutoTokenizer.from_pretrained('pycode-6m', { local_files_only: true }),
    ).rejects.toThrow(/tokenizer/i);
  });
});
