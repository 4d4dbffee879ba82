/**
 * A small ONNX graph builder over onnx-proto's generated types: nodes with unique output
 * names, typed initializers (kept as raw little-endian bytes until the model is written, see
 * `model-file.ts`), and graph inputs/outputs with symbolic dimensions.
 */
import { CalderaError, describeValue } from '@caldera/core';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Element types the exporter emits (the values of ONNX's `TensorProto.DataType`). */
export const ONNX_DTYPES = Object.freeze({
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
});

/**
 * One of {@link ONNX_DTYPES}' names.
 *
 * @example
 * ```ts
 * const t: OnnxDtype = 'float16';
 * ```
 */
export type OnnxDtype = keyof typeof ONNX_DTYPES;

/**
 * A constant tensor of the graph.
 *
 * @example
 * ```ts
 * const init: Initializer = { name: 'w', dtype: 'float32', dims: [2], bytes: new Uint8Array(8) };
 * ```
 */
export interface Initializer {
  name: string;
  dtype: OnnxDtype;
  dims: number[];
  /** Raw little-endian element bytes. */
  bytes: Uint8Array;
}

/**
 * A graph input or output: name, element type and dimensions (numbers, or names for symbolic ones).
 *
 * @example
 * ```ts
 * const io: GraphValue = { name: 'input_ids', dtype: 'int64', dims: ['batch_size', 'sequence_length'] };
 * ```
 */
export interface GraphValue {
  name: string;
  dtype: OnnxDtype;
  dims: (number | string)[];
}

/** Attribute values: ints, floats (marked with {@link float}), int lists, strings. */
type AttrValue = number | number[] | string | { float: number };

/**
 * Marks an attribute value as a float (plain numbers are ints).
 *
 * @param value - the value
 * @returns the marked value
 * @example
 * ```ts
 * g.op('LeakyRelu', [x], { alpha: float(0.1) });
 * ```
 */
export function float(value: number): { float: number } {
  return { float: value };
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Accumulates an ONNX graph.
 *
 * @example
 * ```ts
 * const g = new GraphBuilder();
 * const w = g.constF32('w', Float32Array.of(1, 2, 3, 4), [2, 2]);
 * const y = g.op('MatMul', ['x', w]);
 * ```
 */
export class GraphBuilder {
  readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly initializers: Initializer[] = [];
  readonly inputs: GraphValue[] = [];
  readonly outputs: GraphValue[] = [];
  /** Custom-op domains used (e.g. `com.microsoft`). */
  readonly domains = new Set<string>();
  private readonly names = new Set<string>();
  private counter = 0;

  /**
   * A fresh value name.
   *
   * @param prefix - readable prefix
   * @returns a name not used before
   */
  fresh(prefix: string): string {
    let name = prefix;
    while (this.names.has(name)) name = `${prefix}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  /**
   * Adds a node.
   *
   * @param type - the op type
   * @param inputs - input names ('' for an omitted optional input)
   * @param attrs - attributes (numbers are ints; use {@link float} for floats)
   * @param opts - domain, output names or count, name prefix
   * @returns the first output's name
   */
  op(
    type: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    opts: { domain?: string; outputs?: string[]; prefix?: string } = {},
  ): string {
    const outputs = opts.outputs ?? [this.fresh(opts.prefix ?? type.toLowerCase())];
    for (const o of outputs) this.names.add(o);
    if (opts.domain) this.domains.add(opts.domain);
    const attribute = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === 'string') {
        return {
          name,
          type: onnx.AttributeProto.AttributeType.STRING,
          s: new TextEncoder().encode(v),
        };
      }
      if (Array.isArray(v)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
      if (typeof v === 'object')
        return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v.float };
      return { name, type: onnx.AttributeProto.AttributeType.INT, i: v };
    });
    this.nodes.push(
      onnx.NodeProto.create({
        opType: type,
        domain: opts.domain ?? '',
        input: inputs,
        output: outputs,
        name: this.fresh(`n_${outputs[0]}`),
        attribute,
      }),
    );
    return outputs[0]!;
  }

  /**
   * Adds an initializer from raw bytes.
   *
   * @param name - preferred name (made unique)
   * @param dtype - element type
   * @param dims - shape
   * @param data - the elements (typed array of the matching width)
   * @returns the initializer's name
   * @throws CalderaError `SHAPE_MISMATCH` when the byte count disagrees with the shape
   */
  constant(name: string, dtype: OnnxDtype, dims: number[], data: ArrayBufferView): string {
    const width = {
      float32: 4,
      uint8: 1,
      int8: 1,
      uint16: 2,
      int32: 4,
      int64: 8,
      bool: 1,
      float16: 2,
    }[dtype];
    const count = dims.reduce((a, b) => a * b, 1);
    if (data.byteLength !== count * width) {
      throw new CalderaError(
        'SHAPE_MISMATCH',
        `initializer ${name}: shape ${describeValue(dims)} of ${dtype} needs ${count * width} bytes, got ${data.byteLength}`,
      );
    }
    const unique = this.fresh(name);
    this.initializers.push({ name: unique, dtype, dims, bytes: bytesOf(data) });
    return unique;
  }

  /**
   * A float32 initializer.
   *
   * @param name - preferred name
   * @param data - values
   * @param dims - shape (default: 1-D)
   * @returns its name
   */
  constF32(name: string, data: Float32Array, dims: number[] = [data.length]): string {
    return this.constant(name, 'float32', dims, data);
  }

  /**
   * An int64 initializer (shapes, axes, indices).
   *
   * @param name - preferred name
   * @param values - values
   * @param dims - shape (default: 1-D; `[]` for a scalar)
   * @returns its name
   */
  constI64(name: string, values: number[], dims: number[] = [values.length]): string {
    return this.constant(name, 'int64', dims, BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /**
   * A float32 scalar.
   *
   * @param name - preferred name
   * @param value - the value
   * @returns its name
   */
  scalarF32(name: string, value: number): string {
    return this.constant(name, 'float32', [], Float32Array.of(value));
  }
}

/**
 * The onnx-proto `ValueInfoProto` of a graph input or output.
 *
 * @param v - the value
 * @returns the proto
 * @example
 * ```ts
 * valueInfo({ name: 'logits', dtype: 'float32', dims: ['batch_size', 'sequence_length', 4096] });
 * ```
 */
export function valueInfo(v: GraphValue): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPES[v.dtype],
        shape: {
          dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  });
}
