/**
 * Readers for the linear layers of the shared test models (read in place, never copied):
 * stories260K (llama2.c legacy .bin) and pycode-6m (float32 safetensors).
 */
import { readFileSync } from 'node:fs';

/**
 * One linear layer: W is m×n (out × in), row-major.
 *
 * @example
 * ```ts
 * const l: LinearLayer = { name: 'layers.0.wq', m: 64, n: 64, w: new Float32Array(4096) };
 * ```
 */
export interface LinearLayer {
  /** Name. */
  name: string;
  /** Output features. */
  m: number;
  /** Input features. */
  n: number;
  /** Weights. */
  w: Float32Array;
}

/**
 * Absolute path of a shared asset (read in place).
 *
 * @param rel - path below /work/shared/assets
 * @returns the absolute path
 * @example
 * ```ts
 * assetPath('models/stories260K/stories260K.bin');
 * ```
 */
export function assetPath(rel: string): string {
  return new URL(`../../../../shared/assets/${rel}`, import.meta.url).pathname;
}

/**
 * The 35 linear layers (wq, wk, wv, wo, w1, w2, w3 of 5 blocks) of stories260K.
 *
 * @returns the layers
 * @example
 * ```ts
 * readStories260K().length; // 35
 * ```
 */
export function readStories260K(): LinearLayer[] {
  const buf = readFileSync(assetPath('models/stories260K/stories260K.bin'));
  const head = new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + 28));
  const [dim, hidden, layers, heads, kvHeads, vocab] = [
    head[0]!,
    head[1]!,
    head[2]!,
    head[3]!,
    head[4]!,
    head[5]!,
  ];
  const f = new Float32Array(
    buf.buffer.slice(buf.byteOffset + 28, buf.byteOffset + buf.byteLength),
  );
  const kv = (dim * kvHeads) / heads;
  let p = vocab * dim + layers * dim; // embedding, rms_att
  const take = (count: number): number => {
    const at = p;
    p += count;
    return at;
  };
  const out: LinearLayer[] = [];
  const group = (tag: string, m: number, n: number) => {
    for (let l = 0; l < layers; l++) {
      const at = take(m * n);
      out.push({ name: `layers.${l}.${tag}`, m, n, w: f.slice(at, at + m * n) });
    }
  };
  group('wq', dim, dim);
  group('wk', kv, dim);
  group('wv', kv, dim);
  group('wo', dim, dim);
  take(layers * dim); // rms_ffn
  group('w1', hidden, dim);
  group('w2', dim, hidden);
  group('w3', hidden, dim);
  return out;
}

/**
 * The 2-D float32 tensors named `*proj.weight` of pycode-6m (42 linear layers).
 *
 * @param filter - keep only names containing this string
 * @returns the layers
 * @example
 * ```ts
 * readPycode6m('layers.0.').length; // 7
 * ```
 */
export function readPycode6m(filter = ''): LinearLayer[] {
  const buf = readFileSync(assetPath('models/pycode-6m/model.safetensors'));
  const len = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + len).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const base = 8 + len;
  const out: LinearLayer[] = [];
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__' || !name.endsWith('proj.weight') || !name.includes(filter))
      continue;
    const [a, b] = t.data_offsets;
    const bytes = buf.subarray(base + a, base + b);
    const w = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    out.push({ name, m: t.shape[0]!, n: t.shape[1]!, w });
  }
  return out;
}
