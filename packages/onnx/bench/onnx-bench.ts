/**
 * Decode speed of pycode-6m exported to ONNX, float and CALDERA-compressed, in
 * onnxruntime-node, onnxruntime-web (WASM in Node, 1 and 2 threads) and @caldera/runtime, in
 * one run; plus file size and session load time of every ONNX variant.
 *
 * Usage: `pnpm --filter @caldera/onnx bench [--json] [--tokens N] [--ckpt <compressed dir>]`
 * (without `--ckpt` the model is compressed first: CALDERA rank 8, Q 2-bit E8P, L/R 4-bit,
 * 4 calibration windows of 64 tokens, 1 iteration — a speed fixture, not a quality one).
 * The results also go to apps/docs/data/bench/onnx.json (one object per row).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LlamaModel } from '@caldera/runtime';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { exportOnnx, type OnnxVariant, OrtDecoder, type OrtModuleLike } from '../src/index';
import {
  compressFast,
  loadCompressed,
  loadFloat,
  PROMPT,
  PYCODE,
  runtimeGreedy,
} from '../test/helpers';

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const TOKENS = Number(opt('--tokens') ?? 64);
const DOCS_JSON = fileURLToPath(
  new URL('../../../apps/docs/data/bench/onnx.json', import.meta.url),
);
const prompt = PROMPT[PYCODE]!;

interface Row {
  model: string;
  engine: string;
  variant: string;
  file_bytes: number | null;
  load_ms: number;
  decode_tokens_per_s: number;
  tokens: number;
  same_tokens_as_runtime: boolean;
}
const rows: Row[] = [];

function emit(r: Row): void {
  rows.push(r);
  if (json) console.log(JSON.stringify(r));
  else
    console.error(
      `  ${r.model} ${r.engine} ${r.variant}: ${r.decode_tokens_per_s.toFixed(1)} tok/s`,
    );
}

async function ortRow(
  model: string,
  engine: string,
  ort: OrtModuleLike,
  dir: string,
  v: OnnxVariant,
  bytes: number,
  m: LlamaModel,
  expected: number[],
): Promise<void> {
  const file = join(dir, `onnx/model${v.suffix}.onnx`);
  const t0 = performance.now();
  const dec =
    engine === 'onnxruntime-node'
      ? await OrtDecoder.create(ort, file, m.config)
      : await OrtDecoder.create(ort, readFileSync(file), m.config, {
          externalData: [
            { path: `model${v.suffix}.onnx_data`, data: readFileSync(`${file}_data`) },
          ],
        });
  const load = performance.now() - t0;
  await dec.forward(prompt);
  const ids: number[] = [];
  let last = expected[0]!;
  const t1 = performance.now();
  for (let i = 0; i < TOKENS; i++) {
    const logits = await dec.forward([last]);
    let best = 0;
    for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
    ids.push(last);
    last = best;
  }
  const s = (performance.now() - t1) / 1000;
  await dec.session.release?.();
  emit({
    model,
    engine,
    variant: v.suffix || 'model.onnx',
    file_bytes: bytes,
    load_ms: Math.round(load),
    decode_tokens_per_s: TOKENS / s,
    tokens: TOKENS,
    same_tokens_as_runtime: JSON.stringify(ids) === JSON.stringify(expected.slice(0, TOKENS)),
  });
}

function runtimeRow(model: string, m: LlamaModel, expected: number[]): void {
  const s = m.createSession({ maxContext: 512 });
  s.forward(prompt);
  let last = expected[0]!;
  const ids: number[] = [];
  const t1 = performance.now();
  for (let i = 0; i < TOKENS; i++) {
    const logits = s.step(last);
    let best = 0;
    for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
    ids.push(last);
    last = best;
  }
  const sec = (performance.now() - t1) / 1000;
  emit({
    model,
    engine: '@caldera/runtime',
    variant: '-',
    file_bytes: null,
    load_ms: 0,
    decode_tokens_per_s: TOKENS / sec,
    tokens: TOKENS,
    same_tokens_as_runtime: JSON.stringify(ids) === JSON.stringify(expected.slice(0, TOKENS)),
  });
}

const FLOAT_VARIANTS: OnnxVariant[] = [
  { suffix: '', weightDtype: 'float32', caldera: 'dense', uniform: 'dense' },
  { suffix: '_fp16', weightDtype: 'float16', caldera: 'dense', uniform: 'dense' },
];
const COMPRESSED_VARIANTS: OnnxVariant[] = [
  { suffix: '', weightDtype: 'float32', caldera: 'decode', uniform: 'matmulnbits' },
  { suffix: '_rht', weightDtype: 'float32', caldera: 'decode-rht', uniform: 'matmulnbits' },
  { suffix: '_fp16', weightDtype: 'float16', caldera: 'dense', uniform: 'dense' },
  { suffix: '_fp32', weightDtype: 'float32', caldera: 'dense', uniform: 'dense' },
];

const dir = await mkdtemp(join(tmpdir(), 'caldera-onnx-bench-'));
try {
  const ckpt = opt('--ckpt') ?? (await compressFast(PYCODE, 8));
  const models: [string, LlamaModel, OnnxVariant[]][] = [
    ['pycode-6m float', await loadFloat(PYCODE), FLOAT_VARIANTS],
    ['pycode-6m caldera', await loadCompressed(ckpt), COMPRESSED_VARIANTS],
  ];
  for (const [name, m, variants] of models) {
    const out = join(dir, name.replace(/\W+/g, '-'));
    const r = await exportOnnx(m, out, { variants });
    const expected = runtimeGreedy(m, prompt, TOKENS + 1).slice(0, TOKENS + 1);
    runtimeRow(name, m, [expected[0]!, ...expected.slice(1)]);
    for (const v of variants) {
      const f = r.files.find((x) => x.file === `onnx/model${v.suffix}.onnx`)!;
      const bytes = f.modelBytes + f.dataBytes;
      await ortRow(
        name,
        'onnxruntime-node',
        ortNode as unknown as OrtModuleLike,
        out,
        v,
        bytes,
        m,
        expected,
      );
    }
    for (const threads of [1, 2]) {
      ortWeb.env.wasm.numThreads = threads;
      for (const v of variants.filter((x) => x.suffix !== '_fp32')) {
        const f = r.files.find((x) => x.file === `onnx/model${v.suffix}.onnx`)!;
        await ortRow(
          name,
          `onnxruntime-web wasm ${threads}t`,
          ortWeb as unknown as OrtModuleLike,
          out,
          v,
          f.modelBytes + f.dataBytes,
          m,
          expected,
        );
      }
    }
  }
  if (!opt('--ckpt')) await rm(join(ckpt, '..'), { recursive: true, force: true });
} finally {
  await rm(dir, { recursive: true, force: true });
}

const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? '',
};
writeFileSync(DOCS_JSON, `${rows.map((r) => JSON.stringify({ ...r, ...meta })).join('\n')}\n`);
if (!json) {
  const head = ['model', 'engine', 'variant', 'MB', 'load ms', 'tok/s', 'same'];
  const lines = rows.map((r) => [
    r.model,
    r.engine,
    r.variant,
    r.file_bytes === null ? '-' : (r.file_bytes / 1e6).toFixed(2),
    String(r.load_ms),
    r.decode_tokens_per_s.toFixed(1),
    r.same_tokens_as_runtime ? 'yes' : 'NO',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  console.log(
    [fmt(head), `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`, ...lines.map(fmt)].join('\n'),
  );
}
