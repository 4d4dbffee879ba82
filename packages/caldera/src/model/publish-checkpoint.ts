/**
 * Making an output folder appear whole: the checkpoint is written into a temporary folder
 * inside the partial store (same parent, same file system) and renamed into place, so the
 * output folder either does not exist, is the previous checkpoint, or is the new one — never
 * a half-written mix. An existing folder is only ever replaced when it is itself a checkpoint
 * (or empty), so a mistyped `-o` cannot delete unrelated files.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CalderaError } from '@caldera/core';
import { isCompressedCheckpoint } from './checkpoint-reader';

/**
 * Checks that a run may write `outDir`: it does not exist, is empty, or is a checkpoint.
 *
 * @param outDir - the output folder
 * @throws CalderaError `INVALID_ARGUMENT` when it is a file or a folder with other contents
 * @example
 * ```ts
 * await checkOutputDir('out/pycode-6m-caldera');
 * ```
 */
export async function checkOutputDir(outDir: string): Promise<void> {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) {
    throw new CalderaError('INVALID_ARGUMENT', `output ${outDir} exists and is not a folder`, {
      details: { outDir },
    });
  }
  if ((await readdir(outDir)).length === 0 || (await isCompressedCheckpoint(outDir))) return;
  throw new CalderaError(
    'INVALID_ARGUMENT',
    `output folder ${outDir} exists and is not a caldera checkpoint; remove it or choose another`,
    { details: { outDir } },
  );
}

/**
 * The temporary folder a checkpoint is written into before {@link publishCheckpoint}.
 *
 * @param partialDir - the run's partial store
 * @returns `<partialDir>/checkpoint`
 * @example
 * ```ts
 * stagingDirOf('out.partial'); // 'out.partial/checkpoint'
 * ```
 */
export function stagingDirOf(partialDir: string): string {
  return join(partialDir, 'checkpoint');
}

/**
 * Moves a finished checkpoint from `staging` to `outDir` by renames (an existing checkpoint
 * there is moved aside first, then deleted).
 *
 * @param staging - the written checkpoint (inside the partial store)
 * @param outDir - where it goes
 * @throws CalderaError `FILE_WRITE_FAILED` when a rename fails; `INVALID_ARGUMENT` (see
 *   {@link checkOutputDir})
 * @example
 * ```ts
 * await publishCheckpoint('out.partial/checkpoint', 'out');
 * ```
 */
export async function publishCheckpoint(staging: string, outDir: string): Promise<void> {
  await checkOutputDir(outDir);
  const target = resolve(outDir);
  const aside = `${staging}.previous`;
  try {
    if (existsSync(target)) {
      await rm(aside, { recursive: true, force: true });
      await rename(target, aside);
    }
    await rename(staging, target);
  } catch (cause) {
    throw new CalderaError('FILE_WRITE_FAILED', `cannot move the checkpoint into ${outDir}`, {
      cause,
      details: { outDir, staging },
    });
  }
  await rm(aside, { recursive: true, force: true });
}
