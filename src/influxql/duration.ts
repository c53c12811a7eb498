/**
 * InfluxQL duration text (`5m`, `1h30m`, `500ms`, and the server's own `168h0m0s`, `1.5s`) to
 * nanoseconds: the one unit table and part scanner that the parser and the schema comparison use.
 */

/** Nanoseconds of each InfluxQL duration unit. */
export const DURATION_UNIT_NANOS: Readonly<Record<string, bigint>> = Object.freeze({
  ns: 1n,
  u: 1_000n,
  µ: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
});

const WHOLE = /(\d+)(ns|u|µ|ms|s|m|h|d|w)/gy;
const WITH_FRACTION = /(\d+)(?:\.(\d+))?(ns|u|µ|ms|s|m|h|d|w)/gy;

/**
 * Nanoseconds of a duration made only of `<digits><unit>` parts (no sign), or `undefined` when
 * `text` is empty or anything else. With `fractions`, a part may carry decimals as the server
 * prints them in `SHOW` output (`1.5s`); InfluxQL statements themselves take whole numbers only.
 *
 * ```ts
 * durationPartsNanos('1h30m', false); // 5400000000000n
 * durationPartsNanos('1.5s', true);   // 1500000000n
 * durationPartsNanos('1.5s', false);  // undefined
 * ```
 */
export function durationPartsNanos(text: string, fractions: boolean): bigint | undefined {
  const re = fractions ? WITH_FRACTION : WHOLE;
  re.lastIndex = 0;
  let total = 0n;
  let at = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const unit = DURATION_UNIT_NANOS[m[fractions ? 3 : 2] as string] as bigint;
    total += BigInt(m[1] as string) * unit;
    const decimals = fractions ? m[2] : undefined;
    if (decimals !== undefined) total += (BigInt(decimals) * unit) / 10n ** BigInt(decimals.length);
    at = re.lastIndex;
  }
  return at === 0 || at !== text.length ? undefined : total;
}
