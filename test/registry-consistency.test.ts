/**
 * Write consistency (InfluxDB Enterprise) on registry commits: the registry's `consistency` option
 * and `@Measurement({ consistency })` reach `/write?consistency=…`, also for points replayed from a
 * spool; bad values are refused with typed errors. A fake HTTP server captures the query strings
 * (a 1.x OSS server ignores the parameter, so it cannot show it).
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type CommitSink,
  defineMeasurement,
  Field,
  InfluxConfigError,
  InfluxDBClient,
  InfluxValidationError,
  Measurement,
  SeriesModel,
  SeriesRegistry,
  Tag,
} from '../src/index.js';
import { closeFakeServers, type FakeServer, fakeServer } from './helpers/fake-server.js';

const clients: InfluxDBClient[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await closeFakeServers();
});
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function server(): Promise<{ fake: FakeServer; client: InfluxDBClient }> {
  const fake = await fakeServer((_req, res) => {
    res.statusCode = 204;
    res.end();
  });
  const client = new InfluxDBClient({ host: '127.0.0.1', port: fake.port, database: 'db', retries: 1 });
  clients.push(client);
  return { fake, client };
}

/** The `consistency` parameter of each write the fake server saw. */
const consistencies = (fake: FakeServer) =>
  fake.requests
    .filter((r) => r.url.startsWith('/write'))
    .map((r) => new URL(r.url, 'http://x').searchParams.get('consistency'));

describe('consistency on registry commits', () => {
  it("the registry's option reaches /write; a class's @Measurement option wins; none sends none", async () => {
    const { fake, client } = await server();
    const registry = new SeriesRegistry({ sink: client, consistency: 'quorum', autocommit: false });
    @Measurement({ name: 'a', registry })
    class A extends SeriesModel<A> {
      @Tag() host!: string;
      @Field('float') v!: number;
    }
    @Measurement({ name: 'b', registry, consistency: 'all' })
    class B extends SeriesModel<B> {
      @Tag() host!: string;
      @Field('float') v!: number;
    }
    new A({ host: 'x', v: 1 });
    await registry.commit(A);
    new B({ host: 'x', v: 2 });
    await registry.commit(B);
    const plain = new SeriesRegistry({ sink: client, autocommit: false });
    @Measurement({ name: 'c', registry: plain })
    class C extends SeriesModel<C> {
      @Tag() host!: string;
      @Field('float') v!: number;
    }
    new C({ host: 'x', v: 3 });
    await plain.commit(C);
    expect(consistencies(fake)).toEqual(['quorum', 'all', null]);
    // configure() changes it for later batches
    registry.configure({ consistency: 'any' });
    new A({ host: 'x', v: 4 });
    await registry.flush();
    expect(consistencies(fake).at(-1)).toBe('any');
    await Promise.all([registry.close(), plain.close()]);
  });

  it('defineMeasurement takes it too', async () => {
    const { fake, client } = await server();
    const registry = new SeriesRegistry({ sink: client, autocommit: false });
    const D = defineMeasurement({
      name: 'd',
      registry,
      tags: ['host'],
      fields: { v: 'float' },
      consistency: 'one',
    });
    new D({ host: 'x', v: 1 });
    await registry.flush();
    expect(consistencies(fake)).toEqual(['one']);
    await registry.close();
  });

  it('points replayed from a spool keep their consistency', async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'consistency-spool-'));
    dirs.push(dir);
    const hanging: CommitSink = { commit: () => new Promise(() => {}) };
    const first = new SeriesRegistry({ sink: hanging, spool: { dir }, onError: () => {} });
    @Measurement({ name: 'e', registry: first, consistency: 'quorum' })
    class E extends SeriesModel<E> {
      @Tag() host!: string;
      @Field('float') v!: number;
    }
    @Measurement({ name: 'f', registry: first })
    class F extends SeriesModel<F> {
      @Tag() host!: string;
      @Field('float') v!: number;
    }
    new E({ host: 'x', v: 1 });
    new F({ host: 'x', v: 2 });
    expect(await first.close({ timeout: 20 })).toMatchObject({ abandoned: 2 });
    const { fake, client } = await server();
    // the class's own consistency was kept in the spool; the other batch takes the new registry's
    const second = new SeriesRegistry({ sink: client, spool: { dir }, consistency: 'any' });
    expect(await second.close()).toMatchObject({ written: 2 });
    expect(consistencies(fake).sort()).toEqual(['any', 'quorum']);
  });

  it('a bad value is refused with a typed error that names the option', () => {
    expect(() => new SeriesRegistry({ consistency: 'most' as never })).toThrow(InfluxConfigError);
    expect(() => new SeriesRegistry({ consistency: 'most' as never })).toThrow(
      /series registry option consistency: must be 'any', 'one', 'quorum' or 'all', got "most"/,
    );
    expect(() => new SeriesRegistry().configure({ consistency: 1 as never })).toThrow(InfluxConfigError);
    const registry = new SeriesRegistry({ autocommit: false });
    @Measurement({ name: 'g', registry, consistency: 'ALL' as never })
    class G extends SeriesModel<G> {
      @Tag() host!: string;
      @Field('float') v!: number;
    }
    let error: unknown;
    try {
      new G({ host: 'x', v: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InfluxValidationError);
    expect((error as Error).message).toMatch(/G.*@Measurement option consistency: must be .*got "ALL"/);
    expect(registry.pendingCount).toBe(0);
  });

  it('a batch handed to client.commit with a bad consistency is refused before sending', async () => {
    const { fake, client } = await server();
    await expect(
      client.commit({ body: 'm v=1 1\n', lineCount: 1, precision: 'n', consistency: 'two' as never }),
    ).rejects.toThrow(/commit\(consistency\): must be 'any', 'one', 'quorum' or 'all', got "two"/);
    expect(fake.requests).toEqual([]);
  });
});
