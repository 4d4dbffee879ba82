import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.config.base';

// The layer worker is a second entry: piscina loads dist/layer-worker.{js,cjs} by file name,
// found from import.meta.url (shimmed in the CJS build).
export default defineConfig({
  ...libraryBuild,
  shims: true,
  entry: { index: 'src/index.ts', 'layer-worker': 'src/model/layer-worker.ts' },
});
