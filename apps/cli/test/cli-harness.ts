// Test helpers shared by the CLI's tests: paths to the assets and an in-process runner.
import { run } from '../src/program';

/** The repository root. */
export const root = new URL('../../../', import.meta.url).pathname;
/** The shared assets folder beside the repository. */
export const assets = `${root}../shared/assets`;
/** stories260K (llama2.c). */
export const stories = `${assets}/models/stories260K/stories260K.bin`;
/** The embedded default model. */
export const embedded = `${root}models/pycode-6m`;

/** Runs the CLI in-process and captures its exit code, stdout and stderr. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(['node', 'caldera', ...args], {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
  });
  return { code, out, err };
}
