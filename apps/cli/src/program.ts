import { CalderaError, isCalderaError } from '@caldera/core';
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { registerBench } from './commands/bench';
import { registerCalibrate } from './commands/calibrate';
import { registerCompress } from './commands/compress';
import { registerEval } from './commands/eval';
import { registerExportOnnx } from './commands/export-onnx';
import { registerGenerate } from './commands/generate';
import { registerHumanEval } from './commands/humaneval';
import { registerInspect } from './commands/inspect';
import { registerSweep } from './commands/sweep';
import { EXIT_CODES, exitCodeOf, exitCodesHelp } from './exit-codes';

/**
 * Output channels of the CLI, injectable for tests.
 *
 * @example
 * ```ts
 * const io: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };
 * ```
 */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: CliIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

/**
 * Builds the `caldera` command tree. Commands throw instead of exiting (see {@link run}).
 *
 * @param io - where commands print
 * @returns the commander program
 * @example
 * ```ts
 * const program = buildProgram();
 * program.commands.map((c) => c.name()); // ['inspect', …]
 * ```
 */
export function buildProgram(io: CliIo = defaultIo): Command {
  const program = new Command('caldera')
    .description('Compress language models: CALDERA (Q + L·R) and LoRD, in TypeScript.')
    .version('0.0.0')
    .option(
      '--verbose',
      'on an error, also print its stack trace (any position on the command line)',
    )
    .showHelpAfterError()
    .addHelpText('after', `\n${exitCodesHelp()}`)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  registerInspect(program, io);
  registerCalibrate(program, io);
  registerCompress(program, io);
  registerEval(program, io);
  registerGenerate(program, io);
  registerHumanEval(program, io);
  registerSweep(program, io);
  registerBench(program, io);
  registerExportOnnx(program, io);
  return program;
}

/**
 * Runs the CLI on an argv array and returns the exit code. Errors are printed as one line
 * naming their code (`CalderaError`), never as a raw stack unless `--verbose` is given (anywhere on
 * the command line; `CALDERA_DEBUG=1` does the same).
 *
 * @param argv - `process.argv`-style arguments (node, script, …args)
 * @param io - where to print
 * @returns 0 on success, else the code of {@link EXIT_CODES} for the error's kind
 * @example
 * ```ts
 * const code = await run(['node', 'caldera', 'inspect', 'models/pycode-6m']);
 * ```
 */
export async function run(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const program = buildProgram(io);
  // `--verbose` is global: accepted before or after the command, removed before commander parses.
  const verbose = argv.slice(2).includes('--verbose');
  const args = verbose
    ? [...argv.slice(0, 2), ...argv.slice(2).filter((a) => a !== '--verbose')]
    : argv;
  try {
    await program.parseAsync(args);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version'
        ? EXIT_CODES.OK
        : EXIT_CODES.USAGE;
    }
    let code: number = EXIT_CODES.FAILURE;
    if (isCalderaError(e)) {
      io.err(`${pc.red('error')} [${e.code}]: ${e.message}\n`);
      code = exitCodeOf(e.code);
    } else {
      const err = e instanceof Error ? e : new CalderaError('INTERNAL', String(e));
      io.err(
        `${pc.red('internal error')}: ${err.message}\n(please report this; run again with --verbose for details)\n`,
      );
    }
    if ((verbose || process.env.CALDERA_DEBUG) && e instanceof Error && e.stack)
      io.err(`${e.stack}\n`);
    return code;
  }
}
