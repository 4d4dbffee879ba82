/**
 * The worker-thread entry of the Node layer pool (piscina loads it by file name; built as
 * `dist/layer-worker.{js,cjs}`): decomposes one weight per call and answers errors as data.
 */
import { runLayerTaskSafe } from './layer-pool';

/**
 * Piscina's task handler.
 *
 * @example
 * ```ts
 * // piscina calls it: new Piscina({ filename: '…/layer-worker.js' }).run(task)
 * ```
 */
export default runLayerTaskSafe;
