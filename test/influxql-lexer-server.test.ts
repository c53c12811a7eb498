/**
 * The lexer against the real server: for random texts built from fragments that confuse naive
 * scanners (comments, quotes, regexes, '/', ';', newlines, carriage returns), the number of
 * statements the client counts equals the number of statement_ids the server answers, and a text
 * the client takes for one statement never runs a hidden second one.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxConfigError, InfluxDBClient } from '../src/index.js';
import { splitStatements } from '../src/influxql/lexer.js';
import { rawQuery, serverUrl, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('lexprop');
const canary = uniqueDatabase('canary');
let client: InfluxDBClient;

beforeAll(async () => {
  client = new InfluxDBClient({
    host: new URL(serverUrl()).hostname,
    port: Number(new URL(serverUrl()).port),
    database: db,
  });
  await rawQuery(`CREATE DATABASE "${db}"`);
  await rawQuery(`INSERT m,t=a v=1`, db).catch(() => undefined);
  await fetch(`${serverUrl()}/write?db=${db}`, { method: 'POST', body: 'm,t=a v=1,w=2' });
});
afterAll(async () => {
  await rawQuery(`DROP DATABASE "${db}"`);
  await rawQuery(`DROP DATABASE "${canary}"`);
  await client.close();
});

/** Pieces that sit between tokens: each is harmless for the server in some places and not in others. */
const noise = fc.constantFrom(
  ' ',
  '\n',
  '\r',
  '\t',
  '-- c\n',
  '--=~\n',
  '-- ;\n',
  '--\r',
  '/* ; */',
  '/*',
  '*/',
  '/',
  '/2',
  ' /2 ',
  '*',
  ';',
  "'",
  '"',
  '\\',
  '=~',
  '!~',
  ',',
  '(',
  ')',
  '.',
);
const regexBody = fc.constantFrom('a', 'a;b', ';', 'a\\/;b', 'a\\\\/;x', "'", '"', '*x*', '-- ;', 'x\\');
const stringBody = fc.constantFrom('a', ';', "it\\'s;", '--', '/*', '\\\\', 'x/y');
const identBody = fc.constantFrom('v', 'a;b', '--', '/*', '\\"x', 'm');

const select = fc.oneof(
  fc.tuple(noise, noise).map(([a, b]) => `SELECT "v" ${a}${b} FROM "m"`),
  fc.tuple(regexBody, noise).map(([r, a]) => `SELECT * FROM "m" WHERE "t" =~ /${r}/${a}`),
  fc.tuple(regexBody, noise).map(([r, a]) => `SELECT /${r}/${a} FROM "m"`),
  fc.tuple(regexBody, noise).map(([r, a]) => `SELECT "v" FROM /${r}/${a}`),
  fc.tuple(regexBody, noise).map(([r, a]) => `SELECT max(/${r}/)${a} FROM "m"`),
  fc.tuple(regexBody).map(([r]) => `SELECT "v" FROM "${db}"."autogen"./${r}/`),
  fc.tuple(regexBody, noise).map(([r, a]) => `SELECT "v" FROM "m" GROUP BY ${a}/${r}/`),
  fc.tuple(stringBody, noise).map(([s, a]) => `SELECT * FROM "m" WHERE "t" = '${s}'${a}`),
  fc.tuple(identBody, noise).map(([s, a]) => `SELECT "${s}"${a} FROM "m"`),
  fc.tuple(noise, noise).map(([a, b]) => `SELECT *${a}${b} FROM "m"`),
  fc.tuple(noise).map(([a]) => `SELECT "v"${a}/2 FROM "m"`),
);
const statement = fc.oneof(
  { weight: 6, arbitrary: select },
  { weight: 1, arbitrary: fc.constant('SHOW DATABASES') },
  { weight: 2, arbitrary: fc.constant(`CREATE DATABASE "${canary}"`) },
);
const separator = fc.constantFrom(';', '; ', ';\n', ' -- c\n;', '/* x */;', ';;', '\r;');
/** A structured text (mostly valid) or a free mix of statements and noise (often invalid). */
const text = fc.oneof(
  fc
    .tuple(statement, fc.array(fc.tuple(separator, statement), { maxLength: 2 }))
    .map(([first, rest]) => first + rest.map(([s, t]) => s + t).join('')),
  fc
    .array(fc.oneof(statement, noise, separator), { minLength: 1, maxLength: 6 })
    .map((parts) => `SELECT "v" ${parts.join('')}`),
);

async function canaryExists(): Promise<boolean> {
  const body = await rawQuery('SHOW DATABASES');
  const values: string[][] = body.results[0].series?.[0]?.values ?? [];
  return values.some((v) => v[0] === canary);
}

describe('InfluxQL lexer against influxd', () => {
  it('counts the statements the server runs; a text taken as one statement runs one', async () => {
    const numRuns = Number(process.env.LEXER_PROPERTY_RUNS ?? 300);
    let agreed = 0;
    await fc.assert(
      fc.asyncProperty(text, async (q) => {
        const statements = splitStatements(q);
        if (statements.length === 0) return;
        if (statements.length > 1) {
          // query() refuses it before sending.
          await expect(client.query(q)).rejects.toBeInstanceOf(InfluxConfigError);
        }
        const params = new URLSearchParams({ q, db });
        // influxd 1.6 answers a bad escape at the very end of the text with a NUL byte in its
        // error header, which fetch refuses: that text was not run either.
        const body = (await fetch(`${serverUrl()}/query`, { method: 'POST', body: params })
          .then((res) => res.json())
          .catch(() => ({}))) as { results?: { statement_id: number; error?: string }[] };
        if (body.results) {
          // The server stops at a statement that fails to run (it answers it as an error, and
          // answers nothing for the rest), so only an error-free answer lists every statement.
          if (body.results.some((r) => r.error !== undefined)) {
            expect(body.results.length, q).toBeLessThanOrEqual(statements.length);
          } else {
            expect(body.results.length, q).toBe(statements.length);
            agreed++;
          }
        }
        if (statements.length === 1 && statements[0]!.verb !== 'CREATE') {
          expect(await canaryExists(), q).toBe(false);
        }
        if (await canaryExists()) await rawQuery(`DROP DATABASE "${canary}"`);
      }),
      { numRuns },
    );
    // The generator makes enough texts the server accepts for the comparison to mean something
    // (the texts are random: 45 to 71 of 300 in six runs, so the old bound of 50 failed one run in
    // three; this one leaves room for that).
    expect(agreed).toBeGreaterThan(numRuns / 12);
  });

  it('the issue reproductions run exactly what the client counts', async () => {
    const q = `SELECT "v" --=~\n/2 FROM "m"; CREATE DATABASE "${canary}"; SELECT "v" /2 FROM "m"`;
    expect(splitStatements(q)).toHaveLength(3);
    await expect(client.query(q)).rejects.toThrow(/3 statements.*queryMany/);
    expect(await canaryExists()).toBe(false);
  });

  it('createContinuousQuery refuses a SELECT that hides more statements (issue reproduction)', async () => {
    await rawQuery(`CREATE DATABASE "${canary}"`);
    const select = `SELECT * --=~\n/2 INTO "b" FROM "m" GROUP BY time(1m) END; DROP DATABASE "${canary}"; CREATE CONTINUOUS QUERY "x" ON "${db}" BEGIN SELECT mean("v") /1 INTO "b" FROM "m" GROUP BY time(1m)`;
    await expect(client.createContinuousQuery('cq1', select, { database: db })).rejects.toThrow(
      /single SELECT statement/,
    );
    await expect(
      client.createContinuousQuery('cq1', 'SELECT mean("v") INTO "b" FROM "m" GROUP BY time(1m) -- note', {
        database: db,
      }),
    ).rejects.toThrow(/-- comment/);
    expect(await canaryExists()).toBe(true);
    const cqs = await client.listContinuousQueries();
    expect(cqs.flatMap((o) => o[db] ?? [])).toEqual([]);
    await rawQuery(`DROP DATABASE "${canary}"`);
  });
});
