// Generates the reference pages before `vitepress dev|build`:
//   pages/reference/cli.md   from the commander definitions (apps/cli/src/program.ts)
//   pages/reference/api/     from the packages' TSDoc (typedoc + typedoc-plugin-markdown)
// Usage: node --conditions=@caldera/source --import tsx scripts/generate.ts [--cli-only | --api-if-missing]
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../../cli/src/program';
import { renderCliReference } from '../src/site/cli-reference';

const docs = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));
const PACKAGES = ['core', 'io', 'linalg', 'quant', 'caldera', 'runtime', 'onnx'];

mkdirSync(`${docs}pages/reference`, { recursive: true });
writeFileSync(`${docs}pages/reference/cli.md`, renderCliReference(buildProgram()));
console.log('wrote pages/reference/cli.md');

const apiIndex = `${docs}pages/reference/api/index.md`;
const skipApi =
  process.argv.includes('--cli-only') ||
  (process.argv.includes('--api-if-missing') && existsSync(apiIndex));
if (skipApi) {
  console.log('kept pages/reference/api/ (run without --api-if-missing to regenerate)');
} else {
  const { Application } = await import('typedoc');
  const out = `${docs}pages/reference/api`;
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  const app = await Application.bootstrapWithPlugins({
    entryPoints: PACKAGES.map((p) => `${root}packages/${p}`),
    entryPointStrategy: 'packages',
    // Per-package options: typedoc converts each package with its own tsconfig.
    packageOptions: {
      entryPoints: ['src/index.ts'],
      skipErrorChecking: true,
      disableSources: true,
      excludePrivate: true,
      excludeInternal: true,
    },
    tsconfig: `${docs}tsconfig.typedoc.json`,
    plugin: ['typedoc-plugin-markdown'],
    out,
    readme: 'none',
    entryFileName: 'index',
    outputFileStrategy: 'modules',
    flattenOutputFiles: true,
    hidePageHeader: true,
    hideBreadcrumbs: true,
    useCodeBlocks: true,
    skipErrorChecking: true,
    excludePrivate: true,
    excludeInternal: true,
    githubPages: false,
    disableSources: true,
    logLevel: 'Warn',
  } as never);
  const project = await app.convert();
  if (!project) throw new Error('typedoc: conversion failed');
  await app.generateOutputs(project);
  // The packages' READMEs link the repository README, which typedoc copies as a media file; on
  // this site that is the home page.
  for (const f of readdirSync(out).filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(join(out, f), 'utf8');
    writeFileSync(join(out, f), text.replaceAll('](_media/README.md)', '](/)'));
  }
  rmSync(join(out, '_media', 'README.md'), { force: true });
  if (existsSync(join(out, '_media')) && readdirSync(join(out, '_media')).length === 0) {
    rmSync(join(out, '_media'), { recursive: true });
  }
  console.log(`wrote pages/reference/api/ (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
