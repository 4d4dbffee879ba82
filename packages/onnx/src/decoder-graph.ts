/**
 * The Llama decoder as one ONNX graph with a KV cache, in the input/output naming that
 * transformers.js and Optimum use for `decoder_model_merged`-style models:
 *
 * inputs  `input_ids` [batch, seq] int64, `attention_mask` [batch, past+seq] int64,
 *         `position_ids` [batch, seq] int64, `past_key_values.N.key|value`
 *         [batch, kvHeads, past, headDim] float32;
 * outputs `logits` [batch, seq, vocab] float32, `present.N.key|value` [batch, kvHeads, past+seq, headDim].
 *
 * The math is the runtime's `InferenceSession` step for step: RMSNorm, q/k/v projections
 * (+ biases), RoPE from a cos/sin table gathered by `position_ids` (half-rotation or
 * interleaved pairs, as the model's `ropeStyle`), causal GQA attention with an additive mask
 * built from `attention_mask`, o_proj, residual, RMSNorm, SwiGLU MLP, final norm and head.
 */
import type { LlamaConfig } from '@caldera/io';
import { buildRopeTable, type LINEAR_NAMES, type LlamaModel } from '@caldera/runtime';
import { GraphBuilder } from './graph-builder';
import { emitLinear, type LinearExportOptions, type SharedConstants } from './linear-export';

/**
 * Options of {@link buildDecoderGraph}.
 *
 * @example
 * ```ts
 * const o: DecoderGraphOptions = { weightDtype: 'float32', caldera: 'decode', uniform: 'matmulnbits', maxPositions: 1024 };
 * ```
 */
export interface DecoderGraphOptions extends LinearExportOptions {
  /** Positions the RoPE table covers (default: the model's `maxSeqLen`). */
  maxPositions?: number;
}

const NEG = -1e9;

function rmsNorm(g: GraphBuilder, x: string, w: Float32Array, eps: number, name: string): string {
  const ms = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
  const inv = g.op('Reciprocal', [
    g.op('Sqrt', [g.op('Add', [ms, g.scalarF32(`${name}.eps`, eps)])]),
  ]);
  return g.op(
    'Mul',
    [g.op('Mul', [x, inv]), g.constF32(`${name}.weight`, w)],
    {},
    { prefix: name },
  );
}

/** x [B, H, S, D] rotated by cos/sin [B, 1, S, D/2]. */
function rope(
  g: GraphBuilder,
  x: string,
  cos: string,
  sin: string,
  c: LlamaConfig,
  shapes: Shapes,
): string {
  if (c.ropeStyle === 'half') {
    const [a, b] = [g.fresh('rope_a'), g.fresh('rope_b')];
    g.op('Split', [x], { axis: -1 }, { outputs: [a, b] });
    const ra = g.op('Sub', [g.op('Mul', [a, cos]), g.op('Mul', [b, sin])]);
    const rb = g.op('Add', [g.op('Mul', [a, sin]), g.op('Mul', [b, cos])]);
    return g.op('Concat', [ra, rb], { axis: -1 });
  }
  const pairs = g.op('Reshape', [x, shapes.pairs]);
  const [a, b] = [g.fresh('rope_a'), g.fresh('rope_b')];
  g.op('Split', [pairs], { axis: -1 }, { outputs: [a, b] });
  const c5 = g.op('Unsqueeze', [cos, shapes.lastAxis]);
  const s5 = g.op('Unsqueeze', [sin, shapes.lastAxis]);
  const ra = g.op('Sub', [g.op('Mul', [a, c5]), g.op('Mul', [b, s5])]);
  const rb = g.op('Add', [g.op('Mul', [a, s5]), g.op('Mul', [b, c5])]);
  return g.op('Reshape', [g.op('Concat', [ra, rb], { axis: -1 }), shapes.unpairs]);
}

interface Shapes {
  pairs: string;
  unpairs: string;
  lastAxis: string;
  heads: string;
  kvHeads: string;
  merge: string;
  gqa5: string;
  gqaExpand: string;
  gqaMerge: string;
}

/**
 * Builds the decoder graph of a model.
 *
 * @param model - the model (dense or compressed projections)
 * @param options - storage and compressed-layer modes
 * @returns the graph (write it with `writeOnnxModel`)
 * @example
 * ```ts
 * const g = buildDecoderGraph(model, { weightDtype: 'float32', caldera: 'decode', uniform: 'matmulnbits' });
 * ```
 */
export function buildDecoderGraph(model: LlamaModel, options: DecoderGraphOptions): GraphBuilder {
  const c = model.config;
  const w = model.weights;
  const g = new GraphBuilder();
  const shared: SharedConstants = { hadamard: new Map() };
  const { hiddenSize: d, numHeads: h, numKvHeads: kv, headDim: hd, vocabSize: vocab } = c;
  const half = hd >> 1;
  g.inputs.push(
    { name: 'input_ids', dtype: 'int64', dims: ['batch_size', 'sequence_length'] },
    { name: 'attention_mask', dtype: 'int64', dims: ['batch_size', 'total_sequence_length'] },
    { name: 'position_ids', dtype: 'int64', dims: ['batch_size', 'sequence_length'] },
  );
  for (let l = 0; l < c.numLayers; l++) {
    for (const kind of ['key', 'value']) {
      g.inputs.push({
        name: `past_key_values.${l}.${kind}`,
        dtype: 'float32',
        dims: ['batch_size', kv, 'past_sequence_length', hd],
      });
    }
  }
  const shapes: Shapes = {
    pairs: c.ropeStyle === 'half' ? '' : g.constI64('shape_pairs', [0, 0, 0, half, 2]),
    unpairs: c.ropeStyle === 'half' ? '' : g.constI64('shape_unpairs', [0, 0, 0, hd]),
    lastAxis: c.ropeStyle === 'half' ? '' : g.constI64('axis_last', [-1]),
    heads: g.constI64('shape_heads', [0, 0, h, hd]),
    kvHeads: g.constI64('shape_kv_heads', [0, 0, kv, hd]),
    merge: g.constI64('shape_merge', [0, 0, h * hd]),
    gqa5: h === kv ? '' : g.constI64('shape_gqa5', [0, kv, 1, -1, hd]),
    gqaExpand: h === kv ? '' : g.constI64('shape_gqa_expand', [1, 1, h / kv, 1, 1]),
    gqaMerge: h === kv ? '' : g.constI64('shape_gqa_merge', [0, h, -1, hd]),
  };
  // Attention mask [B, 1, S, T]: key j visible to query i (absolute position past+i) when j ≤ past+i and attention_mask[j] = 1.
  const zero = g.constI64('zero', [0], []);
  const one = g.constI64('one', [1], []);
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), one], { axis: 0 });
  const total = g.op('Gather', [g.op('Shape', ['attention_mask']), one], { axis: 0 });
  const past = g.op('Sub', [total, seqLen]);
  const kpos = g.op('Range', [zero, total, one]);
  const qpos = g.op('Unsqueeze', [g.op('Range', [past, total, one]), g.constI64('axis1', [1])]);
  const causal = g.op('LessOrEqual', [kpos, qpos]);
  const pad = g.op('Unsqueeze', [
    g.op('Cast', ['attention_mask'], { to: 9 }),
    g.constI64('axes12', [1, 2]),
  ]);
  const mask = g.op(
    'Where',
    [g.op('And', [causal, pad]), g.scalarF32('mask_zero', 0), g.scalarF32('mask_neg', NEG)],
    {},
    { prefix: 'attn_mask' },
  );
  // RoPE tables gathered by position: [B, 1, S, D/2].
  const table = buildRopeTable(hd, options.maxPositions ?? c.maxSeqLen, c.ropeTheta);
  const axis1 = g.constI64('axis_heads', [1]);
  const cos = g.op(
    'Unsqueeze',
    [
      g.op(
        'Gather',
        [
          g.constF32('rope_cos', Float32Array.from(table.cos), [table.positions, half]),
          'position_ids',
        ],
        { axis: 0 },
      ),
      axis1,
    ],
    {},
    { prefix: 'cos' },
  );
  const sin = g.op(
    'Unsqueeze',
    [
      g.op(
        'Gather',
        [
          g.constF32('rope_sin', Float32Array.from(table.sin), [table.positions, half]),
          'position_ids',
        ],
        { axis: 0 },
      ),
      axis1,
    ],
    {},
    { prefix: 'sin' },
  );
  const scale = g.scalarF32('attn_scale', 1 / Math.sqrt(hd));
  const embed = g.constF32('model.embed_tokens.weight', w.embed, [vocab, d]);
  let x = g.op('Gather', [embed, 'input_ids'], { axis: 0 }, { prefix: 'embed' });
  const heads = (v: string, shape: string) =>
    g.op('Transpose', [g.op('Reshape', [v, shape])], { perm: [0, 2, 1, 3] });
  for (let l = 0; l < c.numLayers; l++) {
    const lw = w.layers[l]!;
    const p = `model.layers.${l}`;
    const lin = (name: (typeof LINEAR_NAMES)[number], input: string) =>
      emitLinear(g, shared, input, `${p}.${name}`, lw.linears[name], options);
    const xn = rmsNorm(g, x, lw.inputNorm, c.rmsNormEps, `${p}.input_layernorm`);
    let q = lin('q_proj', xn);
    let k = lin('k_proj', xn);
    let v = lin('v_proj', xn);
    if (lw.qBias) q = g.op('Add', [q, g.constF32(`${p}.q_bias`, lw.qBias)]);
    if (lw.kBias) k = g.op('Add', [k, g.constF32(`${p}.k_bias`, lw.kBias)]);
    if (lw.vBias) v = g.op('Add', [v, g.constF32(`${p}.v_bias`, lw.vBias)]);
    const qh = rope(g, heads(q, shapes.heads), cos, sin, c, shapes);
    const kh = rope(g, heads(k, shapes.kvHeads), cos, sin, c, shapes);
    const vh = heads(v, shapes.kvHeads);
    const pk = g.op(
      'Concat',
      [`past_key_values.${l}.key`, kh],
      { axis: 2 },
      { outputs: [`present.${l}.key`] },
    );
    const pv = g.op(
      'Concat',
      [`past_key_values.${l}.value`, vh],
      { axis: 2 },
      { outputs: [`present.${l}.value`] },
    );
    const expand = (t: string) =>
      h === kv
        ? t
        : g.op('Reshape', [
            g.op('Expand', [g.op('Reshape', [t, shapes.gqa5]), shapes.gqaExpand]),
            shapes.gqaMerge,
          ]);
    const kx = expand(pk);
    const vx = expand(pv);
    const scores = g.op('Add', [
      g.op('Mul', [g.op('MatMul', [qh, g.op('Transpose', [kx], { perm: [0, 1, 3, 2] })]), scale]),
      mask,
    ]);
    const probs = g.op('Softmax', [scores], { axis: -1 });
    const att = g.op('Reshape', [
      g.op('Transpose', [g.op('MatMul', [probs, vx])], { perm: [0, 2, 1, 3] }),
      shapes.merge,
    ]);
    x = g.op('Add', [x, lin('o_proj', att)], {}, { prefix: `${p}.attn_residual` });
    const xm = rmsNorm(g, x, lw.postNorm, c.rmsNormEps, `${p}.post_attention_layernorm`);
    const gate = lin('gate_proj', xm);
    const up = lin('up_proj', xm);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
    x = g.op('Add', [x, lin('down_proj', act)], {}, { prefix: `${p}.mlp_residual` });
  }
  const xf = rmsNorm(g, x, w.finalNorm, c.rmsNormEps, 'model.norm');
  if (c.tieWordEmbeddings && w.lmHead.kind === 'dense') {
    const embedT = g.op('Transpose', [embed], { perm: [1, 0] });
    g.op('MatMul', [xf, embedT], {}, { outputs: ['logits'] });
  } else {
    g.op(
      'Identity',
      [emitLinear(g, shared, xf, 'lm_head', w.lmHead, options)],
      {},
      { outputs: ['logits'] },
    );
  }
  g.outputs.push({
    name: 'logits',
    dtype: 'float32',
    dims: ['batch_size', 'sequence_length', vocab],
  });
  for (let l = 0; l < c.numLayers; l++) {
    for (const kind of ['key', 'value']) {
      g.outputs.push({
        name: `present.${l}.${kind}`,
        dtype: 'float32',
        dims: ['batch_size', kv, 'total_sequence_length', hd],
      });
    }
  }
  return g;
}
