// Hugging Face Hub download: resumable, cached model folders.
export {
  type DownloadFileOptions,
  type DownloadFileResult,
  downloadHubFile,
} from './download-file';
export { type HubRequestOptions, type HubResponse, hubRequest } from './hub-http';
export {
  DEFAULT_ALLOW_PATTERNS,
  type HubOptions,
  type HubSettings,
  matchesPattern,
  repoCacheDir,
  resolveHubSettings,
} from './hub-options';
export {
  findCachedSnapshot,
  isLocalModelPath,
  resolveModel,
  SNAPSHOT_MARKER,
} from './resolve-model';
