/**
 * Regenerates the embedded default model `models/pycode-6m` from `../shared/assets/models/pycode-6m`:
 * the float32 safetensors converted to float16 with @caldera/io's own writer, the config
 * (torch_dtype float16), the SentencePiece tokenizer, and a ≤ 100 KB slice of the held-out text
 * (cut at a line boundary). Run: `pnpm tsx --conditions=@caldera/source scripts/vendor-pycode.ts`.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { float32ToFloat16Bits, SafetensorsFile, writeSafetensorsFile } from '@caldera/io';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, '../shared/assets/models/pycode-6m');
const dst = join(root, 'models/pycode-6m');
const SLICE_BYTES = 100_000;

await mkdir(dst, { recursive: true });
const file = await SafetensorsFile.open(join(src, 'model.safetensors'));
try {
  const entries = file.tensors().map((t) => ({
    name: t.name,
    dtype: 'F16' as const,
    shape: t.shape,
    data: async () => float32ToFloat16Bits(await file.readFloat32(t.name)),
  }));
  await writeSafetensorsFile(join(dst, 'model.safetensors'), entries, {
    metadata: { format: 'pt', source: 'pycode-6m float32, converted to float16 by @caldera/io' },
  });
} finally {
  await file.close();
}

const config = JSON.parse(await readFile(join(src, 'config.json'), 'utf8'));
config.torch_dtype = 'float16';
await writeFile(join(dst, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
await copyFile(join(src, 'tokenizer.model'), join(dst, 'tokenizer.model'));

const text = await readFile(join(src, 'heldout_dev.txt'), 'utf8');
let slice = Buffer.from(text, 'utf8').subarray(0, SLICE_BYTES).toString('utf8');
slice = slice.slice(0, slice.lastIndexOf('\n') + 1);
await writeFile(join(dst, 'heldout_sample.txt'), slice);
console.log(`wrote ${dst} (held-out slice: ${Buffer.byteLength(slice)} bytes)`);
