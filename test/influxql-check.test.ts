/**
 * No InfluxQL text is assembled outside src/influxql/ (scripts/check-influxql.mjs, also run by
 * .ci/run): every statement is a node compiled by src/influxql/compiler.ts.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ES module script without type declarations
import { ALLOWED, checkInfluxQL, literalsOf } from '../scripts/check-influxql.mjs';

type Result = { files: number; findings: unknown[]; allowed: string[] };

describe('InfluxQL text only from the compiler', () => {
  it('finds no statement text in string or template literals of src/ outside src/influxql/', () => {
    const result = checkInfluxQL() as Result;
    expect(result.files).toBeGreaterThan(50);
    expect(result.findings).toEqual([]);
    // Every allow-list entry still matches a literal (a stale entry is removed, not kept).
    expect([...new Set(result.allowed)].sort()).toEqual([...(ALLOWED as Map<string, string>).keys()].sort());
  });

  it('reads literals and template pieces, never comments', () => {
    const lits = literalsOf(
      [
        '/** `DROP SERIES FROM "m"` in a doc comment */',
        '// SHOW DATABASES in a line comment',
        "const a = 'SHOW DATABASES';",
        'const b = `DROP MEASUREMENT ${quote(m)} x`;',
        'const c = `x ${y} GRANT ${z} ALL`;',
      ].join('\n'),
    ) as Array<{ line: number; text: string }>;
    expect(lits.map((l) => [l.line, l.text])).toEqual([
      [3, 'SHOW DATABASES'],
      [4, 'DROP MEASUREMENT '],
      [4, ' x'],
      [5, 'x '],
      [5, ' GRANT '],
      [5, ' ALL'],
    ]);
  });
});
