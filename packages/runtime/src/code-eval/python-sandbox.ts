/**
 * Running untrusted Python (a HumanEval completion plus its tests) in a child `python3`
 * process (`python3 -I -B -S`: isolated, no bytecode files, no `site`, so only the standard
 * library): fresh temporary directory as cwd, minimal environment, wall-clock timeout that
 * kills the whole process group, address-space / file-size / process-count limits set by a
 * small preamble, and an audit hook (`sys.addaudithook`) that refuses every socket operation
 * and process creation.
 *
 * This is a best-effort sandbox against accidents of generated code (infinite loops, runaway
 * memory, stray network calls), NOT a security boundary: the code still runs as the current
 * user with access to the file system. Run untrusted models' output in a container or VM.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CalderaError, describeValue, throwIfAborted } from '@caldera/core';

/**
 * Options of {@link runPythonCheck}.
 *
 * @example
 * ```ts
 * const o: PythonCheckOptions = { timeoutMs: 3000, memoryMb: 512 };
 * ```
 */
export interface PythonCheckOptions {
  /** Wall-clock limit in ms (default 5000); the process group is then killed. */
  timeoutMs?: number;
  /** Address-space limit in MiB (default 1024). */
  memoryMb?: number;
  /** Largest file the program may write, in MiB (default 16). */
  maxFileMb?: number;
  /** Python command (default `$CALDERA_PYTHON` or `python3`, looked up on `PATH`). */
  python?: string;
  /** Cancels the run (kills the process group, then throws `ABORTED`). */
  signal?: AbortSignal;
}

/**
 * Outcome of {@link runPythonCheck}.
 *
 * @example
 * ```ts
 * const r: PythonCheckResult = { passed: true, timedOut: false, exitCode: 0, stderrTail: '', durationMs: 80 };
 * ```
 */
export interface PythonCheckResult {
  /** The program ran to its end without an exception, within the limits. */
  passed: boolean;
  /** Killed by the wall-clock timeout. */
  timedOut: boolean;
  /** Exit status (`null` when killed by a signal). */
  exitCode: number | null;
  /** Last characters of standard error (the traceback of a failure). */
  stderrTail: string;
  /** Wall-clock duration in ms. */
  durationMs: number;
}

const TAIL_CHARS = 2000;
const pythonCache = new Map<string, Promise<string>>();

/**
 * Resolves a Python 3 command to the absolute path of its interpreter (cached per command),
 * which skips wrapper scripts such as pyenv shims on every later run.
 *
 * @param command - command name or path (default `$CALDERA_PYTHON` or `python3`)
 * @returns absolute path of the interpreter (`sys.executable`)
 * @throws CalderaError `PYTHON_UNAVAILABLE` when the command cannot be run or is not Python ≥ 3.8
 * @example
 * ```ts
 * const exe = await resolvePython(); // '/usr/bin/python3.11'
 * ```
 */
export function resolvePython(command?: string): Promise<string> {
  const cmd = command ?? process.env.CALDERA_PYTHON ?? 'python3';
  let p = pythonCache.get(cmd);
  if (!p) {
    p = probePython(cmd);
    pythonCache.set(cmd, p);
    p.catch(() => pythonCache.delete(cmd));
  }
  return p;
}

function probePython(cmd: string): Promise<string> {
  const script = 'import sys; print(sys.executable if sys.version_info >= (3, 8) else "")';
  return new Promise((resolve, reject) => {
    const fail = (why: string, cause?: unknown) =>
      reject(
        new CalderaError(
          'PYTHON_UNAVAILABLE',
          `cannot run Python 3 as ${describeValue(cmd)}: ${why}`,
          {
            cause,
            details: { command: cmd },
          },
        ),
      );
    let out = '';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(cmd, ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (cause) {
      fail('spawn failed', cause);
      return;
    }
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
    });
    child.on('error', (e) => fail((e as Error).message, e));
    child.on('close', (code) => {
      const exe = out.trim();
      if (code !== 0) fail(`exit status ${code}`);
      else if (exe === '') fail('not Python >= 3.8');
      else resolve(exe);
    });
  });
}

function runnerSource(memBytes: number, fileBytes: number, nonce: string): string {
  return `import sys
def _caldera_sandbox():
    import resource
    for lim, val in ((resource.RLIMIT_AS, ${memBytes}), (resource.RLIMIT_FSIZE, ${fileBytes}),
                     (getattr(resource, 'RLIMIT_NPROC', None), 0)):
        if lim is None:
            continue
        try:
            soft, hard = resource.getrlimit(lim)
            v = val if hard == resource.RLIM_INFINITY else min(val, hard)
            resource.setrlimit(lim, (v, v))
        except (ValueError, OSError):
            pass
    blocked = ('socket.', 'subprocess.', 'os.system', 'os.exec', 'os.posix_spawn', 'os.spawn',
               'os.fork', 'os.forkpty', 'pty.')
    def hook(event, args):
        if event.startswith(blocked):
            if event.startswith('socket.'):
                raise OSError('network access is disabled in this sandbox (%s)' % event)
            raise OSError('starting processes is disabled in this sandbox (%s)' % event)
    sys.addaudithook(hook)
_caldera_sandbox()
del _caldera_sandbox
with open('program.py', encoding='utf-8') as _f:
    _code = compile(_f.read(), 'program.py', 'exec')
del _f
sys.argv = ['program.py']
exec(_code, {'__name__': '__main__', '__builtins__': __builtins__})
sys.stdout.write('\\n${nonce}\\n')
sys.stdout.flush()
`;
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `runPythonCheck: ${name} must be a positive number, got ${describeValue(v)}`,
    );
  }
  return v;
}

/**
 * Runs a Python program in a fresh temporary directory under the limits of this module and
 * reports whether it completed: `passed` means it ran to its end (no exception, no
 * `sys.exit`, no kill) — for a HumanEval check program, that all assertions held.
 *
 * @param program - Python source (e.g. from `buildCheckProgram`)
 * @param options - timeout, memory and file-size limits, interpreter, abort signal
 * @returns pass/fail, timeout flag, exit status and the tail of stderr
 * @throws CalderaError `PYTHON_UNAVAILABLE` (no usable `python3`), `INVALID_ARGUMENT`
 *   (non-positive limits), `ABORTED`
 * @example
 * ```ts
 * const r = await runPythonCheck('assert 1 + 1 == 2\n', { timeoutMs: 3000 });
 * r.passed; // true
 * ```
 */
export async function runPythonCheck(
  program: string,
  options: PythonCheckOptions = {},
): Promise<PythonCheckResult> {
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? 5000);
  const memoryMb = positive('memoryMb', options.memoryMb ?? 1024);
  const maxFileMb = positive('maxFileMb', options.maxFileMb ?? 16);
  const { signal } = options;
  throwIfAborted(signal, 'runPythonCheck');
  const exe = await resolvePython(options.python);
  const dir = await mkdtemp(join(tmpdir(), 'caldera-py-'));
  try {
    const nonce = `caldera-ok-${randomBytes(12).toString('hex')}`;
    const memBytes = Math.floor(memoryMb * 1024 * 1024);
    await writeFile(join(dir, 'program.py'), program, 'utf8');
    await writeFile(
      join(dir, 'runner.py'),
      runnerSource(memBytes, Math.floor(maxFileMb * 1024 * 1024), nonce),
      'utf8',
    );
    throwIfAborted(signal, 'runPythonCheck');
    const r = await runChild(exe, dir, timeoutMs, signal);
    throwIfAborted(signal, 'runPythonCheck');
    return {
      passed: !r.timedOut && r.exitCode === 0 && r.stdoutTail.includes(nonce),
      timedOut: r.timedOut,
      exitCode: r.exitCode,
      stderrTail: r.stderrTail,
      durationMs: r.durationMs,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface ChildOutcome {
  timedOut: boolean;
  exitCode: number | null;
  stdoutTail: string;
  stderrTail: string;
  durationMs: number;
}

function runChild(
  exe: string,
  dir: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<ChildOutcome> {
  const env: Record<string, string> = {
    PATH: `${dirname(exe)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: dir,
    TMPDIR: dir,
    LANG: 'C.UTF-8',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONHASHSEED: '0',
  };
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(exe, ['-I', '-B', '-S', 'runner.py'], {
      cwd: dir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdoutTail = '';
    let stderrTail = '';
    let timedOut = false;
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const onAbort = () => killGroup();
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdoutTail = (stdoutTail + d).slice(-TAIL_CHARS);
    });
    child.stderr.on('data', (d: string) => {
      stderrTail = (stderrTail + d).slice(-TAIL_CHARS);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(
        new CalderaError('PYTHON_UNAVAILABLE', `cannot start ${describeValue(exe)}: ${e.message}`, {
          cause: e,
        }),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      killGroup(); // leftover grandchildren, if any
      resolve({
        timedOut,
        exitCode: code,
        stdoutTail,
        stderrTail,
        durationMs: performance.now() - start,
      });
    });
  });
}
