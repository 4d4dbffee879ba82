import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SafetensorsFile } from './file-reader';
import { parseSafetensors } from './parse';
import { serializeSafetensors } from './serialize';

const modelDir = new URL('../../../../../shared/assets/models/pycode-6m/', import.meta.url);
const modelPath = fileURLToPath(new URL('model.safetensors', modelDir));

describe('pycode-6m model.safetensors', () => {
  it('lists its tensors with the shapes of its config and reads one as float32', async () => {
    const config = JSON.parse(await readFile(new URL('config.json', modelDir), 'utf8'));
    expect([config.hidden_size, config.num_hidden_layers, config.vocab_size]).toEqual([
      256, 6, 4096,
    ]);
    const h = config.hidden_size as number;
    const kv = (config.num_key_value_heads * h) / config.num_attention_heads;
    const ff = config.intermediate_size as number;
    const st = await SafetensorsFile.open(modelPath);
    try {
      const tensors = st.tensors();
      // 9 tensors per layer + embedding, final norm and untied head
      expect(tensors.length).toBe(9 * config.num_hidden_layers + 3);
      expect(st.metadata).toEqual({ format: 'pt' });
      expect(st.tensor('model.embed_tokens.weight').shape).toEqual([4096, h]);
      expect(st.tensor('lm_head.weight').shape).toEqual([4096, h]);
      expect(st.tensor('model.layers.5.self_attn.k_proj.weight').shape).toEqual([kv, h]);
      expect(st.tensor('model.layers.0.mlp.down_proj.weight').shape).toEqual([h, ff]);
      expect(tensors.every((t) => t.dtype === 'F32')).toBe(true);

      const norm = await st.readFloat32('model.norm.weight');
      expect(norm.length).toBe(h);
      expect(norm.every((x) => Number.isFinite(x))).toBe(true);

      // parameter count from the header equals the count implied by the config
      const fromHeader = tensors.reduce((a, t) => a + t.shape.reduce((p, d) => p * d, 1), 0);
      const perLayer = 2 * h + h * h * 2 + 2 * kv * h + 3 * h * ff;
      const fromConfig = 2 * config.vocab_size * h + h + config.num_hidden_layers * perLayer;
      expect(fromHeader).toBe(fromConfig);
      expect(fromHeader).toBe(6_450_432);
      expect(st.dataOffset + fromHeader * 4).toBe(st.size);
    } finally {
      await st.close();
    }
  });

  it('is reproduced byte for byte by the writer', async () => {
    const bytes = new Uint8Array(await readFile(modelPath));
    const st = parseSafetensors(bytes);
    const again = serializeSafetensors(
      st.tensors().map((t) => ({ ...t, data: st.readRaw(t.name) })),
      st.metadata,
    );
    expect(again.length).toBe(bytes.length);
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });
});
