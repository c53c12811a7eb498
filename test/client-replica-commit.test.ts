/**
 * The per-server options of a replicating client's `commit` (what the registry uses): `hosts`
 * picks the servers' queues, `onHost` reports each server's copy, `queueOnly` resolves once queued;
 * `flush({ waitForDown: false })` does not wait for a server that is down. Fake servers stand for
 * faults a real influxd does not show on demand (a 400 from one server only).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Field,
  type HostOutcome,
  InfluxConfigError,
  InfluxDBClient,
  InfluxFlushError,
  Measurement,
  SeriesModel,
  SeriesRegistry,
} from '../src/index.js';
import { freeTcpPort } from '../src/testing/index.js';
import { closeFakeServers, type FakeServer, fakeServer } from './helpers/fake-server.js';

afterEach(closeFakeServers);

const ok = () =>
  fakeServer((_req, res) => {
    res.statusCode = 204;
    res.end();
  });
const refusing = () =>
  fakeServer((_req, res) => {
    res.statusCode = 400;
    res.setHeader('content-type', 'application/json');
    res.end('{"error":"unable to parse"}');
  });
const writes = (f: FakeServer) => f.requests.filter((r) => r.url.startsWith('/write')).length;
const batch = { body: 'm v=1 1\n', lineCount: 1, precision: 'n' as const };

function pair(ports: number[]): InfluxDBClient {
  return new InfluxDBClient({
    hosts: ports.map((port) => ({ host: '127.0.0.1', port })),
    replicate: 'all',
    database: 'db',
    retryBaseDelay: 10,
    retryMaxDelay: 50,
  });
}

describe("replicate: 'all' commit options", () => {
  it('onHost reports each copy: stored, refused for good, unsent when the client closes', async () => {
    const [a, b] = await Promise.all([ok(), refusing()]);
    const down = await freeTcpPort(); // nobody listens there
    const client = pair([a.port, b.port, down]);
    expect(client.replicaUrls()).toEqual([
      `http://127.0.0.1:${a.port}`,
      `http://127.0.0.1:${b.port}`,
      `http://127.0.0.1:${down}`,
    ]);
    const seen: Array<[string, HostOutcome]> = [];
    await client.commit(batch, { onHost: (url, outcome) => seen.push([url, outcome]) });
    const report = await client.flush({ timeout: 5000, waitForDown: false });
    expect(report.drained).toBe(false);
    expect(report.hosts.map((h) => [h.pending, h.failing])).toEqual([
      [0, false],
      [0, false],
      [1, true],
    ]);
    expect(new Map(seen)).toEqual(
      new Map([
        [`http://127.0.0.1:${a.port}`, 'stored'],
        [`http://127.0.0.1:${b.port}`, 'refused'],
      ]),
    );
    await client.close({ timeout: 0 });
    expect(seen).toContainEqual([`http://127.0.0.1:${down}`, 'unsent']);
  });

  it('hosts picks the servers; queueOnly resolves before any server answered', async () => {
    const [a, b] = await Promise.all([ok(), ok()]);
    const client = pair([a.port, b.port]);
    const urlB = `http://127.0.0.1:${b.port}`;
    const seen: string[] = [];
    await client.commit(batch, { hosts: [urlB], onHost: (url) => seen.push(url) });
    expect([writes(a), writes(b)]).toEqual([0, 1]);
    const down = await freeTcpPort();
    const lonely = pair([down]);
    // queued only: resolves although the only server is down (the copy stays queued)
    await lonely.commit(batch, { queueOnly: true });
    expect((await lonely.flush({ timeout: 5000, waitForDown: false })).hosts[0]?.pending).toBe(1);
    await Promise.all([client.close(), lonely.close({ timeout: 0 })]);
    expect(seen).toEqual([urlB]);
  });

  it('flush options are checked', async () => {
    const client = pair([1, 2]);
    await expect(client.flush({ waitForDown: 'no' as never })).rejects.toThrow(InfluxConfigError);
    await expect(client.flush({ waitForDown: 'no' as never })).rejects.toThrow(
      /flush\(waitForDown\): must be a boolean/,
    );
    await expect(client.flush({ wait: true } as never)).rejects.toThrow(/unknown/);
    await client.close({ timeout: 0 });
  });
});

describe("replicate: 'all' through a registry (fake servers)", () => {
  function model(registry: SeriesRegistry) {
    @Measurement({ name: 'm', registry })
    class M extends SeriesModel<M> {
      @Field({ type: 'integer' }) v!: number;
    }
    return (v: number) => new M({ v });
  }

  it('a batch every server refused for good fails once (onError), with each server in the error', async () => {
    const [a, b] = await Promise.all([refusing(), refusing()]);
    const client = pair([a.port, b.port]);
    const failures: number[] = [];
    const registry = new SeriesRegistry({
      sink: client,
      flushOnExit: false,
      onError: (_e, f) => failures.push(f.lines.length),
    });
    const make = model(registry);
    for (let i = 0; i < 3; i++) make(i);
    const error = await registry.flush({ timeout: 5000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfluxFlushError);
    expect((error as InfluxFlushError).failed).toBe(3);
    expect((error as InfluxFlushError).hosts?.map((h) => [h.written, h.failed, h.pending])).toEqual([
      [0, 3, 0],
      [0, 3, 0],
    ]);
    expect(failures).toEqual([3]);
    // one request per server: refused for good, not retried
    expect([writes(a), writes(b)]).toEqual([1, 1]);
    await registry.close();
    await client.close();
  });

  it('the registry retries (its policy) only a batch that no server queue took', async () => {
    const downs = await Promise.all([freeTcpPort(), freeTcpPort()]);
    const client = new InfluxDBClient({
      hosts: downs.map((port) => ({ host: '127.0.0.1', port })),
      replicate: 'all',
      database: 'db',
      maxReplicaBacklog: 1,
      retryBaseDelay: 10,
      retryMaxDelay: 50,
    });
    const retried: string[] = [];
    const registry = new SeriesRegistry({
      sink: client,
      flushOnExit: false,
      bulkSize: 1,
      retry: { minDelay: 10, maxDelay: 20 },
      onRetry: (e) => retried.push(e.message),
      onError: () => {}, // abandoned by close({ timeout: 0 }) below
    });
    const make = model(registry);
    // the first batch sits in both (empty) queues; the second finds both full
    make(0);
    make(1);
    const error = await registry.flush({ timeout: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfluxFlushError);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried[0]).toMatch(/no server's queue took the batch/);
    expect(registry.stats().hosts?.map((h) => [h.pendingBatches, h.dropped > 0])).toEqual([
      [1, true],
      [1, true],
    ]);
    await registry.close({ timeout: 0 });
    await client.close({ timeout: 0 });
  });
});
