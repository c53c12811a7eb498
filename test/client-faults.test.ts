import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { InfluxDBClient, type InfluxDBClientConfig } from '../src/client/influxdb-client.js';
import {
  InfluxAbortError,
  InfluxConnectionError,
  InfluxDBClientError,
  InfluxDBServerError,
  InfluxTimeoutError,
} from '../src/errors.js';
import { closeFakeServers, fakeServer } from './helpers/fake-server.js';

const clients: InfluxDBClient[] = [];
const fake = fakeServer;

function client(f: { port: number }, extra: InfluxDBClientConfig = {}): InfluxDBClient {
  const c = new InfluxDBClient({
    host: '127.0.0.1',
    port: f.port,
    retryBaseDelay: 1,
    retryMaxDelay: 5000,
    ...extra,
  });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await closeFakeServers();
});

const pong = (res: ServerResponse) => {
  res.writeHead(204, { 'X-Influxdb-Version': '1.2.3' });
  res.end();
};

describe('retries', () => {
  it('503 with Retry-After in seconds is retried after the delay the server asked for', async () => {
    const f = await fake((_req, res, n) => {
      if (n === 0) {
        res.writeHead(503, { 'Retry-After': '1', 'Content-Type': 'text/plain' });
        res.end('overloaded');
      } else pong(res);
    });
    expect(await client(f).ping()).toBe('1.2.3');
    expect(f.requests).toHaveLength(2);
    // a lower bound only: the client waited at least what the server asked (minus timer slack)
    expect(f.requests[1]!.at - f.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('503 with Retry-After as an HTTP date is honoured too', async () => {
    const f = await fake((_req, res, n) => {
      if (n === 0) {
        res.writeHead(503, { 'Retry-After': new Date(Date.now() + 2000).toUTCString() });
        res.end();
      } else pong(res);
    });
    expect(await client(f).ping()).toBe('1.2.3');
    expect(f.requests).toHaveLength(2);
    expect(f.requests[1]!.at - f.requests[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('5xx until the attempts are used up raises InfluxDBServerError; 429 retried; other 4xx never', async () => {
    const f5 = await fake((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end('{"error":"boom"}');
    });
    const err = await client(f5, { retries: 3 })
      .ping()
      .catch((e) => e);
    expect(err).toBeInstanceOf(InfluxDBServerError);
    expect(err.status).toBe(500);
    expect(err.content).toBe('boom');
    expect(err.message).toMatch(/after 3 attempts/);
    expect(f5.requests).toHaveLength(3);

    const f429 = await fake((_req, res, n) => {
      if (n < 2) {
        res.writeHead(429, { 'Retry-After': '0' });
        res.end();
      } else pong(res);
    });
    expect(await client(f429).ping()).toBe('1.2.3');
    expect(f429.requests).toHaveLength(3);
    const always429 = await fake((_req, res) => {
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '0' });
      res.end('{"error":"slow down"}');
    });
    const e429 = await client(always429, { retries: 2 })
      .ping()
      .catch((e) => e);
    // transient (a sink retries it later), unlike other 4xx
    expect(e429).toBeInstanceOf(InfluxDBServerError);
    expect(e429.status).toBe(429);
    expect(always429.requests).toHaveLength(2);

    const f400 = await fake((_req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end('{"error":"bad"}');
    });
    const e400 = await client(f400)
      .query('SELECT 1')
      .catch((e) => e);
    expect(e400).toBeInstanceOf(InfluxDBClientError);
    expect(e400.status).toBe(400);
    expect(f400.requests).toHaveLength(1);
  });

  it('CL06: retries = max attempts; 0 = until it works (connection dropped 7 times)', async () => {
    const dropFirst = (k: number) =>
      fake((req, res, n) => {
        if (n < k) req.socket.destroy();
        else pong(res);
      });
    const cases: [retries: number, failures: number, ok: boolean, attempts: number][] = [
      [3, 2, true, 3],
      [3, 3, false, 3],
      [1, 1, false, 1],
      [0, 7, true, 8],
      [5, 4, true, 5],
    ];
    for (const [retries, failures, ok, attempts] of cases) {
      const f = await dropFirst(failures);
      const result = await client(f, { retries })
        .ping()
        .then(
          (v) => v,
          (e) => e,
        );
      if (ok) expect(result).toBe('1.2.3');
      else expect(result).toBeInstanceOf(InfluxConnectionError);
      expect(f.requests).toHaveLength(attempts);
    }
  });

  it('connection refused raises InfluxConnectionError after the retries', async () => {
    const f = await fake((_req, res) => pong(res));
    const port = f.port;
    await f.close();
    const err = await client({ port }, { retries: 2 })
      .ping()
      .catch((e) => e);
    expect(err).toBeInstanceOf(InfluxConnectionError);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(err.message).toMatch(/after 2 attempts/);
  });

  it('an AbortSignal stops the retries', async () => {
    const f = await fake((_req, res) => {
      res.writeHead(503, { 'Retry-After': '30' });
      res.end();
    });
    const controller = new AbortController();
    const p = client(f, { retryMaxDelay: 60_000 }).ping({ signal: controller.signal });
    while (f.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(InfluxAbortError);
    expect(f.requests).toHaveLength(1);
  });
});

describe('writes', () => {
  it('a write that got a 503 is retried with the whole, identical body', async () => {
    const bodies: string[] = [];
    const f = await fake((req, res, n) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(n === 0 ? 503 : 204);
        res.end();
      });
    });
    await client(f, { database: 'db' }).writePoints(['m v=1 1', 'm v=2 2']);
    expect(bodies).toEqual(['m v=1 1\nm v=2 2\n', 'm v=1 1\nm v=2 2\n']);
    expect(f.requests.map((r) => r.url)).toEqual(['/write?db=db&precision=n', '/write?db=db&precision=n']);
  });
});

describe('broken responses', () => {
  it('a stalled socket raises InfluxTimeoutError after the attempts', async () => {
    const f = await fake(() => {
      /* never answers */
    });
    const err = await client(f, { timeout: 150, retries: 2 })
      .query('SELECT 1')
      .catch((e) => e);
    expect(err).toBeInstanceOf(InfluxTimeoutError);
    expect(err.message).toMatch(/150 ms/);
    expect(f.requests).toHaveLength(2);
  });

  it('a truncated chunked body: the stream yields the whole chunks then throws InfluxConnectionError', async () => {
    const chunk = (i: number) =>
      `${JSON.stringify({ results: [{ statement_id: 0, series: [{ name: 'm', columns: ['time', 'v'], values: [[`t${i}`, i]] }] }] })}\n`;
    const f = await fake((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(chunk(1));
      res.write(chunk(2).slice(0, 30));
      setTimeout(() => req.socket.destroy(), 20);
    });
    const c = client(f, { responseFormat: 'json', retries: 1 });
    const got: unknown[] = [];
    const err = await (async () => {
      for await (const rs of c.queryStream('SELECT * FROM m')) got.push(...rs.getPoints());
    })().catch((e) => e);
    expect(got).toEqual([{ time: 't1', v: 1 }]);
    expect(err).toBeInstanceOf(InfluxConnectionError);
    // a buffered query over the same broken body is retried, then fails typed
    const e2 = await client(f, { responseFormat: 'json', retries: 2 })
      .query('SELECT * FROM m')
      .catch((e) => e);
    expect(e2).toBeInstanceOf(InfluxConnectionError);
  });

  it('an HTML error page from a proxy gives a short message, not megabytes of HTML', async () => {
    const html = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{}</style></head><body><h1>Bad Gateway</h1>${'<p>filler</p>'.repeat(200_000)}</body></html>`;
    const f = await fake((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end(html);
    });
    const err = await client(f, { retries: 1 })
      .query('SELECT 1')
      .catch((e) => e);
    expect(err).toBeInstanceOf(InfluxDBServerError);
    expect(err.status).toBe(502);
    expect(err.message).toMatch(/502 Bad Gateway/);
    expect(err.message.length).toBeLessThan(600);
  });
});

describe('requests', () => {
  it('path prefix and custom headers go with every request', async () => {
    const f = await fake((_req, res) => pong(res));
    const c = client(f, { path: '/influx/', headers: { 'X-Team': 'ops' } });
    await c.ping();
    await c.request('/debug/vars', { expectedResponseCode: 204 });
    expect(f.requests.map((r) => r.url)).toEqual(['/influx/ping', '/influx/debug/vars']);
    expect(f.requests.map((r) => r.headers['x-team'])).toEqual(['ops', 'ops']);
    expect(c.url).toBe(`http://127.0.0.1:${f.port}/influx`);
  });

  it('breaking out of a stream closes the HTTP request (the server sees the connection go)', async () => {
    let closed = false;
    let sent = 0;
    const f = await fake((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const timer = setInterval(() => {
        // an endless chunked response, as a huge result would be
        for (let k = 0; k < 10; k++) {
          res.write(
            `${JSON.stringify({ results: [{ statement_id: 0, series: [{ name: 'm', columns: ['v'], values: [[sent++]] }] }] })}\n`,
          );
        }
      }, 5);
      req.socket.on('close', () => {
        closed = true;
        clearInterval(timer);
      });
    });
    const c = client(f, { responseFormat: 'json' });
    let seen = 0;
    for await (const rs of c.queryStream('SELECT * FROM m')) {
      seen += rs.length;
      if (seen === 50) break;
    }
    for (let i = 0; i < 200 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBe(true);
    expect(seen).toBe(50);
  });
});

describe('authentication and secrets', () => {
  it('CL08: Basic header from username/password, Token header, none, or a custom Authorization', async () => {
    const f = await fake((_req, res) => pong(res));
    await client(f, { username: 'my-username', password: 'my-password' }).ping();
    await client(f, { token: 'tok-123' }).ping();
    await client(f).ping();
    await client(f, { headers: { Authorization: 'my-token' } }).ping();
    expect(f.requests.map((r) => r.headers.authorization)).toEqual([
      'Basic bXktdXNlcm5hbWU6bXktcGFzc3dvcmQ=',
      'Token tok-123',
      undefined,
      'my-token',
    ]);
    for (const r of f.requests) expect(r.url).toBe('/ping');
  });

  it('switchUser changes the credentials of later requests', async () => {
    const f = await fake((_req, res) => pong(res));
    const c = client(f, { username: 'a', password: 'b' });
    await c.ping();
    c.switchUser('root', 'root');
    await c.ping();
    expect(f.requests.map((r) => r.headers.authorization)).toEqual(['Basic YTpi', 'Basic cm9vdDpyb290']);
  });

  it('never shows the password or token in URLs, errors, toString, inspect or JSON', async () => {
    const secret = 'S3cr3t-pa55';
    const f = await fake((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end('{"error":"authorization failed"}');
    });
    const c = client(f, { username: 'bob', password: secret, database: 'db' });
    const err = await c.query('SELECT 1').catch((e) => e);
    expect(err).toBeInstanceOf(InfluxDBClientError);
    expect(err.status).toBe(401);
    const t = client(f, { token: secret });
    const err2 = await t.ping().catch((e) => e);
    for (const text of [
      String(err),
      err.stack,
      String(err2),
      inspect(err, { depth: 5 }),
      String(c),
      inspect(c, { depth: 5, showHidden: true }),
      JSON.stringify(c),
      inspect(t, { depth: 5 }),
      ...f.requests.map((r) => r.url),
    ]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(Buffer.from(`bob:${secret}`).toString('base64'));
    }
    expect(String(c)).toContain('user=bob');
  });
});
