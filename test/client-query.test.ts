import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { InfluxClosedError, InfluxConfigError, InfluxDBClientError } from '../src/errors.js';
import type { Precision } from '../src/line-protocol/precision.js';
import { decodeMsgpack } from '../src/results/msgpack-decoder.js';
import type { RawSeries } from '../src/results/result-set.js';
import { rawQuery, rawWrite, serverAddress, serverUrl, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('cq');
const T = 1257894000123456789n; // 2009-11-10T23:00:00.123456789Z

beforeAll(async () => {
  await rawQuery(`CREATE DATABASE "${db}"`);
  const w = await rawWrite(
    [
      `cpu,host=a value=0.64,count=9223372036854775807i,neg=-9223372036854775808i,small=42i,s="q\\"uote" ${T}`,
      `cpu,host=b value=33,count=1i,neg=-1i,small=7i,s="x" ${T + 1000n}`,
      'mem,host=a used=1.5 0',
      'old,host=a v=1 -1500000000', // before 1970
    ].join('\n'),
    db,
  );
  expect(w.status).toBe(204);
});

afterAll(async () => {
  await rawQuery(`DROP DATABASE "${db}"`);
});

for (const responseFormat of ['msgpack', 'json'] as const) {
  describe(`query over ${responseFormat}`, () => {
    let client: InfluxDBClient;
    beforeAll(() => {
      client = new InfluxDBClient({ ...serverAddress(), database: db, responseFormat });
    });
    afterAll(async () => {
      await client.close();
    });

    it('ping returns the server version', async () => {
      expect(await client.ping()).toMatch(/^1\.6\.7/);
    });

    it('returns exact values: RFC3339 nanosecond times, int64 extremes as bigint, floats as numbers', async () => {
      const rs = await client.query('SELECT * FROM "cpu" ORDER BY time');
      expect([...rs.getPoints('cpu')]).toEqual([
        {
          time: '2009-11-10T23:00:00.123456789Z',
          count: 9223372036854775807n,
          neg: -9223372036854775808n,
          small: 42,
          host: 'a',
          s: 'q"uote',
          value: 0.64,
        },
        { time: '2009-11-10T23:00:00.123457789Z', count: 1, neg: -1, small: 7, host: 'b', s: 'x', value: 33 },
      ]);
      const old = await client.query('SELECT * FROM "old"');
      expect([...old.getPoints()]).toEqual([{ time: '1969-12-31T23:59:58.5Z', host: 'a', v: 1 }]);
    });

    const expectedEpoch: Record<Precision, bigint | number> = {
      n: T,
      ns: T,
      u: T / 1000n,
      ms: Number(T / 1_000_000n),
      s: Number(T / 1_000_000_000n),
      m: Number(T / 60_000_000_000n),
      h: Number(T / 3_600_000_000_000n),
    };
    for (const [epoch, want] of Object.entries(expectedEpoch)) {
      it(`epoch ${epoch} gives an exact ${typeof want}`, async () => {
        const rs = await client.query(`SELECT "value" FROM "cpu" WHERE "host" = 'a'`, {
          epoch: epoch as Precision,
        });
        const [row] = [...rs.getPoints()];
        expect(row?.time).toBe(want);
      });
    }

    it('GROUP BY tags: keys with tags, rowsWithTags merges them', async () => {
      const rs = await client.query('SELECT "value" FROM "cpu" GROUP BY "host"');
      expect(rs.keys()).toEqual([
        ['cpu', { host: 'a' }],
        ['cpu', { host: 'b' }],
      ]);
      expect([...rs.rowsWithTags()].map((r) => [r.host, r.value])).toEqual([
        ['a', 0.64],
        ['b', 33],
      ]);
    });

    it('bindParams are bound by the server ($name), strings and numbers', async () => {
      const rs = await client.query('SELECT "value" FROM "cpu" WHERE "host" = $host AND "value" > $min', {
        bindParams: { host: 'b', min: 1 },
      });
      expect([...rs.getPoints()].map((r) => r.value)).toEqual([33]);
      const none = await client.query('SELECT "value" FROM "cpu" WHERE "host" = $host', {
        bindParams: { host: "a' OR 'x'='x" },
      });
      expect(none.length).toBe(0);
    });

    it('refuses several statements in query() before sending anything', async () => {
      const victim = uniqueDatabase('never');
      await expect(client.query(`CREATE DATABASE "${victim}"; SELECT * FROM "cpu"`)).rejects.toThrow(
        /queryMany/,
      );
      await expect(client.query(`CREATE DATABASE "${victim}"; SELECT 1`)).rejects.toBeInstanceOf(
        InfluxConfigError,
      );
      const dbs = await rawQuery('SHOW DATABASES');
      expect(JSON.stringify(dbs)).not.toContain(victim);
      // a ';' inside a string is not a separator
      const rs = await client.query(`SELECT "value" FROM "cpu" WHERE "host" = 'a;b'`);
      expect(rs.length).toBe(0);
    });

    it('queryMany returns one ResultSet per statement and raises a statement error', async () => {
      const [cpu, mem] = await client.queryMany('SELECT "value" FROM "cpu"; SELECT "used" FROM "mem"');
      expect(cpu?.length).toBe(1);
      expect([...(mem?.getPoints() ?? [])]).toEqual([{ time: '1970-01-01T00:00:00Z', used: 1.5 }]);
      const bad = 'SELECT "value" FROM "cpu"; SELECT mean("s") FROM "cpu"';
      const err = await client.queryMany(bad).catch((e) => e);
      expect(err).toBeInstanceOf(InfluxDBClientError);
      expect(err.content).toMatch(/unsupported mean iterator type/);
      const sets = await client.queryMany(bad, { raiseErrors: false });
      expect(sets[0]?.error).toBeUndefined();
      expect(sets[1]?.error).toMatch(/unsupported mean iterator type/);
    });

    it('a query the server cannot parse raises InfluxDBClientError with code 400', async () => {
      const err = await client.query('SELEC nothing').catch((e) => e);
      expect(err).toBeInstanceOf(InfluxDBClientError);
      expect(err.status).toBe(400);
      expect(err.content).toMatch(/error parsing query/);
    });

    it('SELECT ... INTO goes by POST automatically and writes', async () => {
      await client.query('SELECT "value" INTO "cpu_copy" FROM "cpu" GROUP BY *');
      const [row] = (await rawQuery('SELECT count("value") FROM "cpu_copy"', db)).results[0].series[0].values;
      expect(row[1]).toBe(2);
    });

    it('a very long read query is sent in a POST body', async () => {
      const hosts = Array.from({ length: 800 }, (_, i) => `"host" = 'h${i}'`).join(' OR ');
      const rs = await client.query(`SELECT "value" FROM "cpu" WHERE ${hosts} OR "host" = 'a'`);
      expect([...rs.getPoints()].length).toBe(1);
    });
  });
}

describe('float vs integer typing', () => {
  it('msgpack keeps a whole-valued huge float a number; JSON cannot tell it from an int64 (documented)', async () => {
    await rawWrite('huge f=1e20,i=123456789012345678i 1', db);
    const m = new InfluxDBClient({ ...serverAddress(), database: db });
    const j = new InfluxDBClient({ ...serverAddress(), database: db, responseFormat: 'json' });
    const [rm] = [...(await m.query('SELECT "f", "i" FROM "huge"')).getPoints()];
    const [rj] = [...(await j.query('SELECT "f", "i" FROM "huge"')).getPoints()];
    expect(rm).toEqual({ time: '1970-01-01T00:00:00.000000001Z', f: 1e20, i: 123456789012345678n });
    expect(rj).toEqual({
      time: '1970-01-01T00:00:00.000000001Z',
      f: 100000000000000000000n,
      i: 123456789012345678n,
    });
    await m.close();
    await j.close();
  });
});

describe('client state', () => {
  it('switchDatabase changes the default database; close() makes every call throw InfluxClosedError', async () => {
    const client = new InfluxDBClient({ ...serverAddress() });
    await expect(client.writePoints([{ measurement: 'x', fields: { v: 1 } }])).rejects.toThrow(/no database/);
    client.switchDatabase(db);
    expect(client.database).toBe(db);
    const rs = await client.query('SELECT "used" FROM "mem"');
    expect(rs.length).toBe(1);
    await client.close();
    await client.close();
    await expect(client.query('SELECT 1')).rejects.toBeInstanceOf(InfluxClosedError);
    await expect(client.ping()).rejects.toBeInstanceOf(InfluxClosedError);
    await expect(client.write('m v=1')).rejects.toBeInstanceOf(InfluxClosedError);
    expect(() => client.queryStream('SELECT 1')).toThrow(InfluxClosedError);
    expect(() => client.switchDatabase('x')).toThrow(InfluxClosedError);
  });

  it('fromDsn builds a working client; a bad DSN is an InfluxConfigError', async () => {
    const { host, port } = serverAddress();
    const client = InfluxDBClient.fromDsn(`influxdb://${host}:${port}/${db}`, { responseFormat: 'json' });
    expect(client.database).toBe(db);
    const rs = await client.query('SELECT "used" FROM "mem"');
    expect([...rs.getPoints()]).toEqual([{ time: '1970-01-01T00:00:00Z', used: 1.5 }]);
    await client.close();
    const secret = InfluxDBClient.fromDsn(`https+influxdb://u:pw-s3cret@${host}:${port}/x`);
    expect(secret.url).toBe(`https://${host}:${port}`);
    expect(String(secret)).not.toContain('pw-s3cret');
    await secret.close();
    expect(() => InfluxDBClient.fromDsn('http://h')).toThrow(InfluxConfigError);
    expect(() => InfluxDBClient.fromDsn('foo+influxdb://h')).toThrow(InfluxConfigError);
  });

  it('closing the client stops an open stream with InfluxClosedError', async () => {
    const client = new InfluxDBClient({ ...serverAddress(), database: db });
    const err = await (async () => {
      for await (const _ of client.queryStream('SELECT * FROM "cpu"', { chunkSize: 1 })) {
        await client.close();
      }
    })().catch((e) => e);
    expect(err).toBeInstanceOf(InfluxClosedError);
  });

  it('request() reaches other endpoints with the client settings', async () => {
    const client = new InfluxDBClient({ ...serverAddress() });
    const res = await client.request('/ping', { expectedResponseCode: 204 });
    expect(res.status).toBe(204);
    await expect(client.request('/ping', { expectedResponseCode: 200 })).rejects.toBeInstanceOf(
      InfluxDBClientError,
    );
    await client.close();
  });
});

describe('expectedResponseCode (influxdb-python expected_response_code)', () => {
  it('query, queryMany and queryStream accept the expected status and refuse any other', async () => {
    const client = new InfluxDBClient({ ...serverAddress(), database: db });
    try {
      const rs = await client.query('SELECT "value" FROM "cpu"', { expectedResponseCode: 200 });
      expect([...rs.getPoints()]).toHaveLength(2);
      const err = await client
        .query('SELECT "value" FROM "cpu"', { expectedResponseCode: 204 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InfluxDBClientError);
      expect((err as InfluxDBClientError).status).toBe(200);
      await expect(
        client.queryMany('SHOW DATABASES; SHOW MEASUREMENTS', { expectedResponseCode: 201 }),
      ).rejects.toBeInstanceOf(InfluxDBClientError);
      const stream = client.queryStream('SELECT "value" FROM "cpu"', { expectedResponseCode: 202 });
      await expect(stream.next()).rejects.toBeInstanceOf(InfluxDBClientError);
      await expect(client.query('SHOW DATABASES', { expectedResponseCode: 42 })).rejects.toThrow(
        /query\(expectedResponseCode\)/,
      );
    } finally {
      await client.close();
    }
  });
});

describe('statement splitting', () => {
  it('does not split inside a regex literal after =~ / !~', async () => {
    const { splitStatements: lex } = await import('../src/influxql/lexer.js');
    const splitStatements = (q: string) => lex(q).map((s) => s.text);
    expect(splitStatements("SELECT * FROM m WHERE h =~ /a;b/ AND x !~ /'/")).toHaveLength(1);
    expect(splitStatements('SELECT * FROM m WHERE h =~ /a\\/;b/; SHOW DATABASES')).toEqual([
      'SELECT * FROM m WHERE h =~ /a\\/;b/',
      'SHOW DATABASES',
    ]);
    expect(splitStatements('SELECT a / b FROM m; SHOW DATABASES')).toHaveLength(2);
  });
});

describe('responses decoded as their bytes arrive', () => {
  const HOSTS = 40;
  const PER_HOST = 150;
  const long = `${'é'.repeat(20_000)}\nend`;
  beforeAll(async () => {
    const lines: string[] = [];
    for (let h = 0; h < HOSTS; h++) {
      for (let k = 0; k < PER_HOST; k++) {
        const t = BigInt(h * PER_HOST + k) * 1_000_000_007n - 5_000_000_000n; // some before 1970
        const f = k % 5 === 0 ? '-0' : String((k * 7919) / 1000.7);
        const i = k % 3 === 0 ? '-9223372036854775808i' : k % 3 === 1 ? '9223372036854775807i' : `${k}i`;
        const str = k === 7 && h === 3 ? long : `s-${h}-${k} "q" é\\\\`;
        lines.push(
          `edge,host=h${h},region=r${h % 3} f=${f},i=${i},b=${k % 2 === 0},s="${str.replace(/"/g, '\\"')}" ${t}`,
        );
      }
    }
    expect((await rawWrite(lines.join('\n'), db)).status).toBe(204);
  });

  /** The msgpack body fetched and decoded at once, independently of the client's transport. */
  const reference = async (q: string, extra: Record<string, string> = {}) => {
    const res = await fetch(`${serverUrl()}/query?${new URLSearchParams({ db, q, ...extra })}`, {
      headers: { accept: 'application/x-msgpack' },
    });
    return decodeMsgpack(new Uint8Array(await res.arrayBuffer()), extra.epoch ? { epoch: 'ns' } : {});
  };

  it('query() gives exactly what the whole body decodes to: many series, -0, int64 extremes, long strings', async () => {
    const client = new InfluxDBClient({ ...serverAddress(), database: db });
    const q = 'SELECT * FROM "edge" GROUP BY "host"';
    const rs = await client.query(q);
    expect(rs.raw).toEqual((await reference(q)).results![0]);
    expect(rs.series).toHaveLength(HOSTS);
    const h0 = rs.series[0]!.values!;
    const col = (name: string) => rs.series[0]!.columns.indexOf(name);
    expect(Object.is(h0[0]![col('f')], -0)).toBe(true);
    expect(h0[0]![col('i')]).toBe(-9223372036854775808n);
    expect(h0[1]![col('i')]).toBe(9223372036854775807n);
    expect(h0[2]![col('i')]).toBe(2);
    expect(h0[0]![col('time')]).toBe('1969-12-31T23:59:55Z');
    const h3 = rs.series.find((x) => x.tags?.host === 'h3')!.values!;
    expect(h3[7]![col('s')]).toBe(long);
    expect(h3[8]![col('s')]).toBe('s-3-8 "q" é\\');
    // epoch ns: exact bigint times, before 1970 too
    const ns = await client.query(q, { epoch: 'ns' });
    expect(ns.raw).toEqual((await reference(q, { epoch: 'ns' })).results![0]);
    expect(ns.series[0]!.values![0]![0]).toBe(-5_000_000_000n);
    await client.close();
  });

  it('queryStream: series split across chunks (partial) add up to the query() result', async () => {
    const client = new InfluxDBClient({ ...serverAddress(), database: db });
    const q = 'SELECT * FROM "edge" GROUP BY "host"';
    const whole = (await client.query(q)).series;
    for (const chunkSize of [7, 149, 1000]) {
      const merged: RawSeries[] = [];
      let partialSeries = 0;
      let partialResults = 0;
      for await (const rs of client.queryStream(q, { chunkSize })) {
        if (rs.raw.partial) partialResults++;
        for (const s of rs.series) {
          if (s.partial) partialSeries++;
          const last = merged.at(-1);
          if (last && last.tags?.host === s.tags?.host) last.values!.push(...s.values!);
          else merged.push({ name: s.name!, tags: s.tags!, columns: s.columns, values: [...s.values!] });
        }
      }
      expect(partialResults).toBeGreaterThan(0); // more chunks of the statement follow
      if (chunkSize < PER_HOST) expect(partialSeries).toBeGreaterThan(0); // a series continues
      expect(merged).toEqual(
        whole.map(({ name, tags, columns, values }) => ({ name, tags, columns, values })),
      );
    }
    await client.close();
  });

  it('an empty result, a statement error and a result without series decode as the server sent them', async () => {
    const client = new InfluxDBClient({ ...serverAddress(), database: db });
    const nobody = 'SELECT * FROM "edge" WHERE "host" = \'nobody\'';
    const empty = await client.query(nobody);
    expect(empty.raw).toEqual({ statement_id: 0, series: [] }); // msgpack sends the empty list
    expect(empty.raw).toEqual((await reference(nobody)).results![0]);
    expect(empty.length).toBe(0);
    const chunks = [];
    for await (const rs of client.queryStream(nobody)) chunks.push(rs.raw);
    expect(chunks).toEqual([{ statement_id: 0, series: [] }]);
    const sets = await client.queryMany('SELECT * FROM "edge" LIMIT 1; SELECT mean("s") FROM "edge"', {
      raiseErrors: false,
    });
    expect(sets[0]!.series[0]!.values).toHaveLength(1);
    expect(sets[1]!.error).toMatch(/unsupported mean iterator type/);
    await client.close();
  });
});
