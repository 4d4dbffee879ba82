/**
 * Stop strings over a stream of decoded text: text is released only once it cannot be the
 * start of a stop string, and the stream ends just before the first stop string.
 */

/**
 * Watches streamed text for stop strings.
 *
 * @example
 * ```ts
 * const m = new StopMatcher(['\n\n']);
 * m.push('Hello\n'); // { text: 'Hello', stopped: false } ('\n' is held back)
 * m.push('\nmore');  // { text: '', stopped: true }
 * ```
 */
export class StopMatcher {
  private pending = '';
  private done = false;

  /**
   * @param stops - the stop strings (empty strings are ignored)
   */
  constructor(private readonly stops: readonly string[]) {
    this.stops = stops.filter((s) => s.length > 0);
  }

  /** Whether a stop string was seen. */
  get stopped(): boolean {
    return this.done;
  }

  /**
   * Adds text.
   *
   * @param text - newly decoded text
   * @returns the text that is now safe to emit and whether a stop string completed
   */
  push(text: string): { text: string; stopped: boolean } {
    if (this.done) return { text: '', stopped: true };
    const buf = this.pending + text;
    let cut = -1;
    for (const s of this.stops) {
      const i = buf.indexOf(s);
      if (i >= 0 && (cut < 0 || i < cut)) cut = i;
    }
    if (cut >= 0) {
      this.done = true;
      this.pending = '';
      return { text: buf.slice(0, cut), stopped: true };
    }
    let hold = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, buf.length); k > hold; k--) {
        if (buf.endsWith(s.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    this.pending = buf.slice(buf.length - hold);
    return { text: buf.slice(0, buf.length - hold), stopped: false };
  }

  /**
   * Ends the stream.
   *
   * @returns any held-back text (empty after a stop)
   */
  flush(): string {
    const t = this.done ? '' : this.pending;
    this.pending = '';
    return t;
  }
}
