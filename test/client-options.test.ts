import { afterAll, describe, expect, it } from 'vitest';
import { InfluxDBClient, type InfluxDBClientConfig } from '../src/client/influxdb-client.js';
import { parseRetryAfter, RetryPolicy } from '../src/client/retry-policy.js';
import { splitStatements as lexStatements } from '../src/influxql/lexer.js';

const splitStatements = (q: string) => lexStatements(q).map((s) => s.text);
const isMutatingStatement = (q: string) => lexStatements(q).some((s) => s.kind === 'write');

import { InfluxConfigError, InfluxValidationError } from '../src/errors.js';
import { serverAddress, uniqueDatabase } from './helpers/server.js';

describe('constructor options are checked, naming the option', () => {
  const bad: [InfluxDBClientConfig | unknown, RegExp][] = [
    [{ port: 0 }, /port/],
    [{ port: 70000 }, /port/],
    [{ port: '8086' }, /port/],
    [{ host: '' }, /host/],
    [{ host: 'a/b' }, /host/],
    [{ host: 'user@h' }, /host/],
    [{ timeout: -1 }, /timeout/],
    [{ timeout: Number.NaN }, /timeout/],
    [{ retries: 1.5 }, /retries/],
    [{ poolSize: 0 }, /poolSize/],
    [{ udpPort: 0 }, /udpPort/],
    [{ path: 'a b' }, /path/],
    [{ headers: { 'x-a': 'a\r\nInjected: 1' } }, /line break/],
    [{ headers: { 'x-a': 1 } }, /headers/],
    [{ token: 't', username: 'u', password: 'p' }, /either token/],
    [{ password: 'only' }, /username/],
    [{ username: 'a:b', password: 'p' }, /username/],
    [{ token: '' }, /token/],
    [{ proxy: 'not a url' }, /proxy/],
    [{ proxy: 'ftp://x' }, /proxy/],
    [{ responseFormat: 'xml' }, /responseFormat/],
    [{ udpPrecision: 'x' }, /udpPrecision/],
    [{ database: '' }, /database/],
    [{ dispatcher: {} }, /dispatcher/],
    [{ cert: 'PEM' }, /cert.*needs ssl: true/],
    [{ key: 'PEM', ssl: false }, /key.*needs ssl: true/],
    [null, /options/],
  ];
  for (const [options, message] of bad) {
    it(`refuses ${JSON.stringify(options)}`, () => {
      expect(() => new InfluxDBClient(options as InfluxDBClientConfig)).toThrow(InfluxConfigError);
      expect(() => new InfluxDBClient(options as InfluxDBClientConfig)).toThrow(message);
    });
  }
  it('the password is not in the message of a bad option', () => {
    try {
      new InfluxDBClient({ username: 'a:b', password: 'hunter2' });
    } catch (e) {
      expect(String(e)).not.toContain('hunter2');
    }
  });
});

describe('call arguments are checked before anything is sent', () => {
  const client = new InfluxDBClient({ ...serverAddress(), database: uniqueDatabase('unused') });
  afterAll(() => client.close());
  const cases: [string, () => Promise<unknown> | unknown, new (...a: never[]) => Error, RegExp][] = [
    ['query(non-string)', () => client.query(42 as never), InfluxConfigError, /query\(q\)/],
    ['query(empty)', () => client.query(' ;; '), InfluxConfigError, /no statement/],
    ['query epoch', () => client.query('SELECT 1', { epoch: 'x' as never }), InfluxConfigError, /epoch/],
    ['query method', () => client.query('SELECT 1', { method: 'PUT' as never }), InfluxConfigError, /method/],
    [
      'query chunkSize',
      () => client.queryStream('SELECT 1', { chunkSize: 0 }),
      InfluxConfigError,
      /chunkSize/,
    ],
    [
      'bindParams NaN',
      () => client.query('SELECT 1', { bindParams: { x: Number.NaN } }),
      InfluxConfigError,
      /bindParams\)\.x/,
    ],
    [
      'bindParams object',
      () => client.query('SELECT 1', { bindParams: { x: {} as never } }),
      InfluxConfigError,
      /bindParams\)\.x/,
    ],
    [
      'params non-string',
      () => client.query('SELECT 1', { params: { a: 1 as never } }),
      InfluxConfigError,
      /params\)\.a/,
    ],
    [
      'write precision',
      () => client.write('m v=1', { precision: 'd' as never }),
      InfluxConfigError,
      /precision/,
    ],
    ['write empty', () => client.write(''), InfluxValidationError, /empty/],
    [
      'write object',
      () => client.write({ points: [] } as never),
      InfluxValidationError,
      /line protocol text/,
    ],
    [
      'write consistency',
      () => client.write('m v=1', { consistency: 'most' as never }),
      InfluxConfigError,
      /consistency/,
    ],
    ['writePoints non-iterable', () => client.writePoints(5 as never), InfluxValidationError, /iterable/],
    ['writePoints batchSize', () => client.writePoints([], { batchSize: 0 }), InfluxConfigError, /batchSize/],
    [
      'writePoints timePrecision',
      () => client.writePoints([], { timePrecision: 'x' as never }),
      InfluxConfigError,
      /timePrecision/,
    ],
    [
      'writePoints Infinity',
      () => client.writePoints([{ measurement: 'm', fields: { v: Infinity } }]),
      InfluxValidationError,
      /points\[0\]\.v/,
    ],
    [
      'writePoints newline in tag',
      () => client.writePoints([{ measurement: 'm', tags: { t: 'a\nb' }, fields: { v: 1 } }]),
      InfluxValidationError,
      /points\[0\]/,
    ],
    [
      'writePoints no fields',
      () => client.writePoints([{ measurement: 'm', fields: {} }]),
      InfluxValidationError,
      /fields/,
    ],
    [
      'writePoints number line',
      () => client.writePoints([42 as never]),
      InfluxValidationError,
      /points\[0\]/,
    ],
    ['request path', () => client.request('ping'), InfluxConfigError, /request\(path\)/],
    [
      'request data',
      () => client.request('/ping', { data: 5 as never }),
      InfluxConfigError,
      /request\(data\)/,
    ],
    [
      'request header with a line break',
      () => client.request('/ping', { headers: { 'x-a': 'a\r\nInjected: 1' } }),
      InfluxConfigError,
      /x-a|header|invalid/i,
    ],
    ['switchDatabase', () => client.switchDatabase('' as never), InfluxConfigError, /switchDatabase/],
    ['switchUser', () => client.switchUser('', 'x'), InfluxConfigError, /switchUser/],
    [
      'commit precision',
      () => client.commit({ body: 'm v=1\n', lineCount: 1, precision: 'x' as never }),
      InfluxConfigError,
      /precision/,
    ],
    [
      'sendPacket protocol',
      () => client.sendPacket('m v=1', { protocol: 'xml' as never }),
      InfluxConfigError,
      /protocol/,
    ],
  ];
  for (const [name, call, type, message] of cases) {
    it(name, async () => {
      const err = await (async () => call())().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(type);
      expect(String((err as Error).message)).toMatch(message);
    });
  }
});

describe('statement splitting and classification', () => {
  it('splits at ; outside strings, identifiers and comments', () => {
    expect(
      splitStatements(`SELECT "a;b" FROM m WHERE t = 'x;y' -- c;d\n; SHOW DATABASES; /* ; */ ;`),
    ).toEqual([`SELECT "a;b" FROM m WHERE t = 'x;y'`, 'SHOW DATABASES']);
    expect(splitStatements(`SELECT 1 FROM m WHERE s = 'it\\'s;'`)).toHaveLength(1);
  });
  it('POSTs the statements that change state', () => {
    for (const q of [
      'CREATE DATABASE x',
      'drop measurement m',
      'ALTER RETENTION POLICY r ON d DEFAULT',
      'GRANT ALL TO u',
      'REVOKE ALL FROM u',
      'KILL QUERY 1',
      'DELETE FROM m',
      "SET PASSWORD FOR u = 'p'",
      'SELECT * INTO b FROM a',
      "/* c */ create user u with password 'p'",
    ])
      expect(isMutatingStatement(q), q).toBe(true);
    for (const q of [
      'SELECT * FROM m',
      'SHOW DATABASES',
      `SELECT * FROM m WHERE s = 'INTO'`,
      'SELECT "into" FROM m',
    ])
      expect(isMutatingStatement(q), q).toBe(false);
  });
});

describe('retry policy', () => {
  it('parses Retry-After seconds and HTTP dates', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
  it('backs off exponentially with jitter, capped, and honours Retry-After up to the cap', () => {
    const policy = new RetryPolicy({ maxAttempts: 3, minDelay: 100, maxDelay: 1000, jitter: 0.5 });
    for (let i = 0; i < 50; i++) {
      const d1 = policy.delay(1);
      const d3 = policy.delay(3);
      const d9 = policy.delay(9);
      expect(d1).toBeGreaterThanOrEqual(50);
      expect(d1).toBeLessThanOrEqual(100);
      expect(d3).toBeGreaterThanOrEqual(200);
      expect(d3).toBeLessThanOrEqual(400);
      expect(d9).toBeLessThanOrEqual(1000);
    }
    expect(policy.delay(1, 300)).toBe(300);
    expect(policy.delay(1, 60_000)).toBe(1000);
  });
  it('gives up after maxAttempts or when the next attempt would start after giveUpAfter', () => {
    const policy = new RetryPolicy({
      maxAttempts: 5,
      minDelay: 100,
      maxDelay: 100,
      jitter: 0,
      giveUpAfter: 1000,
    });
    const t0 = 1_000_000;
    expect(policy.next(1, t0, undefined, t0)).toBe(100);
    expect(policy.next(4, t0, undefined, t0)).toBe(100);
    expect(policy.next(5, t0, undefined, t0)).toBeUndefined();
    expect(policy.next(2, t0, undefined, t0 + 950)).toBeUndefined();
    expect(policy.next(2, t0, 5000, t0)).toBe(100); // Retry-After is capped at maxDelay
    const forever = new RetryPolicy({
      maxAttempts: Number.POSITIVE_INFINITY,
      giveUpAfter: 500,
      minDelay: 10,
      maxDelay: 50,
      jitter: 0,
    });
    expect(forever.next(1000, t0, undefined, t0)).toBe(forever.maxDelay);
    expect(forever.next(1000, t0, undefined, t0 + 499)).toBeUndefined();
  });
  it('refuses bad settings with the field named, and the client and registry share one policy object', () => {
    expect(() => new RetryPolicy({ maxAttempts: 0 })).toThrow(/RetryPolicy.maxAttempts/);
    expect(() => new RetryPolicy({ jitter: 2 })).toThrow(/RetryPolicy.jitter/);
    expect(() => new RetryPolicy({ giveUpAfter: -1 })).toThrow(/giveUpAfter/);
    expect(() => new RetryPolicy({ nope: 1 } as never)).toThrow(/"nope" is unknown/);
    const retry = new RetryPolicy({ maxAttempts: 7, giveUpAfter: 9000 });
    const client = new InfluxDBClient({ retry });
    expect(client.retryPolicy.maxAttempts).toBe(7);
    expect(client.retryPolicy.giveUpAfter).toBe(9000);
    expect(new InfluxDBClient({ retry, retries: 0 }).retryPolicy.maxAttempts).toBe(Number.POSITIVE_INFINITY);
    expect(new InfluxDBClient().retryPolicy.settings()).toEqual(RetryPolicy.CLIENT_DEFAULTS);
  });
});
