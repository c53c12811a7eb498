/**
 * influxd splits a write body into lines where lineEnd (src/line-protocol/line-scanner.ts) says:
 * each body is written whole into one database and line by line, as lineEnd cuts it (splitLines,
 * MemoryInflux's use of it), into
 * another; both must store the same points. Bodies near the rule's corners: a backslash before the
 * final newline or at the very end, a backslash before a newline inside the body, string fields
 * holding newlines, and a tag key holding backslash-space (which starts the quote tracking early).
 */
import { describe, expect, it } from 'vitest';
import { splitLines } from '../src/testing/memory-store.js';
import { rawQuery, rawWrite, uniqueDatabase } from './helpers/server.js';

const BODIES = [
  'm v=1 1\nm v=2 2\\',
  'm v=1 1\nm v=2 2\\\n',
  'm v=1 1\nm,t=a\\\nb v=2 2\nm v=3 3\n',
  'm s="a\nb" 1\nm v=2 2\n',
  'm,a\\\\ b=p"q s="x\ny" 1\nm v=1 5\n',
  'm,a\\\\ b=p"q s="x y" 2\nm v=1 5\n',
  'm,a\\\\ b=pq s="x\ny" 3\nm v=1 5\n',
  'm v=1 1\n\\',
];

async function stored(db: string): Promise<unknown> {
  const res = await rawQuery('SELECT * FROM "m"', db, { epoch: 'ns' });
  return res.results?.[0]?.series ?? [];
}

describe('lineEnd agrees with influxd', () => {
  it('stores the same points from a whole body as from its lines written one by one', async () => {
    for (const body of BODIES) {
      const whole = uniqueDatabase('scan_whole');
      const split = uniqueDatabase('scan_split');
      await rawQuery(`CREATE DATABASE "${whole}"`);
      await rawQuery(`CREATE DATABASE "${split}"`);
      try {
        await rawWrite(body, whole);
        for (const line of splitLines(body)) if (line.trim() !== '') await rawWrite(line, split);
        expect(await stored(split), JSON.stringify(body)).toEqual(await stored(whole));
      } finally {
        await rawQuery(`DROP DATABASE "${whole}"`);
        await rawQuery(`DROP DATABASE "${split}"`);
      }
    }
  });
});
