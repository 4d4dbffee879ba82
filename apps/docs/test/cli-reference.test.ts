import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/src/program';
import { type CommandLike, cellText, renderCliReference } from '../src/site/cli-reference';
import { parseMarkdownTable } from './markdown-table';

const io = { out: () => {}, err: () => {} };

describe('renderCliReference', () => {
  it('documents every command, argument and option of the real program', () => {
    const program = buildProgram(io) as unknown as CommandLike;
    const md = renderCliReference(program);
    expect(program.commands.length).toBeGreaterThan(3);
    let checked = 0;
    const visit = (chain: CommandLike[]) => {
      const cmd = chain[chain.length - 1]!;
      const path = chain.map((c) => c.name()).join(' ');
      const heading = `\`${path}\` {#${chain.map((c) => c.name()).join('-')}}`;
      const at = md.indexOf(`${'#'.repeat(Math.min(chain.length, 4))} ${heading}`);
      expect(at, path).toBeGreaterThan(0);
      // The section runs to the next heading of any level.
      const rest = md.slice(at);
      const next = rest.slice(1).search(/\n#{1,4} /);
      const section = next < 0 ? rest : rest.slice(0, next + 1);
      expect(section).toContain(`${path} ${cmd.usage()}`);
      const shown = parseMarkdownTable(section, 'option').map((r) => r[0]!);
      const expected = cmd.options
        .filter((o) => !o.hidden)
        .map((o) => `<code>${cellText(o.flags)}</code>`);
      expect(shown, path).toEqual(expected);
      for (const a of cmd.registeredArguments) expect(section).toContain(a.name());
      checked++;
      for (const sub of cmd.commands) visit([...chain, sub]);
    };
    for (const cmd of program.commands) visit([program, cmd]);
    expect(checked).toBeGreaterThanOrEqual(program.commands.length);
  });

  it('renders defaults, choices, required options and nested commands; escapes HTML and pipes', () => {
    const leaf: CommandLike = {
      name: () => 'leaf',
      description: () => 'the <leaf> | command {{ x }}',
      usage: () => '[options] <file>',
      aliases: () => ['lf'],
      commands: [],
      options: [
        {
          flags: '--mode <m>',
          description: 'a mode',
          defaultValue: 'fast',
          argChoices: ['fast', 'slow'],
        },
        { flags: '-o, --out <dir>', description: 'output', mandatory: true },
        { flags: '--secret', description: 'hidden', hidden: true },
      ],
      registeredArguments: [
        { name: () => 'file', description: 'input', required: true, variadic: false },
      ],
    };
    const root: CommandLike = {
      name: () => 'tool',
      description: () => 'root',
      usage: () => '[options] [command]',
      aliases: () => [],
      commands: [{ ...leaf, name: () => 'group', commands: [leaf] }],
      options: [],
      registeredArguments: [],
    };
    const md = renderCliReference(root, 'x.ts');
    expect(md).toContain('## `tool group` {#tool-group}');
    expect(md).toContain('### `tool group leaf` {#tool-group-leaf}');
    expect(md).toContain('the &lt;leaf&gt; \\| command &#123;&#123; x }}');
    expect(md).toContain('one of <code>fast</code>, <code>slow</code>; default <code>fast</code>');
    expect(md).toContain('| <code>-o, --out &lt;dir&gt;</code> | output (required) |');
    expect(md).toContain('| <code>&lt;file&gt;</code> | input |');
    expect(md).toContain('Aliases: <code>lf</code>');
    expect(md).not.toContain('--secret');
    expect(md).toContain('```sh\ntool group leaf [options] <file>\n```');
  });
});
