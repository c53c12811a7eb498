/**
 * Plain-text rendering for the demo (not an example itself): tables, sparklines and bars, with
 * no dependency and no colour codes, so the output reads the same in a terminal, a log or CI.
 */

const SPARKS = '▁▂▃▄▅▆▇█';
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * One character per value, scaled between `min` and `max` (of the values by default); `null` is a
 * gap (a space).
 *
 * ```ts
 * sparkline([1, 2, 3, null, 8]); // '▁▂▃ █'
 * ```
 */
export function sparkline(values: readonly (number | null)[], min?: number, max?: number): string {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return ' '.repeat(values.length);
  const lo = min ?? Math.min(...present);
  const hi = max ?? Math.max(...present);
  const span = hi - lo;
  let out = '';
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) {
      out += ' ';
      continue;
    }
    const i = span <= 0 ? 0 : Math.round(((v - lo) / span) * (SPARKS.length - 1));
    out += SPARKS[Math.max(0, Math.min(SPARKS.length - 1, i))];
  }
  return out;
}

/**
 * A horizontal bar `width` characters long at `max`, with eighth-block resolution.
 *
 * ```ts
 * bar(5, 10, 4); // '██'
 * ```
 */
export function bar(value: number, max: number, width: number): string {
  if (!(max > 0) || !(value > 0)) return '';
  const eighths = Math.round((Math.min(value, max) / max) * width * 8);
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/**
 * A table with a header rule; columns whose header starts with `>` are right-aligned (the `>` is
 * not printed).
 *
 * ```ts
 * table(['host', '>mean %'], [['web-01', '42.0']]);
 * // host    mean %
 * // ──────  ──────
 * // web-01    42.0
 * ```
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const right = headers.map((h) => h.startsWith('>'));
  const names = headers.map((h) => (h.startsWith('>') ? h.slice(1) : h));
  const widths = names.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - width(c));
        return right[i] ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(names), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Display width (code points; the block characters used here are one column wide). */
function width(s: string): number {
  return [...s].length;
}
