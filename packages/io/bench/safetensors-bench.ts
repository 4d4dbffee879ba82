// Safetensors write/read throughput and peak memory.
//
//   pnpm --filter @caldera/io bench [-- --size-mb 1024] [--tensors 16] [--json]
//
// Writes a file of `--size-mb` MB (default 1024) made of `--tensors` F32 tensors (default 16),
// generated chunk by chunk (4 MB) so that the writer streams, into a temporary folder; then
// opens it and reads every tensor back one by one; prints write and read throughput (MB/s,
// MB = 2^20 bytes) and the peak resident set size sampled during the run; deletes the file.
// The read pass follows the write, so it mostly measures reads from the OS page cache.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The safetensors barrel only: the package barrel also loads tokenizer and hub modules (~20 MB).
import {
  SafetensorsFile,
  type TensorWriteEntry,
  writeSafetensorsFile,
} from '../src/safetensors/index';

const MB = 1024 * 1024;
const CHUNK_BYTES = 4 * MB;
const RSS_LIMIT_MB = 200;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0)
    throw new Error(`${name} needs a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

const sizeMb = option('--size-mb', 1024);
const tensorCount = option('--tensors', 16);
const json = process.argv.includes('--json');

const baselineRss = process.memoryUsage().rss;
let peakRss = baselineRss;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const timer = setInterval(sample, 10);

/** Element i of tensor t holds t * 2^20 + (i mod 2^20): cheap to generate and to check. */
function tensorChunks(t: number, elements: number): () => Generator<Float32Array> {
  return function* () {
    const chunk = new Uint32Array(CHUNK_BYTES / 4); // one buffer, reused: written before the next is made
    for (let start = 0; start < elements; start += chunk.length) {
      const n = Math.min(chunk.length, elements - start);
      for (let i = 0; i < n; i++) chunk[i] = t * 2 ** 20 + ((start + i) % 2 ** 20);
      sample();
      yield new Float32Array(chunk.buffer, 0, n);
    }
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'caldera-st-bench-'));
  const path = join(dir, 'bench.safetensors');
  try {
    const elements = Math.floor((sizeMb * MB) / tensorCount / 4);
    const entries: TensorWriteEntry[] = Array.from({ length: tensorCount }, (_, t) => ({
      name: `layer.${String(t).padStart(3, '0')}.weight`,
      dtype: 'F32',
      shape: [elements],
      data: tensorChunks(t, elements),
    }));
    const t0 = performance.now();
    const layout = await writeSafetensorsFile(path, entries, { metadata: { format: 'pt' } });
    const writeSeconds = (performance.now() - t0) / 1000;
    const bytes = layout.totalBytes;

    const t1 = performance.now();
    const writePeak = peakRss;
    const st = await SafetensorsFile.open(path);
    let checked = 0;
    // one buffer for every tensor (the largest size), so memory does not depend on GC timing
    const buffer = new Uint8Array(
      Math.max(0, ...st.tensors().map((t) => t.dataOffsets[1] - t.dataOffsets[0])),
    );
    for (const info of st.tensors()) {
      const raw = await st.readRawInto(info.name, buffer);
      sample();
      const words = new Uint32Array(raw.buffer, raw.byteOffset, raw.length / 4);
      const t = Number(info.name.slice(6, 9));
      for (const i of [0, words.length >> 1, words.length - 1]) {
        if (words[i] !== t * 2 ** 20 + (i % 2 ** 20))
          throw new Error(`${info.name}[${i}] has the wrong value`);
      }
      checked += raw.length;
    }
    await st.close();
    const readSeconds = (performance.now() - t1) / 1000;
    sample();
    clearInterval(timer);

    const result = {
      fileMb: bytes / MB,
      tensors: tensorCount,
      writeSeconds,
      writeMbPerS: bytes / MB / writeSeconds,
      readSeconds,
      readMbPerS: checked / MB / readSeconds,
      peakRssMb: peakRss / MB,
      writePeakRssMb: writePeak / MB,
      baselineRssMb: baselineRss / MB,
      rssUnderLimit: peakRss / MB < RSS_LIMIT_MB,
    };
    if (json) {
      console.log(JSON.stringify(result));
    } else {
      console.log(
        `safetensors bench: ${result.fileMb.toFixed(1)} MB in ${tensorCount} F32 tensors`,
      );
      console.log(
        `  write (streamed, fsync + rename): ${result.writeMbPerS.toFixed(0)} MB/s (${writeSeconds.toFixed(2)} s)`,
      );
      console.log(
        `  read (tensor by tensor):          ${result.readMbPerS.toFixed(0)} MB/s (${readSeconds.toFixed(2)} s)`,
      );
      console.log(
        `  RSS: ${result.baselineRssMb.toFixed(1)} MB at start, peak ${result.writePeakRssMb.toFixed(1)} MB while writing`,
      );
      console.log(
        `  peak RSS: ${result.peakRssMb.toFixed(1)} MB (limit ${RSS_LIMIT_MB} MB: ${result.rssUnderLimit ? 'ok' : 'EXCEEDED'})`,
      );
    }
    if (!result.rssUnderLimit) process.exitCode = 1;
  } finally {
    clearInterval(timer);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
