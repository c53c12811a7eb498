import { InfluxValidationError } from '../errors.js';

/**
 * The longest series key InfluxDB 1.x accepts, in bytes (`models.MaxKeyLength`): the measurement
 * and the tags of a line as written (escapes included), up to the first unescaped space. A longer
 * key makes the server refuse the line (`max key length exceeded`), so it is refused here first.
 *
 * ```ts
 * makeLines([{ measurement: 'm', tags: { t: 'x'.repeat(MAX_SERIES_KEY_BYTES) }, fields: { v: 1 } }]); // throws InfluxValidationError
 * ```
 */
export const MAX_SERIES_KEY_BYTES = 65535;

/**
 * Throws {@link InfluxValidationError} when the line written in `buf[start, end)` has a series key
 * over {@link MAX_SERIES_KEY_BYTES}. Cheap for every line: only a line longer than the limit is
 * scanned for the end of its key.
 *
 * ```ts
 * checkSeriesKey(lineBytes, 0, lineBytes.length, 'Cpu'); // throws for a 70 KiB tag value
 * ```
 */
export function checkSeriesKey(buf: Uint8Array, start: number, end: number, where: string): void {
  if (end - start <= MAX_SERIES_KEY_BYTES) return;
  let i = start;
  while (i < end) {
    const b = buf[i];
    if (b === 0x5c) i += 2;
    else if (b === 0x20) break;
    else i++;
  }
  const key = Math.min(i, end) - start;
  if (key > MAX_SERIES_KEY_BYTES) {
    throw new InfluxValidationError(
      where,
      'tags',
      `the series key (measurement and tags) is ${key} bytes; InfluxDB refuses keys over ${MAX_SERIES_KEY_BYTES} bytes (max key length exceeded)`,
    );
  }
}
