/**
 * An ONNX model in memory: the graph and every weight in one protobuf, no file system — for a
 * browser (onnxruntime-web `InferenceSession.create(bytes)`) or a Node process that never writes
 * the model. Protobuf caps one message at 2 GiB, which small models (pycode-6m, stories260K)
 * are far below; bigger ones go through `exportOnnx` / `writeOnnxModel` and external data.
 */
import { CalderaError, describeValue } from '@caldera/core';
import type { LlamaModel } from '@caldera/runtime';
import onnxProto from 'onnx-proto';
import { buildDecoderGraph } from './decoder-graph';
import { type GraphBuilder, ONNX_DTYPES, valueInfo } from './graph-builder';
import type { LinearExportOptions } from './linear-export';

const { onnx } = onnxProto;

/** Largest protobuf message (2 GiB − 1 byte). */
export const MAX_INLINE_MODEL_BYTES = 0x7fffffff;

/**
 * A `TensorProto` as `onnx-proto` builds it.
 *
 * @example
 * ```ts
 * const t: TensorProtoValue = onnx.TensorProto.create({ name: 'w', dims: [2], dataType: 1 });
 * ```
 */
export type TensorProtoValue = InstanceType<typeof onnx.TensorProto>;

/**
 * Wraps a graph and its (already built) initializer protos into an opset-17 `ModelProto` and
 * encodes it. Shared by {@link serializeOnnxModel} and `writeOnnxModel`.
 *
 * @param g - the graph
 * @param graphName - the graph's name
 * @param initializer - one `TensorProto` per `g.initializers` entry
 * @returns the encoded model
 * @example
 * ```ts
 * const bytes = encodeModelProto(g, 'llama', []);
 * ```
 */
export function encodeModelProto(
  g: GraphBuilder,
  graphName: string,
  initializer: TensorProtoValue[],
): Uint8Array {
  const opsetImport = [{ domain: '', version: 17 }];
  for (const d of g.domains) opsetImport.push({ domain: d, version: 1 });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: '@caldera/onnx',
    producerVersion: '0.0.0',
    opsetImport,
    graph: {
      name: graphName,
      node: g.nodes,
      initializer,
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Serialises a graph with every initializer embedded as `raw_data` (no external data file).
 *
 * @param g - the graph
 * @param graphName - the graph's name (default `caldera_llama`)
 * @returns the `.onnx` bytes
 * @throws CalderaError `INVALID_ARGUMENT` when the weights exceed protobuf's 2 GiB limit
 * @example
 * ```ts
 * const bytes = serializeOnnxModel(buildDecoderGraph(model, DEFAULT_VARIANTS.float[0]!));
 * ```
 */
export function serializeOnnxModel(g: GraphBuilder, graphName = 'caldera_llama'): Uint8Array {
  let total = 0;
  for (const t of g.initializers) total += t.bytes.byteLength;
  if (total >= MAX_INLINE_MODEL_BYTES) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `serializeOnnxModel: ${total} bytes of weights exceed protobuf's 2 GiB limit; use exportOnnx (external data)`,
      { details: { bytes: total } },
    );
  }
  const initializer = g.initializers.map((t) =>
    onnx.TensorProto.create({
      name: t.name,
      dims: t.dims,
      dataType: ONNX_DTYPES[t.dtype],
      rawData: t.bytes,
    }),
  );
  return encodeModelProto(g, graphName, initializer);
}

/**
 * Builds the ONNX decoder of a loaded model in memory (weights embedded): what
 * `exportOnnx` writes as `onnx/model<suffix>.onnx` + `_data`, as one `Uint8Array`, with no
 * `node:*` import — usable in a browser worker.
 *
 * @param model - a loaded float, CALDERA, LoRD or uniform {@link LlamaModel}
 * @param variant - how layers are written (e.g. `DEFAULT_VARIANTS.compressed[0]`)
 * @param options - `maxPositions`: positions the RoPE table covers (default the model's `maxSeqLen`)
 * @returns the `.onnx` bytes, ready for `InferenceSession.create(bytes)` / `OrtDecoder.create`
 * @throws CalderaError `INVALID_ARGUMENT` for a bad variant or maxPositions, or a model over 2 GiB
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-web';
 * const bytes = buildOnnxModelBytes(model, { weightDtype: 'float32', caldera: 'decode', uniform: 'matmulnbits' });
 * const dec = await OrtDecoder.create(ort, bytes, model.config);
 * ```
 */
export function buildOnnxModelBytes(
  model: LlamaModel,
  variant: LinearExportOptions,
  options: { maxPositions?: number } = {},
): Uint8Array {
  const { weightDtype, caldera, uniform } = variant ?? ({} as LinearExportOptions);
  if (
    !['float32', 'float16'].includes(weightDtype) ||
    !['decode', 'decode-rht', 'dense'].includes(caldera) ||
    !['matmulnbits', 'dense'].includes(uniform)
  ) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `buildOnnxModelBytes: bad variant ${describeValue(variant)}`,
    );
  }
  const { maxPositions } = options;
  if (maxPositions !== undefined && !(Number.isInteger(maxPositions) && maxPositions >= 1)) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `buildOnnxModelBytes: maxPositions must be a positive integer, got ${describeValue(maxPositions)}`,
    );
  }
  const g = buildDecoderGraph(model, {
    weightDtype,
    caldera,
    uniform,
    ...(maxPositions ? { maxPositions } : {}),
  });
  return serializeOnnxModel(g, 'caldera_llama');
}
