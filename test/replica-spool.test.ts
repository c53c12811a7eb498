/**
 * `replicate: 'all'` with the registry's durable spool, against three throwaway influxd: each
 * server's backlog survives the application's death (SIGKILL) and, after a restart on the same
 * spool, each server receives exactly what it missed, in order; the servers that had it are sent
 * nothing again. Also `registry.flush()`'s per-server report with one server down.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Field,
  type FlushResult,
  InfluxDBClient,
  Measurement,
  SeriesModel,
  SeriesRegistry,
  Tag,
  Timestamp,
} from '../src/index.js';
import { type InfluxdHandle, startInfluxd } from '../src/testing/index.js';
import { buildChildApp, type ChildApp, spawnChildApp } from './helpers/child-app.js';
import { uniqueDatabase } from './helpers/server.js';

let appJs: string;

let servers: InfluxdHandle[] = [];
let direct: InfluxDBClient[] = [];
const temp: string[] = [];

beforeAll(async () => {
  const [started, js] = await Promise.all([
    Promise.all([startInfluxd(), startInfluxd(), startInfluxd()]),
    buildChildApp('replica-app'),
  ]);
  appJs = js;
  servers = started;
  direct = servers.map(
    (s) => new InfluxDBClient({ host: s.host, port: s.port, retries: 1, timeout: 60_000 }),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(direct.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of temp) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(join(tmpdir(), 'replica-spool-'));
  temp.push(d);
  return d;
}

/** Points per series `s` of measurement rp on one server: count and distinct seqs. */
async function perSeries(client: InfluxDBClient, db: string): Promise<Record<string, [number, number]>> {
  const rs = await client.query(
    'SELECT count("seq") AS c, count(distinct("seq")) AS d FROM rp GROUP BY "s"',
    {
      database: db,
    },
  );
  const out: Record<string, [number, number]> = {};
  for (const [[, tags], rows] of rs.items()) {
    const row = rows[0] as { c: number; d: number };
    out[String(tags?.s)] = [Number(row.c), Number(row.d)];
  }
  return out;
}

/** Points of the run below seq `below` on one server: count and distinct seqs. */
async function stored(
  client: InfluxDBClient,
  db: string,
  below: number,
): Promise<{ count: number; distinct: number }> {
  const rs = await client.query(
    `SELECT count("seq") AS c, count(distinct("seq")) AS d FROM rp WHERE "seq" < ${below}`,
    {
      database: db,
    },
  );
  const row = [...rs.getPoints()][0] as { c?: number; d?: number } | undefined;
  return { count: Number(row?.c ?? 0), distinct: Number(row?.d ?? 0) };
}

/** Points the server stored through HTTP since it started (httpd `pointsWrittenOK`). */
async function pointsReceived(client: InfluxDBClient): Promise<number> {
  const rs = await client.query(`SHOW STATS FOR 'httpd'`);
  const row = [...rs.getPoints()][0] as { pointsWrittenOK: number };
  return Number(row.pointsWrittenOK);
}

function app(env: Record<string, string>): ChildApp {
  return spawnChildApp(process.execPath, [appJs], env, 110_000);
}

const hostsEnv = () => servers.map((s) => `${s.host}:${s.port}`).join(',');

const perSeriesAll = (n: number) => ({
  s0: [n / 4, n / 4],
  s1: [n / 4, n / 4],
  s2: [n / 4, n / 4],
  s3: [n / 4, n / 4],
});

describe("replicate: 'all' with the registry's spool, three influxd", () => {
  it('a server down while the app is SIGKILLed gets exactly what it missed after the restart; the others get nothing again', async () => {
    const N = 20_000;
    const db = uniqueDatabase('replspool');
    await Promise.all(direct.map((c) => c.createDatabase(db)));
    const [a, b, c] = servers as [InfluxdHandle, InfluxdHandle, InfluxdHandle];
    const [da, db_, dc] = direct as [InfluxDBClient, InfluxDBClient, InfluxDBClient];
    const env = {
      REPLICA_HOSTS: hostsEnv(),
      REPLICA_DB: db,
      REPLICA_SPOOL: tempDir(),
      REPLICA_POINTS: String(N),
    };
    let receivedA: number;
    let receivedC: number;
    await b.kill('SIGKILL');
    try {
      const first = app({ ...env, REPLICA_MODE: 'produce' });
      const report = JSON.parse(await first.line('flushed ')) as FlushResult;
      first.proc.kill('SIGKILL');
      await first.exited;
      // per server since the registry started: B has every point still pending
      expect(report.hosts?.map((h) => [h.url, h.written, h.pending, h.failed])).toEqual([
        [a.url, N, 0, 0],
        [b.url, 0, N, 0],
        [c.url, N, 0, 0],
      ]);
      expect(report.hosts?.[1]?.failing).toBe(true);
      expect(report.hosts?.[1]?.lastError).toBeTypeOf('string');
      expect(await perSeries(da, db)).toEqual(perSeriesAll(N));
      expect(await perSeries(dc, db)).toEqual(perSeriesAll(N));
      receivedA = await pointsReceived(da);
      receivedC = await pointsReceived(dc);
    } finally {
      await b.restart();
    }
    expect(await perSeries(db_, db)).toEqual({});

    const second = app({ ...env, REPLICA_MODE: 'resume' });
    const report = JSON.parse(await second.line('flushed ')) as FlushResult;
    expect(await second.exited).toBe(0);
    expect(second.stdout).toContain('done');
    // the restarted app sent B every point it missed, and A and C nothing
    expect(report.hosts?.map((h) => [h.url, h.written, h.pending, h.failed])).toEqual([
      [a.url, 0, 0, 0],
      [b.url, N, 0, 0],
      [c.url, 0, 0, 0],
    ]);
    for (const client of direct) expect(await perSeries(client, db)).toEqual(perSeriesAll(N));
    expect(await pointsReceived(da)).toBe(receivedA);
    expect(await pointsReceived(dc)).toBe(receivedC);
    // the spool is empty: every server has every point
    expect(fs.readdirSync(env.REPLICA_SPOOL).filter((f) => f.endsWith('.log'))).toEqual([]);
  }, 120_000);

  it('killed mid-autocommit with a server down: after the restart every server has every accepted point, none twice', async () => {
    const db = uniqueDatabase('replkill');
    await Promise.all(direct.map((c) => c.createDatabase(db)));
    const b = servers[1] as InfluxdHandle;
    const env = {
      REPLICA_HOSTS: hostsEnv(),
      REPLICA_DB: db,
      REPLICA_SPOOL: tempDir(),
      REPLICA_POINTS: '1000000',
    };
    let accepted = 0;
    await b.kill('SIGKILL');
    try {
      const first = app({ ...env, REPLICA_MODE: 'stream' });
      await first.line('committed 60000');
      first.proc.kill('SIGKILL');
      await first.exited;
      accepted = first.committed();
    } finally {
      await b.restart();
    }
    const second = app({ ...env, REPLICA_MODE: 'resume' });
    expect(await second.exited).toBe(0);
    for (const client of direct) {
      expect(await stored(client, db, accepted)).toEqual({ count: accepted, distinct: accepted });
    }
  }, 120_000);
});

describe('registry.flush() per server', () => {
  it('reports written, pending and failed points of each server, one down and one without the database', async () => {
    const db = uniqueDatabase('replflush');
    const [a, b, c] = servers as [InfluxdHandle, InfluxdHandle, InfluxdHandle];
    // the database exists on A and B only: C refuses every copy for good (404)
    await Promise.all([direct[0]?.createDatabase(db), direct[1]?.createDatabase(db)]);
    const client = new InfluxDBClient({
      hosts: servers.map((s) => ({ host: s.host, port: s.port })),
      replicate: 'all',
      database: db,
      retryBaseDelay: 20,
      retryMaxDelay: 200,
    });
    const registry = new SeriesRegistry({ sink: client, bulkSize: 500, flushOnExit: false });
    @Measurement({ name: 'rp', registry })
    class Rp extends SeriesModel<Rp> {
      @Tag() s!: string;
      @Field({ type: 'integer' }) seq!: number;
      @Timestamp() time!: Date;
    }
    const N = 3000;
    await b.kill('SIGKILL');
    let report: FlushResult;
    try {
      for (let i = 0; i < N; i++) new Rp({ s: `s${i % 4}`, seq: i, time: new Date(1_700_000_000_000 + i) });
      report = await registry.flush({ timeout: 20_000 });
    } finally {
      await b.restart();
    }
    expect(report.hosts?.map((h) => [h.url, h.written, h.pending, h.failed, h.failing])).toEqual([
      [a.url, N, 0, 0, false],
      [b.url, 0, N, 0, true],
      [c.url, 0, 0, N, false],
    ]);
    expect(report.hosts?.[2]?.lastError).toMatch(/database not found/);
    // B is back: the next flush waits for it and reports its copies stored
    const after = await registry.flush({ timeout: 60_000 });
    expect(after.hosts?.map((h) => [h.url, h.written, h.pending, h.failed])).toEqual([
      [a.url, N, 0, 0],
      [b.url, N, 0, 0],
      [c.url, 0, 0, N],
    ]);
    expect(await perSeries(direct[1] as InfluxDBClient, db)).toEqual(perSeriesAll(N));
    await registry.close();
    await client.close();
    // without replication there is no per-server part
    const single = new InfluxDBClient({ host: a.host, port: a.port, database: db });
    const plain = new SeriesRegistry({ sink: single, flushOnExit: false });
    expect(await plain.flush()).toEqual({ written: 0, failed: 0, abandoned: 0 });
    await plain.close();
    await single.close();
  }, 120_000);
});
