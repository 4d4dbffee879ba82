// Text datasets: documents → one token stream → evaluation / calibration windows.
export { type LoadTokenStreamOptions, loadTokenStream } from './load-dataset';
export {
  type JsonlOptions,
  parseJsonlDocuments,
  type ReadDocumentsOptions,
  readTextDocuments,
  splitTextDocuments,
  type TextSplit,
} from './text-documents';
export { type DatasetTokenizer, type TokenizeOptions, tokenizeDocuments } from './token-stream';
export { makeWindows, planWindowStarts, type WindowOptions } from './windows';
