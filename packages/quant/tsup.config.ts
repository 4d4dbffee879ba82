import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.config.base';

// The two-thread LDLQ's helper is a second entry: it is started from dist/ldlq-worker.{js,cjs},
// found from import.meta.url (shimmed in the CJS build).
export default defineConfig({
  ...libraryBuild,
  shims: true,
  entry: { index: 'src/index.ts', 'ldlq-worker': 'src/ldlq-worker.ts' },
});
