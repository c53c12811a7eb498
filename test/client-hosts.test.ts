import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommitBatch,
  Field,
  InfluxClosedError,
  InfluxConfigError,
  InfluxDBClient,
  Measurement,
  type Point,
  SeriesModel,
  SeriesRegistry,
  Tag,
} from '../src/index.js';
import { type InfluxdHandle, startInfluxd } from '../src/testing/index.js';
import { closeFakeServers, fakeServer } from './helpers/fake-server.js';
import { uniqueDatabase } from './helpers/server.js';

// Three throwaway servers on loopback; each test uses its own database.
let servers: InfluxdHandle[] = [];
let direct: InfluxDBClient[] = [];

beforeAll(async () => {
  servers = await Promise.all([startInfluxd(), startInfluxd(), startInfluxd()]);
  direct = servers.map((s) => new InfluxDBClient({ host: s.host, port: s.port, retries: 1 }));
});

afterAll(async () => {
  await Promise.all(direct.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.stop()));
});

afterEach(closeFakeServers);

async function count(client: InfluxDBClient, db: string, what = 'count(v)'): Promise<number> {
  const rs = await client.query(`SELECT ${what} FROM m`, { database: db });
  const row = [...rs.getPoints()][0] as Record<string, number> | undefined;
  return row === undefined ? 0 : (Object.values(row).find((x) => typeof x === 'number') ?? 0);
}

function pool(extra: ConstructorParameters<typeof InfluxDBClient>[0] = {}): InfluxDBClient {
  return new InfluxDBClient({
    hosts: servers.map((s) => ({ host: s.host, port: s.port })),
    retries: 2,
    retryBaseDelay: 20,
    retryMaxDelay: 200,
    ...extra,
  });
}

describe('hosts option', () => {
  it('is checked: not with host/port, non-empty, known keys, no duplicates', () => {
    expect(() => new InfluxDBClient({ hosts: [], retries: 1 })).toThrow(/non-empty array/);
    expect(() => new InfluxDBClient({ hosts: [{ host: 'a' }], host: 'b' })).toThrow(/not both/);
    expect(() => new InfluxDBClient({ hosts: [{ host: 'a', prot: 1 } as never] })).toThrow(
      /hosts\[0\]\): unknown key "prot"/,
    );
    expect(() => new InfluxDBClient({ hosts: [{ host: 'a' }, { host: 'A', port: 8086 }] })).toThrow(
      /listed twice/,
    );
    expect(() => new InfluxDBClient({ hosts: [{ host: 'a', port: 0 }] })).toThrow(InfluxConfigError);
    expect(() => new InfluxDBClient({ hosts: [{ host: 'a/b' }] })).toThrow(
      /InfluxDBClient\(hosts\[0\]\.host\): must be a host name/,
    );
  });

  it('lists every server in hosts(), toString() and from a DSN list', async () => {
    const c = InfluxDBClient.fromDsn('influxdb://a:1,b:2/db');
    expect(c.hosts().map((h) => [h.url, h.state, h.failures])).toEqual([
      ['http://a:1', 'healthy', 0],
      ['http://b:2', 'healthy', 0],
    ]);
    expect(String(c)).toBe('InfluxDBClient(http://a:1,http://b:2, database=db)');
    await c.close();
  });
});

describe('failover between three influxd', () => {
  it('reads and writes go to a healthy server while the first is down, and back after it recovers', async () => {
    const db = uniqueDatabase('failover');
    await Promise.all(direct.map((c) => c.createDatabase(db)));
    // the same data on every server (an HA pair fed by a relay would have it)
    await Promise.all(direct.map((c) => c.write('m v=1 1\nm v=2 2\n', { database: db })));
    const client = pool({ database: db });
    try {
      expect(await count(client, db)).toBe(2);

      await servers[0]?.kill('SIGKILL');
      // a read fails over
      expect(await count(client, db)).toBe(2);
      const states = client.hosts();
      expect(states[0]?.state).toBe('unhealthy');
      expect(states[0]?.failures).toBeGreaterThanOrEqual(1);
      expect(states[0]?.lastError).toMatch(/ECONNREFUSED|connect|socket/i);
      expect(states[1]?.state).toBe('healthy');

      // writes fail over: 1000 points WITHOUT timestamps (the server stamps them), so a batch sent
      // twice to one server would show up as extra points; each series is distinct
      const points: Point[] = [];
      for (let i = 0; i < 1000; i++)
        points.push({ measurement: 'm', tags: { id: String(i) }, fields: { w: i } });
      await client.writePoints(points, { batchSize: 100 });
      const onB = await count(direct[1] as InfluxDBClient, db, 'count(w)');
      const onC = await count(direct[2] as InfluxDBClient, db, 'count(w)');
      expect(onB + onC).toBe(1000);
      expect(onB).toBe(1000); // the first healthy server in order takes them all

      // the server comes back: a check (or the background probe) makes it healthy again
      await servers[0]?.restart();
      const after = await client.checkHosts();
      expect(after.map((h) => h.state)).toEqual(['healthy', 'healthy', 'healthy']);
      expect(after[0]?.version).toMatch(/^1\./);
      await client.write('m v=3 3\n');
      expect(await count(direct[0] as InfluxDBClient, db)).toBe(3);
    } finally {
      await client.close();
    }
  });

  it('a failed-over write is the same batch: what a failing server was sent is what the next one stores', async () => {
    const db = uniqueDatabase('samebatch');
    await direct[1]?.createDatabase(db);
    const bodies: string[] = [];
    const failing = await fakeServer((req, res) => {
      if (req.url?.startsWith('/write')) {
        const parts: Buffer[] = [];
        req.on('data', (p: Buffer) => parts.push(p));
        req.on('end', () => {
          bodies.push(Buffer.concat(parts).toString());
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end('{"error":"overloaded"}');
        });
        return;
      }
      res.writeHead(503).end();
    });
    const b = servers[1] as InfluxdHandle;
    const client = new InfluxDBClient({
      hosts: [
        { host: '127.0.0.1', port: failing.port },
        { host: b.host, port: b.port },
      ],
      database: db,
      retries: 1,
    });
    try {
      const lines = 'm,k=a v=1 10\nm,k=b v=2 20\nm,k=c v=3 30\n';
      await client.write(lines);
      expect(bodies).toEqual([lines]);
      const rs = await (direct[1] as InfluxDBClient).query('SELECT * FROM m', { database: db, epoch: 'n' });
      expect([...rs.getPoints()].map((p) => [p.time, p.k, p.v])).toEqual([
        [10n, 'a', 1],
        [20n, 'b', 2],
        [30n, 'c', 3],
      ]);
      // the write's error, or the background probe's (GET /ping also gets a 503)
      expect(client.hosts()[0]?.lastError).toMatch(/overloaded|503/);
      // the unhealthy server is not asked again while another one is healthy
      await client.write('m,k=d v=4 40\n');
      expect(bodies).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('a server that answers slowly is routed around by the idle timeout', async () => {
    const db = uniqueDatabase('slow');
    const c = servers[2] as InfluxdHandle;
    await direct[2]?.createDatabase(db);
    await direct[2]?.write('m v=7 1\n', { database: db });
    // accepts the connection, then says nothing for a minute
    const slow = await fakeServer((_req, res) => {
      const t = setTimeout(() => res.writeHead(204).end(), 60_000);
      res.on('close', () => clearTimeout(t));
    });
    const client = new InfluxDBClient({
      hosts: [
        { host: '127.0.0.1', port: slow.port },
        { host: c.host, port: c.port },
      ],
      database: db,
      timeout: 300,
      retries: 1,
    });
    try {
      expect(await count(client, db)).toBe(1);
      const [first] = client.hosts();
      expect(first?.state).toBe('unhealthy');
      expect(first?.lastError).toMatch(/no answer within 300 ms/);
      const asked = slow.requests.filter((r) => r.url.startsWith('/query')).length;
      expect(asked).toBe(1);
      await client.write('m v=8 2\n');
      expect(await count(client, db)).toBe(2);
      // neither the write nor the second read went to the slow server
      expect(slow.requests.filter((r) => !r.url.startsWith('/ping'))).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('when every server is down, the call fails with the last error after its retries', async () => {
    const client = new InfluxDBClient({
      hosts: [
        { host: '127.0.0.1', port: 1 },
        { host: '127.0.0.1', port: 2 },
      ],
      retries: 2,
      retryBaseDelay: 10,
    });
    try {
      await expect(client.ping()).rejects.toThrow(/ECONNREFUSED.*after 2 attempts/);
      expect(client.hosts().map((h) => h.state)).toEqual(['unhealthy', 'unhealthy']);
    } finally {
      await client.close();
    }
  });
});

describe("replicate: 'all' across three influxd", () => {
  // 200k points by default; MODELS_REPLICA_POINTS raises it.
  const N = Number(process.env.MODELS_REPLICA_POINTS ?? 200_000);

  it(`every server ends with all ${N} points of an autocommit while one is killed and restarted`, async () => {
    const db = uniqueDatabase('replica');
    await Promise.all(direct.map((c) => c.createDatabase(db)));
    const client = pool({ database: db, replicate: 'all', retryMaxDelay: 500 });
    const victim = servers[2] as InfluxdHandle;
    let stored = 0;
    let step = 0;
    let chaos: Promise<void> = Promise.resolve();
    const failures: Error[] = [];
    const sink = {
      async commit(batch: CommitBatch) {
        await client.commit(batch);
        stored += batch.lineCount;
        if (step === 0 && stored >= N / 3) {
          step = 1;
          chaos = chaos.then(() => victim.kill('SIGKILL'));
        } else if (step === 1 && stored >= (2 * N) / 3) {
          step = 2;
          chaos = chaos.then(() => victim.restart());
        }
      },
    };
    const registry = new SeriesRegistry({
      sink,
      bulkSize: 5000,
      maxPending: 40_000,
      concurrency: 2,
      retry: { minDelay: 50, maxDelay: 500 },
      onError: (e) => failures.push(e),
    });
    @Measurement({ name: 'cpu_load', registry })
    class CpuLoad extends SeriesModel<CpuLoad> {
      @Tag() host!: string;
      @Field() usage!: number;
      @Field({ type: 'integer' }) seq!: number;
    }
    try {
      let sawBacklog = false;
      for (let i = 0; i < N; i++) {
        if (!registry.hasCapacity()) {
          await registry.waitForCapacity();
          if (step === 1 && (client.hosts()[2]?.backlog?.pending ?? 0) > 0) sawBacklog = true;
        }
        new CpuLoad({ host: `host-${i % 8}`, usage: i * 0.25, seq: i });
      }
      await registry.close();
      await chaos;
      expect(step).toBe(2);
      expect(failures).toEqual([]);
      // the other servers were never held up by the dead one: its copies waited in its queue
      expect(sawBacklog).toBe(true);
      const report = await client.flush({ timeout: 120_000 });
      expect(report.drained).toBe(true);
      const batches = report.hosts[0]?.written;
      for (const h of report.hosts) {
        expect(h).toMatchObject({ pending: 0, pendingBytes: 0, written: batches, failed: 0, dropped: 0 });
      }
      for (const c of direct) {
        const rs = await c.query('SELECT count(usage), count(seq), sum(seq) FROM cpu_load', { database: db });
        const row = [...rs.getPoints()][0] as Record<string, number>;
        expect(row.count).toBe(N);
        expect(row.count_1).toBe(N);
        expect(row.sum).toBe((N * (N - 1)) / 2);
      }
    } finally {
      await client.close();
    }
  }, 300_000);

  it('a write resolves when one server stored it; the dead server keeps its copies, in order, and close reports them', async () => {
    const db = uniqueDatabase('replica_small');
    await direct[0]?.createDatabase(db);
    const a = servers[0] as InfluxdHandle;
    const client = new InfluxDBClient({
      hosts: [
        { host: a.host, port: a.port },
        { host: '127.0.0.1', port: 1 },
      ],
      database: db,
      replicate: 'all',
      retryBaseDelay: 10,
      retryMaxDelay: 50,
    });
    await client.write('m v=1 1\n');
    await client.writePoints([{ measurement: 'm', fields: { v: 2 }, time: 2n }]);
    expect(await count(client, db)).toBe(2);
    const report = await client.flush({ timeout: 200 });
    expect(report.drained).toBe(false);
    expect(report.hosts[0]).toMatchObject({ pending: 0, written: 2 });
    expect(report.hosts[1]).toMatchObject({ pending: 2, written: 0 });
    expect(report.hosts[1]?.lastError).toMatch(/ECONNREFUSED/);
    expect(client.hosts()[1]?.backlog?.pending).toBe(2);
    const closed = await client.close({ timeout: 100 });
    expect(closed.unsent?.map((h) => [h.url, h.pending])).toEqual([['http://127.0.0.1:1', 2]]);
  });

  it('a write no server stored yet rejects when the client is closed; nothing is left pending', async () => {
    const client = new InfluxDBClient({
      hosts: [
        { host: '127.0.0.1', port: 1 },
        { host: '127.0.0.1', port: 2 },
      ],
      database: 'nowhere',
      replicate: 'all',
      retryBaseDelay: 10,
      retryMaxDelay: 20,
    });
    const write = client.write('m v=1 1\n');
    const closed = client.close({ timeout: 50 });
    await expect(write).rejects.toThrow(InfluxClosedError);
    const report = await closed;
    expect(report.unsent?.map((h) => h.pending)).toEqual([1, 1]);
  });

  it('is checked', () => {
    expect(() => new InfluxDBClient({ replicate: 'some' as never })).toThrow(/replicate\): must be 'all'/);
    expect(() => new InfluxDBClient({ hosts: [{ host: 'a' }, { host: 'b' }], useUdp: true })).toThrow(
      /UDP writes go to one server/,
    );
    expect(() => new InfluxDBClient({ maxReplicaBacklog: 0 })).toThrow(/maxReplicaBacklog/);
  });
});
