/**
 * The CLI reference page, generated from the commander definitions (apps/cli/src/program.ts):
 * every command, its arguments and options with defaults and choices, recursively. Typed
 * structurally so the docs do not depend on commander.
 */

/**
 * The part of a commander `Option` read here.
 *
 * @example
 * ```ts
 * const o: OptionLike = { flags: '--json', description: 'JSON output' };
 * ```
 */
export interface OptionLike {
  flags: string;
  description: string;
  defaultValue?: unknown;
  mandatory?: boolean;
  negate?: boolean;
  hidden?: boolean;
  argChoices?: readonly string[];
  envVar?: string;
}

/**
 * The part of a commander `Argument` read here.
 *
 * @example
 * ```ts
 * const a: ArgumentLike = program.registeredArguments[0]!;
 * ```
 */
export interface ArgumentLike {
  name(): string;
  description: string;
  required: boolean;
  variadic: boolean;
  defaultValue?: unknown;
  argChoices?: readonly string[];
}

/**
 * The part of a commander `Command` read here.
 *
 * @example
 * ```ts
 * const c: CommandLike = buildProgram() as unknown as CommandLike;
 * ```
 */
export interface CommandLike {
  name(): string;
  description(): string;
  usage(): string;
  aliases(): string[];
  readonly commands: readonly CommandLike[];
  readonly options: readonly OptionLike[];
  readonly registeredArguments: readonly ArgumentLike[];
}

/**
 * Escapes text for a Markdown table cell rendered by VitePress (pipes, HTML, Vue mustaches).
 *
 * @param s - raw text
 * @returns safe text
 * @example
 * ```ts
 * cellText('a | <b>'); // 'a \\| &lt;b&gt;'
 * ```
 */
export function cellText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\{\{/g, '&#123;&#123;')
    .replace(/\r?\n/g, ' ');
}

function code(s: string): string {
  return `<code>${cellText(s)}</code>`;
}

function extras(o: { defaultValue?: unknown; argChoices?: readonly string[] }): string {
  const parts: string[] = [];
  if (o.argChoices?.length) parts.push(`one of ${o.argChoices.map(code).join(', ')}`);
  if (o.defaultValue !== undefined && o.defaultValue !== false) {
    const d = typeof o.defaultValue === 'string' ? o.defaultValue : JSON.stringify(o.defaultValue);
    parts.push(`default ${code(d)}`);
  }
  return parts.join('; ');
}

function commandPath(chain: readonly CommandLike[]): string {
  return chain.map((c) => c.name()).join(' ');
}

function anchor(chain: readonly CommandLike[]): string {
  return chain.map((c) => c.name()).join('-');
}

function renderBody(chain: readonly CommandLike[], out: string[]): void {
  const cmd = chain[chain.length - 1]!;
  if (cmd.description()) out.push(cellText(cmd.description()), '');
  if (cmd.aliases().length) out.push(`Aliases: ${cmd.aliases().map(code).join(', ')}`, '');
  out.push('```sh', `${commandPath(chain)} ${cmd.usage()}`.trim(), '```', '');
  if (cmd.registeredArguments.length) {
    out.push('| argument | description |', '| --- | --- |');
    for (const a of cmd.registeredArguments) {
      const shown = `${a.required ? '<' : '['}${a.name()}${a.variadic ? '...' : ''}${a.required ? '>' : ']'}`;
      const more = extras(a);
      out.push(`| ${code(shown)} | ${cellText(a.description)}${more ? ` (${more})` : ''} |`);
    }
    out.push('');
  }
  const options = cmd.options.filter((o) => !o.hidden);
  if (options.length) {
    out.push('| option | description |', '| --- | --- |');
    for (const o of options) {
      const notes = [extras(o)];
      if (o.mandatory) notes.push('required');
      if (o.envVar) notes.push(`env ${code(o.envVar)}`);
      const more = notes.filter(Boolean).join('; ');
      out.push(`| ${code(o.flags)} | ${cellText(o.description)}${more ? ` (${more})` : ''} |`);
    }
    out.push('');
  }
}

function renderTree(chain: readonly CommandLike[], depth: number, out: string[]): void {
  out.push(`${'#'.repeat(Math.min(depth, 4))} \`${commandPath(chain)}\` {#${anchor(chain)}}`, '');
  renderBody(chain, out);
  for (const sub of chain[chain.length - 1]!.commands) renderTree([...chain, sub], depth + 1, out);
}

/**
 * Renders the reference page of a command tree.
 *
 * @param program - the root command (`buildProgram()`)
 * @param source - where the definitions live, for the page's note
 * @returns Markdown
 * @example
 * ```ts
 * writeFileSync('pages/reference/cli.md', renderCliReference(buildProgram()));
 * ```
 */
export function renderCliReference(
  program: CommandLike,
  source = 'apps/cli/src/program.ts',
): string {
  const out = [
    '---',
    'title: CLI reference',
    '---',
    '',
    '# CLI reference',
    '',
    `<!-- Generated from ${source} by apps/docs/scripts/generate.ts; do not edit. -->`,
    '',
    `Every command of \`${program.name()}\`, generated from its definitions in \`${source}\`.`,
    'From a clone, run it as `pnpm caldera <command>`. Every command also takes `-h, --help`.',
    '',
    '## Commands',
    '',
    ...program.commands.map(
      (c) => `- [\`${c.name()}\`](#${program.name()}-${c.name()}) — ${cellText(c.description())}`,
    ),
    '',
    '## Global',
    '',
  ];
  const body: string[] = [];
  renderBody([program], body);
  for (const sub of program.commands) renderTree([program, sub], 2, body);
  return `${[...out, ...body].join('\n').trimEnd()}\n`;
}
