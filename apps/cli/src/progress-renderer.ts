import type { ProgressCallback, ProgressEvent } from '@caldera/core';
import cliProgress from 'cli-progress';

/**
 * Where progress goes: bars on a terminal, one JSON object per line for machines, or nothing.
 *
 * @example
 * ```ts
 * const mode: ProgressMode = process.stderr.isTTY ? 'bars' : 'json';
 * ```
 */
export type ProgressMode = 'bars' | 'json' | 'silent';

/**
 * Renders {@link ProgressEvent}s: a `cli-progress` bar per running task on a TTY, JSON lines
 * otherwise. Call `stop()` when the command ends.
 *
 * @param mode - how to render
 * @param stream - where to write (default stderr, so stdout stays clean for results)
 * @returns the callback and a stop function
 * @example
 * ```ts
 * const { onProgress, stop } = createProgressRenderer('json');
 * onProgress({ type: 'start', task: 'demo', total: 2 });
 * stop();
 * ```
 */
export function createProgressRenderer(
  mode: ProgressMode,
  stream: NodeJS.WritableStream = process.stderr,
): { onProgress: ProgressCallback; stop: () => void } {
  if (mode === 'silent') return { onProgress: () => {}, stop: () => {} };
  if (mode === 'json') {
    return {
      onProgress: (e: ProgressEvent) => {
        stream.write(`${JSON.stringify(e)}\n`);
      },
      stop: () => {},
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: ' {bar} {percentage}% | {task} | {value}/{total} {unit}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  const onProgress = (e: ProgressEvent) => {
    if (e.type === 'log') {
      multi.log(`${e.level === 'warn' ? 'warning: ' : ''}${e.message}\n`);
      return;
    }
    let bar = bars.get(e.task);
    if (e.type === 'start') {
      bar = multi.create(e.total ?? 0, 0, { task: e.task, unit: e.unit ?? '' });
      bars.set(e.task, bar);
    } else if (e.type === 'progress') {
      if (!bar) {
        bar = multi.create(e.total ?? 0, 0, { task: e.task, unit: e.unit ?? '' });
        bars.set(e.task, bar);
      }
      if (e.total !== undefined) bar.setTotal(e.total);
      bar.update(e.current);
    } else if (e.type === 'done' && bar) {
      bar.update(bar.getTotal());
      bar.stop();
    }
  };
  return { onProgress, stop: () => multi.stop() };
}
