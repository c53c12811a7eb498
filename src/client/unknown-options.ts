import { InfluxConfigError } from '../errors.js';

/**
 * Refuses option keys that are not in `known`, naming the nearest known key when one is close
 * (`hots` → `host`, `verify_ssl` → `verifySsl`): a misspelt option must not be ignored silently
 * (a client built with `{ hots: 'db' }` would quietly connect to localhost).
 *
 * ```ts
 * refuseUnknownKeys({ hots: 'db' }, ['host', 'port'], 'InfluxDBClient');
 * // throws InfluxConfigError: InfluxDBClient: unknown option "hots" (did you mean "host"?)
 * ```
 */
export function refuseUnknownKeys(options: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = nearestKey(key, known);
    const shown = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
    throw new InfluxConfigError(
      `${where}: unknown option ${shown}${near === undefined ? '' : ` (did you mean "${near}"?)`}`,
    );
  }
}

/** The known key closest to `key` (case, `_` and `-` ignored), when it is close enough to be a typo. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  const k = norm(key);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(k, norm(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor(Math.min(k.length, 12) / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** Optimal string alignment distance (Levenshtein with adjacent transpositions). */
function distance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = new Array(b.length + 1).fill(0);
    row[0] = i;
    rows.push(row);
  }
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = v;
    }
  }
  return rows[a.length]![b.length]!;
}
