import { InfluxConfigError } from '../errors.js';
import type { WriteConsistency } from '../sink.js';

export type { WriteConsistency };

const LEVELS: ReadonlySet<unknown> = new Set(['any', 'one', 'quorum', 'all']);

/**
 * Checks a write consistency (InfluxDB Enterprise: `?consistency=` of `/write`), the one check for
 * the client's write options, registry commits and `@Measurement({ consistency })`.
 *
 * ```ts
 * checkConsistency('quorum', 'write(consistency)'); // 'quorum'
 * checkConsistency('most', 'write(consistency)');
 * // InfluxConfigError: write(consistency): must be 'any', 'one', 'quorum' or 'all', got "most"
 * ```
 */
export function checkConsistency(value: unknown, where: string): WriteConsistency {
  if (!LEVELS.has(value)) {
    throw new InfluxConfigError(
      `${where}: must be 'any', 'one', 'quorum' or 'all', got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
    );
  }
  return value as WriteConsistency;
}
