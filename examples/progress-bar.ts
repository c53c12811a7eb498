/**
 * The demo's progress bar on stderr (not an example itself). On a terminal it redraws one line in
 * place; otherwise (a pipe, a CI log) it prints a plain line at every 10 %.
 */

/** A progress reporter for `total` units. */
export class ProgressBar {
  private readonly tty: boolean;
  private readonly started = performance.now();
  private lastDecile = -1;
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = out.isTTY === true && process.env.CI === undefined;
  }

  /** Reports `done` units (and optionally a detail such as how many are buffered). */
  update(done: number, detail = ''): void {
    const ratio = this.total > 0 ? Math.min(1, done / this.total) : 1;
    if (this.tty) {
      const now = performance.now();
      if (now - this.lastDraw < 80 && done < this.total) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round(ratio * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      this.out.write(`\r${this.label} ${bar} ${pct(ratio)} ${this.counts(done)} ${detail}\x1b[K`);
      return;
    }
    const decile = Math.floor(ratio * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.out.write(`${this.label}: ${pct(ratio)} ${this.counts(done)} ${detail}`.trimEnd() + '\n');
    }
  }

  /** Ends the bar (a newline on a terminal). */
  finish(done: number, detail = ''): void {
    this.lastDraw = 0;
    this.update(done, detail);
    if (this.tty) this.out.write('\n');
  }

  private counts(done: number): string {
    const secs = (performance.now() - this.started) / 1000;
    const rate = secs > 0 ? Math.round(done / secs) : 0;
    return `${done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} (${rate.toLocaleString('en-US')}/s)`;
  }
}

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(0).padStart(3)}%`;
}
