/**
 * Client hardening (issue 13): bounded memory and time for every request, close() that aborts what
 * is in flight, strict response shapes, redaction, strict options, INTO targets. Faults a real
 * influxd cannot show come from a local fake server; the rest runs against the real one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { InfluxDBClient, type InfluxDBClientConfig } from '../src/client/influxdb-client.js';
import {
  InfluxClosedError,
  InfluxConfigError,
  InfluxConnectionError,
  InfluxDBClientError,
  InfluxDBServerError,
  InfluxModelsError,
  InfluxResponseTooLargeError,
  InfluxTimeoutError,
  InfluxValidationError,
  redact,
} from '../src/errors.js';
import { QueryBuilder } from '../src/query/index.js';
import { closeFakeServers, fakeServer } from './helpers/fake-server.js';
import { mp } from './helpers/msgpack-writer.js';
import { handMadeMetadata } from './helpers/query-model.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

const clients: InfluxDBClient[] = [];
const fake = (handle: (req: IncomingMessage, res: ServerResponse) => void) => fakeServer(handle);

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ timeout: 0 })));
  await closeFakeServers();
});

function client(f: { port: number }, extra: InfluxDBClientConfig = {}): InfluxDBClient {
  const c = new InfluxDBClient({
    host: '127.0.0.1',
    port: f.port,
    database: 'db',
    retries: 1,
    timeout: 10_000, // idle timeout: never reached by a trickling body
    requestTimeout: 800,
    maxResponseBytes: 1024 * 1024,
    maxChunkBytes: 512 * 1024,
    responseFormat: 'json',
    ...extra,
  });
  clients.push(c);
  return c;
}

/** A body that never ends: 64 KiB pieces as fast as the client reads them (with backpressure). */
function endless(status: number, piece: string) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, piece);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  };
}

/** A body that trickles: one byte every 30 ms, forever (each byte resets an idle timeout). */
function trickle(status: number, first = '{"results":[') {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.write(first);
    const timer = setInterval(() => {
      if (res.destroyed) clearInterval(timer);
      else res.write(' ');
    }, 30);
    res.on('close', () => clearInterval(timer));
  };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    // read everything
  }
}

const point = [{ measurement: 'm', fields: { v: 1 }, time: 1n }];

describe('bounded reads and a total deadline (never-ending and trickling bodies)', () => {
  const rss: number[] = [];
  afterAll(() => {
    // Flat memory across every never-ending body below: the reads stop at their limits.
    const growth = Math.max(...rss) - rss[0]!;
    console.info(`RSS growth over the never-ending bodies: ${(growth / 1048576).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(50 * 1024 * 1024);
  });
  // Garbage from the stopped reads is collected first: what is measured is what stays.
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const measure = () => {
    gc();
    rss.push(process.memoryUsage().rss);
  };

  it('query: a never-ending 200 body stops at maxResponseBytes', async () => {
    const c = client(await fake(endless(200, ' ')), { requestTimeout: 0 });
    await failure(c.query('SELECT * FROM "m"')); // warm-up: the first call loads code and pools
    measure();
    for (let i = 0; i < 5; i++) {
      const e = await failure(c.query('SELECT * FROM "m"'));
      expect(e).toBeInstanceOf(InfluxResponseTooLargeError);
      expect((e as InfluxResponseTooLargeError).option).toBe('maxResponseBytes');
      expect((e as Error).message).toMatch(/maxResponseBytes \(1048576 bytes\)/);
      measure();
    }
    const m = client(await fake(endless(200, ' ')), { requestTimeout: 0, responseFormat: 'msgpack' });
    expect(await failure(m.queryMany('SELECT 1 FROM "m"; SELECT 2 FROM "m"'))).toBeInstanceOf(
      InfluxResponseTooLargeError,
    );
    measure();
  });

  it('query: a trickling body ends with InfluxTimeoutError naming requestTimeout', async () => {
    const c = client(await fake(trickle(200)));
    const e = await failure(c.query('SELECT * FROM "m"'));
    expect(e).toBeInstanceOf(InfluxTimeoutError);
    expect((e as Error).message).toMatch(/requestTimeout \(800 ms\)/);
  });

  it('queryStream: a never-ending chunk stops at maxChunkBytes, a trickling one at requestTimeout', async () => {
    measure();
    const c = client(await fake(endless(200, 'x')), { requestTimeout: 0 });
    const e = await failure(drain(c.queryStream('SELECT * FROM "m"')));
    expect(e).toBeInstanceOf(InfluxResponseTooLargeError);
    expect((e as InfluxResponseTooLargeError).option).toBe('maxChunkBytes');
    measure();
    const t = client(await fake(trickle(200, '{"results":[{"statement_id":0}]}\n{')));
    const seen: unknown[] = [];
    const e2 = await failure(
      (async () => {
        for await (const rs of t.queryStream('SELECT * FROM "m"')) seen.push(rs);
      })(),
    );
    expect(seen).toHaveLength(1); // the complete chunk came through
    expect(e2).toBeInstanceOf(InfluxTimeoutError);
    expect((e2 as Error).message).toMatch(/requestTimeout/);
  });

  it('write and writePoints: a 500 with a never-ending body is read as a short excerpt', async () => {
    measure();
    const c = client(await fake(endless(500, 'e')), { requestTimeout: 0 });
    for (const call of [() => c.writePoints(point), () => c.write('m v=1 1\n')]) {
      const e = await failure(call());
      expect(e).toBeInstanceOf(InfluxDBServerError);
      expect((e as InfluxDBServerError).status).toBe(500);
      expect((e as InfluxDBServerError).content).toMatch(/error body cut at 65536 bytes/);
      expect((e as InfluxDBServerError).content.length).toBeLessThan(1000);
      measure();
    }
  });

  it('write, commit and ping: a trickling answer ends with InfluxTimeoutError', async () => {
    const c = client(await fake(trickle(200, '')));
    expect(await failure(c.writePoints(point))).toBeInstanceOf(InfluxTimeoutError);
    expect(await failure(c.write('m v=1 1\n'))).toBeInstanceOf(InfluxTimeoutError);
    expect(
      await failure(c.commit({ body: 'm v=1 1\n', lineCount: 1, precision: 'n', database: 'db' })),
    ).toBeInstanceOf(InfluxTimeoutError);
    expect(await failure(c.ping())).toBeInstanceOf(InfluxTimeoutError);
    const e = client(await fake(trickle(500, '')));
    expect(await failure(e.writePoints(point))).toBeInstanceOf(InfluxTimeoutError);
  });

  it('ping: a never-ending body stops at maxResponseBytes', async () => {
    measure();
    const c = client(await fake(endless(200, 'p')), { requestTimeout: 0 });
    expect(await failure(c.ping())).toBeInstanceOf(InfluxResponseTooLargeError);
    measure();
  });

  it('the deadline covers retries too', async () => {
    let n = 0;
    const c = client(
      await fake((_req, res) => {
        n++;
        res.writeHead(503, { 'retry-after': '1' }).end('{"error":"busy"}');
      }),
      { retries: 0, requestTimeout: 300 }, // 0 = retry forever: only the deadline ends it
    );
    expect(await failure(c.ping())).toBeInstanceOf(InfluxTimeoutError);
    expect(n).toBeGreaterThanOrEqual(1);
  });
});

describe('close({ timeout }) aborts what is in flight and reports it', () => {
  it('a trickling query and a never-ending stream are aborted; close settles and reports them', async () => {
    const slow = await fake(trickle(200));
    const c = client(slow, { requestTimeout: 0 });
    const q = failure(c.query('SELECT * FROM "m"'));
    const w = failure(c.write('m v=1 1\n'));
    const s = failure(drain(c.queryStream('SELECT * FROM "m"')));
    await new Promise((r) => setTimeout(r, 150));
    const report = await c.close({ timeout: 100 });
    expect(report.aborted.map((a) => [a.method, a.path, a.stream]).sort()).toEqual(
      [
        ['GET', '/query', false],
        ['GET', '/query', true],
        ['POST', '/write', false],
      ].sort(),
    );
    for (const a of report.aborted) expect(a.elapsedMs).toBeGreaterThanOrEqual(0);
    for (const e of [await q, await w, await s]) {
      expect(e).toBeInstanceOf(InfluxClosedError);
      expect((e as Error).message).toMatch(/closed/);
    }
    expect(await c.close()).toBe(report); // idempotent: the first close's report
    await expect(c.ping()).rejects.toBeInstanceOf(InfluxClosedError);
  });

  it('a request that finishes within the grace period is not aborted', async () => {
    const f = await fake((_req, res) => {
      setTimeout(() => res.writeHead(204).end(), 100);
    });
    const c = client(f);
    const w = c.write('m v=1 1\n');
    await new Promise((r) => setTimeout(r, 20));
    const report = await c.close({ timeout: 5000 });
    expect(report.aborted).toEqual([]);
    await expect(w).resolves.toBeUndefined();
  });

  it('close refuses a bad timeout', async () => {
    const c = client({ port: 1 });
    expect(() => c.close({ timeout: -1 })).toThrow(InfluxConfigError);
    expect(() => c.close({ timout: 5 } as never)).toThrow(/did you mean "timeout"/);
  });
});

describe('strict response shapes', () => {
  const cases: [string, Buffer | string, string, RegExp][] = [
    ['{}', '{}', 'application/json', /no "results"/],
    ['[]', '[]', 'application/json', /expected an object, got an array/],
    ['results not a list', '{"results":"oops"}', 'application/json', /"results" is a string/],
    ['empty results list', '{"results":[]}', 'application/json', /no result for the statement/],
    [
      'null columns',
      '{"results":[{"statement_id":0,"series":[{"name":"m","columns":null,"values":[[1]]}]}]}',
      'application/json',
      /series\[0\]\.columns is null/,
    ],
    [
      'a row that is not a list',
      '{"results":[{"statement_id":0,"series":[{"name":"m","columns":["a"],"values":[5]}]}]}',
      'application/json',
      /values\[0\] is a number/,
    ],
    [
      'trailing JSON garbage',
      '{"results":[{"statement_id":0}]} x',
      'application/json',
      /could not be parsed/,
    ],
    ['msgpack number', mp(42), 'application/x-msgpack', /expected an object, got a number/],
    ['msgpack {}', mp({}), 'application/x-msgpack', /no "results"/],
    [
      'msgpack trailing bytes',
      Buffer.concat([mp({ results: [{ statement_id: 0 }] }), Buffer.from([1, 2, 3])]),
      'application/x-msgpack',
      /3 bytes follow the response value/,
    ],
    [
      'random bytes as msgpack',
      Buffer.from([0xc1, 0xff, 0x00]),
      'application/x-msgpack',
      /could not be decoded/,
    ],
  ];
  for (const [name, body, type, why] of cases) {
    it(`a 200 with ${name} is an InfluxDBServerError`, async () => {
      const c = client(await fake((_req, res) => res.writeHead(200, { 'content-type': type }).end(body)));
      const e = await failure(c.query('SELECT * FROM "m"'));
      expect(e).toBeInstanceOf(InfluxDBServerError);
      expect((e as Error).message).toMatch(why);
    });
  }

  it('a genuinely empty result stays empty; a bad chunk in a stream is an error too', async () => {
    const c = client(
      await fake((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        if (req.url?.includes('chunked=true')) res.end('{"results":[{"statement_id":0}]}\n{"results":{}}\n');
        else res.end('{"results":[{"statement_id":0}]}');
      }),
    );
    const rs = await c.query('SELECT * FROM "m"');
    expect([...rs.getPoints()]).toEqual([]);
    expect(rs.error).toBeUndefined();
    expect(await failure(drain(c.queryStream('SELECT * FROM "m"')))).toBeInstanceOf(InfluxDBServerError);
  });
});

describe('redaction: no secret in any message, stack, inspect output or cause', () => {
  const SECRET = 'TopSecret42';
  const clean = (e: unknown) => {
    expect(e).toBeInstanceOf(InfluxModelsError);
    let cur: unknown = e;
    for (let depth = 0; cur !== undefined && depth < 5; depth++) {
      const err = cur as Error;
      for (const text of [String(err.message), String(err.stack), inspect(err, { depth: 5 })]) {
        expect(text).not.toContain(SECRET);
      }
      cur = err.cause;
    }
  };
  const thrown = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e;
    }
    throw new Error('expected a throw');
  };

  it('bad options that carry a secret', () => {
    const bad: InfluxDBClientConfig[] = [
      { host: `admin:${SECRET}@db.internal` },
      { host: `http://admin:${SECRET}@db.internal` },
      { proxy: `ftp://u:${SECRET}@proxy` },
      { proxy: `http://u:${SECRET}@` },
      { path: `/x?p=${SECRET}` },
      { headers: { authorization: `Basic ${SECRET}\n` } },
      { token: `${SECRET}\n` },
      { username: 'u', password: 5 as never },
      { username: 'u:x', password: SECRET },
      { token: SECRET, password: SECRET },
      { passwrd: SECRET } as never,
      { ssl: SECRET } as never,
      { port: SECRET } as never,
    ];
    for (const o of bad) clean(thrown(() => new InfluxDBClient(o)));
    for (const dsn of [
      `influxdb://u:${SECRET}@h:99999/db`,
      `influxdb://u:${SECRET}@h/a/b`,
      `influxdb://u:${SECRET}@h,i:x/db`,
      `influxdb://u:${SECRET}%ZZ@h/db`,
      `bad://u:${SECRET}@h/db`,
    ]) {
      clean(thrown(() => InfluxDBClient.fromDsn(dsn)));
    }
  });

  it('error paths of a client that holds credentials', async () => {
    const refused = new InfluxDBClient({
      host: '127.0.0.1',
      port: 1,
      username: 'u',
      password: SECRET,
      retries: 1,
    });
    clean(await failure(refused.ping()));
    await refused.close();
    const echo = await fake((req, res) => {
      // a server (or proxy) that echoes what it got: the statement and the Authorization header
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        const text = `${decodeURIComponent(body.replace(/\+/g, ' '))} auth=${req.headers.authorization} Authorization: ${req.headers.authorization}`;
        res.writeHead(req.url?.startsWith('/write') ? 500 : 400, { 'content-type': 'text/plain' }).end(text);
      });
    });
    const withPassword = client(echo, { username: 'u', password: SECRET });
    clean(await failure(withPassword.createUser('bob', SECRET)));
    clean(await failure(withPassword.setUserPassword('bob', SECRET)));
    clean(await failure(withPassword.query(`SELECT * FROM "m" WHERE "x" = 'a'`)));
    clean(await failure(withPassword.writePoints(point)));
    const withToken = client(echo, { token: SECRET });
    clean(await failure(withToken.query('SELECT 1 FROM "m"')));
  });

  it('redact() covers userinfo, Authorization, password parameters and InfluxQL passwords', () => {
    for (const [input, expected] of [
      [`http://admin:${SECRET}@db:8086/x`, 'http://admin:***@db:8086/x'],
      [`"admin:${SECRET}@db.internal"`, '"admin:***@db.internal"'],
      [`Authorization: Basic ${SECRET}`, 'Authorization: Basic ***'],
      [`Token ${SECRET}xyz`, 'Token ***'],
      [`/query?u=a&p=${SECRET}&db=x`, '/query?u=a&p=***&db=x'],
      [`CREATE USER "u" WITH PASSWORD '${SECRET}'`, `CREATE USER "u" WITH PASSWORD '***'`],
      [`SET PASSWORD FOR "u" = '${SECRET}'`, `SET PASSWORD FOR "u" = '***'`],
      ['no secret here: host db.internal:8086', 'no secret here: host db.internal:8086'],
    ] as const) {
      expect(redact(input)).toBe(expected);
    }
  });
});

describe('strict options', () => {
  it('refuses unknown keys, naming the nearest known one', () => {
    expect(() => new InfluxDBClient({ hots: 'db' } as never)).toThrow(
      /InfluxDBClient: unknown option "hots" \(did you mean "host"\?\)/,
    );
    expect(() => new InfluxDBClient({ verify_ssl: false } as never)).toThrow(/did you mean "verifySsl"/);
    expect(() => new InfluxDBClient({ requestTimeOut: 5 } as never)).toThrow(/did you mean "requestTimeout"/);
    expect(() => new InfluxDBClient({ zzzzzz: 1 } as never)).toThrow(/unknown option "zzzzzz"$/);
    expect(() => InfluxDBClient.fromDsn('influxdb://h/db', { hots: 'x' } as never)).toThrow(
      /did you mean "host"/,
    );
  });

  it('booleans must be booleans', () => {
    for (const k of ['ssl', 'verifySsl', 'useUdp', 'gzip']) {
      for (const v of ['true', 'yes', 1, null]) {
        expect(() => new InfluxDBClient({ [k]: v } as never), `${k}=${String(v)}`).toThrow(
          new RegExp(`InfluxDBClient\\(${k}\\): must be true or false`),
        );
      }
    }
    expect(new InfluxDBClient({ ssl: true }).url).toBe('https://localhost:8086');
  });

  it('checks the limits', () => {
    for (const o of [
      { requestTimeout: -1 },
      { requestTimeout: 1.5 },
      { maxResponseBytes: 0 },
      { maxChunkBytes: '1' as never },
    ]) {
      expect(() => new InfluxDBClient(o)).toThrow(InfluxConfigError);
    }
  });

  it('a DSN with an empty password after ":" is refused; without ":" it is a user without password', () => {
    expect(() => InfluxDBClient.fromDsn('influxdb://u:@h/db')).toThrow(/password after ':' is empty/);
    expect(InfluxDBClient.fromDsn('influxdb://u@h/db').toString()).toBe(
      'InfluxDBClient(http://h:8086, database=db, user=u)',
    );
  });
});

describe('INTO targets keep their exact name', () => {
  const q = () => QueryBuilder.create(handMadeMetadata());
  it('refuses a name the server would store differently (issue reproduction)', () => {
    for (const name of ['a\\"b', 'a\\', 'a\\,b', 'a\\ b', 'a\\=b', 'x\ny']) {
      expect(() => q().select('usage').into(name).toInfluxQL(), name).toThrow(InfluxValidationError);
    }
    expect(q().select('usage').into('a"b c,d').toInfluxQL().query).toBe(
      'SELECT "usage"::field INTO "a\\"b c,d" FROM "cpu"',
    );
  });

  it('what it accepts round-trips through the real server', async () => {
    const db = uniqueDatabase('into');
    const { host, port } = serverAddress();
    const c = new InfluxDBClient({ host, port, database: db });
    await c.createDatabase(db);
    try {
      await c.writePoints([{ measurement: 'cpu', fields: { usage: 1.5 }, time: 1n }]);
      const names = ['a"b c,d', 'x\\y', 'π=3'];
      for (const name of names) {
        const { query } = q().select('usage').into(name).toInfluxQL();
        await c.query(query.replace('FROM "cpu"', 'FROM "cpu" WHERE time >= 0'));
      }
      const shown = (await rawQuery('SHOW MEASUREMENTS', db)).results[0].series[0].values.map(
        (v: string[]) => v[0],
      );
      expect(shown.sort()).toEqual(['cpu', ...names].sort());
    } finally {
      await c.dropDatabase(db);
      await c.close();
    }
  });

  it('a 4xx from the real server still carries the server message (no shape error)', async () => {
    const { host, port } = serverAddress();
    const c = new InfluxDBClient({ host, port });
    const e = await failure(c.query('SELECT * FROM', { database: 'nope' }));
    expect(e).toBeInstanceOf(InfluxDBClientError);
    await c.close();
  });

  it('connection errors stay typed', async () => {
    const c = client({ port: 1 });
    expect(await failure(c.ping())).toBeInstanceOf(InfluxConnectionError);
  });
});
