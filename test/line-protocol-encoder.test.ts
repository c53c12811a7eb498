/**
 * Unit checks of the encoder's fast paths against the obvious slow formulas: nanosecond times
 * written from the difference with the previous point, integers written digit by digit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineEncoder, makeLines, makeLinesBytes } from '../src/line-protocol/index.js';

const MIN = -(2n ** 63n) + 2n;
const MAX = 2n ** 63n - 2n;

describe('encoder fast paths', () => {
  it('sequences of nanosecond times are written exactly like BigInt#toString', () => {
    const near = (t: bigint) => [t - 1n, t, t + 1n, t + 999_999_999n, t + 1_000_000_000n, t - 999_999_999n];
    const times = [
      0n,
      1n,
      999_999_999n,
      1_000_000_000n,
      ...near(1_700_000_000_000_000_000n),
      ...near(1_000_000_000n),
      -1n,
      -1_000_000_001n,
      ...near(MAX - 1_000_000_000n),
      MAX,
      MIN,
      5n,
      ...near(2_000_000_000n),
    ];
    const out = makeLines(times.map((time) => ({ measurement: 'm', fields: { v: true }, time })));
    expect(out).toBe(times.map((t) => `m v=true ${t}\n`).join(''));
  });

  it('random time walks and integers match the slow formulas', () => {
    fc.assert(
      fc.property(
        fc.bigInt(MIN, MAX),
        fc.array(fc.bigInt(-3_000_000_000n, 3_000_000_000n), { maxLength: 30 }),
        fc.array(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), { minLength: 1, maxLength: 30 }),
        (start, steps, ints) => {
          const times: bigint[] = [];
          let t = start;
          for (const s of steps) {
            t = t + s > MAX || t + s < MIN ? t : t + s;
            times.push(t);
          }
          const points = ints.map((v, i) => ({ measurement: 'm', fields: { v }, time: times[i] ?? null }));
          const expected = ints
            .map((v, i) => `m v=${v}i${times[i] === undefined ? '' : ` ${times[i]}`}\n`)
            .join('');
          expect(makeLines(points)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('makeLinesBytes is the UTF-8 of makeLines; createLineEncoder encodes single lines', () => {
    const points = [
      { measurement: 'é', tags: { k: '😀 x' }, fields: { s: 'ü\n', f: -0 }, time: 1n },
      { measurement: 'm', fields: { v: 2n ** 60n } },
    ];
    expect(new TextDecoder().decode(makeLinesBytes(points))).toBe(makeLines(points));
    expect(makeLines(points)).toBe('é,k=😀\\ x f=-0,s="ü\n" 1\nm v=1152921504606846976i\n');
    const encode = createLineEncoder('s', { region: 'eu' });
    expect(encode({ measurement: 'cpu', fields: { v: 1 }, time: 10 }, 0)).toBe('cpu,region=eu v=1 10');
    expect(() => encode({ measurement: 'cpu', fields: {} }, 7)).toThrow(/^points\[7\]\.fields/);
  });
});
