// Safetensors reading and writing. The byte-level modules (header, layout, parse,
// serialize, bytes) import nothing from Node and work in the browser; file-reader, writer,
// atomic and the sharded modules use node:fs.
export { AtomicFile, writeFileAtomic } from './atomic';
export { canDecodeFloat32, decodeFloat32, type TensorBytes } from './bytes';
export { SafetensorsFile } from './file-reader';
export {
  parseHeader,
  readHeaderLength,
  SAFETENSORS_MAX_HEADER_BYTES,
  type SafetensorsHeader,
  shapeElementCount,
  tensorByteLength,
  validateMetadata,
} from './header';
export {
  compareTensorOrder,
  orderTensorSpecs,
  planSafetensors,
  type SafetensorsLayout,
  type TensorSpec,
} from './layout';
export { parseSafetensors, SafetensorsBuffer } from './parse';
export { serializeSafetensors, type TensorWithData } from './serialize';
export { openSafetensorsModel, readShardIndex, ShardedSafetensors } from './sharded-reader';
export {
  planShards,
  type ShardedWriteOptions,
  type ShardedWriteResult,
  shardFileName,
  writeShardedSafetensors,
} from './sharded-writer';
export type { SafetensorsSource, SafetensorsTensorInfo } from './types';
export {
  type SafetensorsWriteOptions,
  SafetensorsWriter,
  type TensorDataSource,
  type TensorWriteEntry,
  writeSafetensorsFile,
} from './writer';
