import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';
import { InfluxDBClient } from '../src/client/index.js';
import { InfluxModelsError } from '../src/errors.js';
import { createRepository, escapeRegex } from '../src/query/index.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('query_inject');
const canary = uniqueDatabase('query_canary');

@Measurement({ name: 'm', database: db })
class M {
  @Tag() host!: string;
  @Field({ type: 'integer' }) n!: number;
  @Timestamp({ type: 'bigint' }) at!: bigint;
}

let client: InfluxDBClient;

beforeAll(async () => {
  const { host, port } = serverAddress();
  client = new InfluxDBClient({ host, port, database: db });
  await rawQuery(`CREATE DATABASE "${db}"`);
  await rawQuery(`CREATE DATABASE "${canary}"`);
});

afterAll(async () => {
  await rawQuery(`DROP DATABASE "${db}"`);
  await rawQuery(`DROP DATABASE "${canary}"`);
  await client?.close();
});

const nasty = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      "'",
      '"',
      '\\',
      '\n',
      ';',
      '/',
      ' ',
      ',',
      '=',
      '$',
      '(',
      ')',
      '*',
      '.',
      '^',
      '#',
      '--',
      'é',
      '😀',
    ),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2 }),
  ),
  minLength: 1,
  maxLength: 12,
});

describe('injection property test against the real server', () => {
  it('tag values and identifiers from random strings match exactly and execute nothing else', async () => {
    const repo = createRepository(client, M);
    const written = new Map<string, number>();
    let t = 1n;
    await fc.assert(
      fc.asyncProperty(nasty, async (s) => {
        // Store a point with this tag value when line protocol can carry it (else it must be refused).
        let stored = true;
        try {
          await repo.write(M_of(repo, s, t++));
        } catch (e) {
          expect(e).toBeInstanceOf(InfluxModelsError);
          stored = false;
        }
        if (stored) written.set(s, (written.get(s) ?? 0) + 1);
        const expected = written.get(s) ?? 0;
        const found = await repo.find({ where: { host: s } });
        expect(found.length).toBe(expected);
        for (const p of found) expect(p.host).toBe(s);
        const byRegex = await repo
          .query()
          .where('host', '=~', `^${escapeRegex(s)}$`)
          .all();
        expect(byRegex.length).toBe(expected);
        // As an identifier: a measurement that does not exist, and an alias.
        expect(await repo.query().from(s).all()).toEqual([]);
        if (!s.includes('\n')) {
          expect(await repo.query().from(s).in(db, 'autogen').where('host', '!=', s).all()).toEqual([]);
        }
      }),
      { numRuns: 100, seed: 20240601 },
    );
    // Nothing else ran: both databases exist, only "m" was created, and its series are exactly ours.
    const dbs = (await rawQuery('SHOW DATABASES')).results[0].series[0].values.flat();
    expect(dbs).toEqual(expect.arrayContaining([db, canary]));
    const ms = (await rawQuery('SHOW MEASUREMENTS', db)).results[0].series?.[0]?.values.flat() ?? [];
    expect(ms).toEqual(written.size > 0 ? ['m'] : []);
    const total = await repo.count();
    expect(total).toBe([...written.values()].reduce((a, b) => a + b, 0));
    expect(written.size).toBeGreaterThan(20);
  });
});

function M_of(repo: ReturnType<typeof createRepository<M>>, host: string, at: bigint): M {
  return repo.metadata.hydrate({ host, n: 1, at });
}
