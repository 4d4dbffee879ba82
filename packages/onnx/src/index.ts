/**
 * ONNX export of caldera-ts models and onnxruntime inference (work in progress).
 *
 * @example
 * ```ts
 * import { ONNX_PACKAGE } from '@caldera/onnx';
 * console.log(ONNX_PACKAGE);
 * ```
 */
export const ONNX_PACKAGE = '@caldera/onnx';
