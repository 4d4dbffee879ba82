/**
 * Writing a {@link GraphBuilder} as an ONNX model file with its weights as external data: the
 * protobuf (`model.onnx`) holds the graph and small constants; every initializer of at least
 * `EXTERNAL_MIN_BYTES` goes into one side file (`model.onnx_data`, the name transformers.js
 * looks for), 64-byte aligned, referenced by `location`/`offset`/`length`.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { CalderaError } from '@caldera/core';
import onnxProto from 'onnx-proto';
import { type GraphBuilder, ONNX_DTYPES } from './graph-builder';
import { encodeModelProto } from './model-bytes';

const { onnx } = onnxProto;

/** Initializers this large or larger go to the external data file. */
export const EXTERNAL_MIN_BYTES = 1024;

const ALIGN = 64;

/**
 * What {@link writeOnnxModel} wrote.
 *
 * @example
 * ```ts
 * const r: WrittenModel = { modelBytes: 40_000, dataBytes: 25_000_000 };
 * ```
 */
export interface WrittenModel {
  /** Size of the `.onnx` protobuf. */
  modelBytes: number;
  /** Size of the external data file (0 when none was needed). */
  dataBytes: number;
}

/**
 * Serialises a graph to `path` and its large initializers to `path + '_data'`.
 *
 * @param g - the graph
 * @param path - the `.onnx` file to write
 * @param graphName - the graph's name
 * @returns the sizes written
 * @throws CalderaError `FILE_WRITE_FAILED` when a file cannot be written
 * @example
 * ```ts
 * writeOnnxModel(g, 'out/onnx/model.onnx', 'llama');
 * ```
 */
export function writeOnnxModel(g: GraphBuilder, path: string, graphName: string): WrittenModel {
  const dataPath = `${path}_data`;
  const location = basename(dataPath);
  const initializer: InstanceType<typeof onnx.TensorProto>[] = [];
  let offset = 0;
  let fd: number | undefined;
  try {
    for (const t of g.initializers) {
      const proto = onnx.TensorProto.create({
        name: t.name,
        dims: t.dims,
        dataType: ONNX_DTYPES[t.dtype],
      });
      if (t.bytes.byteLength >= EXTERNAL_MIN_BYTES) {
        fd ??= openSync(dataPath, 'w');
        const pad = (ALIGN - (offset % ALIGN)) % ALIGN;
        if (pad > 0) writeSync(fd, new Uint8Array(pad));
        offset += pad;
        writeSync(fd, t.bytes);
        proto.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
        proto.externalData = [
          { key: 'location', value: location },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(t.bytes.byteLength) },
        ];
        offset += t.bytes.byteLength;
      } else {
        proto.rawData = t.bytes;
      }
      initializer.push(proto);
    }
    const bytes = encodeModelProto(g, graphName, initializer);
    writeFileSync(path, bytes);
    return { modelBytes: bytes.byteLength, dataBytes: offset };
  } catch (cause) {
    if (cause instanceof CalderaError) throw cause;
    throw new CalderaError('FILE_WRITE_FAILED', `cannot write ${path}: ${String(cause)}`, {
      cause,
      details: { path },
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
