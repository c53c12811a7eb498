/**
 * `npm run demo`: the main job of influx-models in one run.
 *
 * 1. Uses INFLUXDB_URL, or starts a throwaway local InfluxDB (and says so).
 * 2. Declares two models, `CpuUsage` and `HttpRequest`.
 * 3. Simulates 30 minutes of 8 web hosts — CPU samples and request latencies, a few hundred
 *    thousand points — and autocommits them through the series registry in batches of 5000, with
 *    back-pressure and a progress bar on stderr.
 * 4. Queries aggregates with the typed builder (mean CPU per host in 1-minute windows, p95 latency
 *    per endpoint and host), prints tables and sparklines, and checks them against the numbers
 *    computed locally from the generated data.
 * 5. Drops its database and stops the server it started.
 *
 * DEMO_POINTS=50000 npm run demo   # a smaller run (default 300000 points)
 * INFLUXDB_URL=http://host:8086 npm run demo   # your server: a database influx_models_demo_<pid>,
 *                                              # dropped at the end unless DEMO_KEEP=1
 */
import {
  configureSeries,
  count,
  createRepository,
  defaultRegistry,
  Field,
  InfluxDBClient,
  Measurement,
  mean,
  percentile,
  SeriesModel,
  Tag,
  Timestamp,
  time,
} from 'influx-models';
import { exampleServer, run } from './example-server.js';
import { ProgressBar } from './progress-bar.js';
import { bar, sparkline, table } from './terminal-chart.js';

/** One CPU sample of a host; written as `cpu,host=web-01,region=eu usage=42.5 1732550400123`. */
@Measurement({ name: 'cpu', precision: 'ms' })
class CpuUsage extends SeriesModel<CpuUsage> {
  @Tag() host!: string;
  @Tag() region!: string;
  /** Percent busy, 0..100. */
  @Field({ type: 'float' }) usage!: number;
  @Timestamp() time!: Date;
}

/**
 * One served request; written as
 * `http_request,endpoint=/api/cart,host=web-01,status=200 bytes=5120i,latency_ms=23.4 1732550400123456789`.
 */
@Measurement('http_request')
class HttpRequest extends SeriesModel<HttpRequest> {
  @Tag() host!: string;
  @Tag() endpoint!: string;
  @Tag() status!: string;
  @Field({ name: 'latency_ms', type: 'float' }) latencyMs!: number;
  @Field({ type: 'integer' }) bytes!: number;
  /** Nanoseconds since the epoch, exact (a bigint never passes through a float). */
  @Timestamp({ type: 'bigint' }) time!: bigint;
}

const HOSTS = ['web-01', 'web-02', 'web-03', 'web-04', 'web-05', 'web-06', 'web-07', 'web-08'];
const ENDPOINTS = [
  { path: '/api/search', weight: 0.45, baseMs: 38 },
  { path: '/api/cart', weight: 0.3, baseMs: 22 },
  { path: '/api/checkout', weight: 0.1, baseMs: 110 },
  { path: '/health', weight: 0.15, baseMs: 1.5 },
];
const MINUTES = 30;
/** The simulated incident: web-05 saturates between these minutes, and its requests slow down. */
const INCIDENT = { host: 'web-05', from: 17, to: 23 };

/** Deterministic pseudo-random numbers (mulberry32), so every run tells the same story. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** InfluxDB's PERCENTILE: nearest rank over the sorted values. */
function nearestRank(sorted: readonly number[], p: number): number | null {
  const i = Math.floor((sorted.length * p) / 100 + 0.5) - 1;
  return i < 0 || i >= sorted.length ? null : (sorted[i] as number);
}

const fmt = (v: number | null | undefined, digits = 1) => (v == null ? '—' : v.toFixed(digits));

async function main(): Promise<void> {
  const totalPoints = Number(process.env.DEMO_POINTS ?? 300_000);
  if (!Number.isInteger(totalPoints) || totalPoints < 1000 || totalPoints > 5_000_000) {
    throw new Error(`DEMO_POINTS must be an integer in 1000..5000000, got ${process.env.DEMO_POINTS}`);
  }
  const cpuPoints = Math.round(totalPoints * 0.55);
  const requestPoints = totalPoints - cpuPoints;

  const server = await exampleServer();
  const dbname = server.throwaway ? 'demo' : `influx_models_demo_${process.pid}`;
  const client = new InfluxDBClient({
    host: server.host,
    port: server.port,
    ...(server.username !== undefined ? { username: server.username } : {}),
    ...(server.password !== undefined ? { password: server.password } : {}),
    database: dbname,
  });
  const stopOnSignal = () => {
    console.error('\nInterrupted: stopping.');
    void Promise.allSettled([client.close(), server.stop()]).then(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  try {
    console.log(`influx-models demo — ${server.url}, database "${dbname}"`);
    console.log(`InfluxDB ${await client.ping()}`);
    await client.createDatabase(dbname);

    // ---- write: autocommit through the default registry --------------------------------------------
    let stored = 0;
    let failed = 0;
    configureSeries({
      // Any CommitSink works; this one counts what the client stored, for the progress bar.
      sink: {
        commit: async (batch, options) => {
          await client.commit(batch, options);
          stored += batch.lineCount;
        },
      },
      bulkSize: 5000,
      maxPending: 40_000,
      concurrency: 2,
      // A demo should fail loudly rather than wait forever on a broken server (the default retries
      // transient failures until the points are stored).
      retry: { maxAttempts: 5 },
      onError: (error, failure) => {
        failed += failure.lines.length;
        console.error(
          `\n${failure.lines.length} points of ${failure.model.name} not stored: ${error.message}`,
        );
      },
    });

    const end = Math.floor(Date.now() / 60_000) * 60_000;
    const start = end - MINUTES * 60_000;
    const span = end - start;
    const random = rng(20_241_125);
    const region = (h: number) => (h % 2 === 0 ? 'eu' : 'us');
    // Local accumulators, to check the server's answers.
    const cpuSum = new Map<string, { sum: number; n: number }>(HOSTS.map((h) => [h, { sum: 0, n: 0 }]));
    const latencies = new Map<string, number[]>(ENDPOINTS.map((e) => [e.path, []]));

    const cpuStep = (span * HOSTS.length) / cpuPoints; // ms between two samples of one host
    const reqStepNs = (span * 1e6) / requestPoints; // mean ns between two requests
    const cumulative = ENDPOINTS.map((_, i) => ENDPOINTS.slice(0, i + 1).reduce((s, e) => s + e.weight, 0));
    const hostBase = HOSTS.map(() => 18 + random() * 30);
    const inIncident = (host: string, ms: number) => {
      const minute = (ms - start) / 60_000;
      return host === INCIDENT.host && minute >= INCIDENT.from && minute < INCIDENT.to;
    };

    console.log(
      `Writing ${cpuPoints.toLocaleString('en-US')} CPU samples and ${requestPoints.toLocaleString('en-US')} requests (${MINUTES} simulated minutes, ${HOSTS.length} hosts)`,
    );
    const progress = new ProgressBar('writing', totalPoints);

    const started = performance.now();
    const registry = defaultRegistry;
    let cpuMade = 0;
    let reqMade = 0;
    const startNs = BigInt(start) * 1_000_000n;
    // ns after `start` of the next request: one per step, jittered inside its step, so request
    // times are strictly increasing (no two points of a series overwrite each other) and in range.
    let reqClock = random() * reqStepNs;
    while (cpuMade < cpuPoints || reqMade < requestPoints) {
      if (!registry.hasCapacity(HOSTS.length + 1)) {
        progress.update(stored, `(${registry.pendingCount.toLocaleString('en-US')} buffered)`);
        await registry.drain();
      }
      // Next event in time order: a round of CPU samples, or one request.
      const cpuMs = start + Math.floor(cpuMade / HOSTS.length) * cpuStep;
      const reqMs = start + reqClock / 1e6;
      if (cpuMade < cpuPoints && (reqMade >= requestPoints || cpuMs <= reqMs)) {
        for (let h = 0; h < HOSTS.length && cpuMade < cpuPoints; h++, cpuMade++) {
          const host = HOSTS[h] as string;
          const ms = Math.floor(cpuMs) + h; // one host's samples never share a millisecond
          const wave = 12 * Math.sin(((ms - start) / span) * Math.PI * 2 + h);
          let usage = (hostBase[h] as number) + wave + (random() - 0.5) * 10;
          if (inIncident(host, ms)) usage = 88 + random() * 12;
          usage = Math.min(100, Math.max(0, usage));
          new CpuUsage({ host, region: region(h), usage, time: new Date(ms) });
          const acc = cpuSum.get(host) as { sum: number; n: number };
          acc.sum += usage;
          acc.n++;
        }
      } else {
        const r = random();
        const e = ENDPOINTS[cumulative.findIndex((c) => r <= c)] ?? (ENDPOINTS[0] as (typeof ENDPOINTS)[0]);
        const h = Math.floor(random() * HOSTS.length);
        const host = HOSTS[h] as string;
        // Log-normal latency around the endpoint's base; 3x slower on the saturated host.
        const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        let latencyMs = e.baseMs * Math.exp(0.45 * normal);
        if (inIncident(host, reqMs)) latencyMs *= 3;
        const status = random() < 0.01 ? '500' : '200';
        const ns = startNs + BigInt(Math.floor(reqClock));
        new HttpRequest({
          host,
          endpoint: e.path,
          status,
          latencyMs,
          bytes: 200 + Math.floor(random() * 20_000),
          time: ns,
        });
        (latencies.get(e.path) as number[]).push(latencyMs);
        reqMade++;
        reqClock = (reqMade + random()) * reqStepNs;
      }
      if ((cpuMade + reqMade) % 4096 < 9) progress.update(stored);
    }
    await registry.flush();
    progress.finish(stored);
    const secs = (performance.now() - started) / 1000;
    console.log(
      `Stored ${stored.toLocaleString('en-US')} points in ${secs.toFixed(1)} s (${Math.round(stored / secs).toLocaleString('en-US')} points/s, batches of 5000)${failed > 0 ? `; ${failed} FAILED` : ''}`,
    );

    // ---- read: the typed query builder ---------------------------------------------------------------
    const cpu = createRepository(client, CpuUsage);
    const requests = createRepository(client, HttpRequest);
    const from = new Date(start);
    const to = new Date(end);

    const perMinute = cpu
      .query()
      .select(mean('usage').as('usage'))
      .where('time', '>=', from)
      .where('time', '<', to)
      .groupBy(time('1m'), 'host', 'region')
      .fill('none');
    console.log('\nMean CPU usage per host in 1-minute windows');
    console.log(`  ${perMinute.toInfluxQL().query}`);
    const cpuRows = await perMinute.all();
    const byHost = new Map<string, { region: string; values: (number | null)[] }>();
    for (const row of cpuRows) {
      const h = byHost.get(row.host) ?? { region: row.region, values: new Array(MINUTES).fill(null) };
      byHost.set(row.host, h);
      h.values[Math.round((row.time.getTime() - start) / 60_000)] = row.usage;
    }
    const cpuTable = [...byHost.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([host, { region: reg, values }]) => {
        const present = values.filter((v): v is number => v !== null);
        return [
          host,
          reg,
          fmt(Math.min(...present)),
          fmt(present.reduce((s, v) => s + v, 0) / present.length),
          fmt(Math.max(...present)),
          sparkline(values, 0, 100),
        ];
      });
    console.log(
      table(['host', 'region', '>min %', '>avg %', '>max %', `last ${MINUTES} min (0..100 %)`], cpuTable),
    );

    const p95 = requests
      .query()
      .select(percentile('latencyMs', 95).as('p95'), count('latencyMs').as('requests'))
      .where('time', '>=', from)
      .where('time', '<', to)
      .groupBy('endpoint', 'host');
    console.log('\np95 latency (ms) per endpoint and host');
    console.log(`  ${p95.toInfluxQL().query}`);
    const p95Rows = await p95.all();
    const cell = new Map(p95Rows.map((r) => [`${r.endpoint} ${r.host}`, r.p95]));
    console.log(
      table(
        ['endpoint', ...HOSTS.map((h) => `>${h}`)],
        ENDPOINTS.map((e) => [e.path, ...HOSTS.map((h) => fmt(cell.get(`${e.path} ${h}`)))]),
      ),
    );

    const p95Trend = requests
      .query()
      .select(percentile('latencyMs', 95).as('p95'))
      .where('time', '>=', from)
      .where('time', '<', to)
      .groupBy(time('1m'), 'endpoint')
      .fill('none');
    const p95All = requests
      .query()
      .select(percentile('latencyMs', 95).as('p95'), count('latencyMs').as('requests'))
      .where('time', '>=', from)
      .where('time', '<', to)
      .groupBy('endpoint');
    const [trendRows, allRows] = await Promise.all([p95Trend.all(), p95All.all()]);
    const trend = new Map<string, (number | null)[]>();
    for (const r of trendRows) {
      const v = trend.get(r.endpoint) ?? new Array<number | null>(MINUTES).fill(null);
      trend.set(r.endpoint, v);
      // The row's time type is `Date | bigint` (bigint for a model with a bigint timestamp).
      const ms = typeof r.time === 'bigint' ? Number(r.time / 1_000_000n) : r.time.getTime();
      v[Math.round((ms - start) / 60_000)] = r.p95;
    }
    const maxP95 = Math.max(...allRows.map((r) => r.p95 ?? 0));
    console.log('\np95 latency per endpoint over the whole window, and per minute');
    console.log(
      table(
        ['endpoint', '>requests', '>p95 ms', '', `p95 per minute (${MINUTES} min)`],
        ENDPOINTS.map((e) => {
          const row = allRows.find((r) => r.endpoint === e.path);
          return [
            e.path,
            (row?.requests ?? 0).toLocaleString('en-US'),
            fmt(row?.p95),
            bar(row?.p95 ?? 0, maxP95, 20).padEnd(20),
            sparkline(trend.get(e.path) ?? []),
          ];
        }),
      ),
    );

    // ---- check: the server's answers against the generated data ----------------------------------------
    const [cpuCount, reqCount, hostMeans] = await Promise.all([
      cpu.count({ from, to }),
      requests.count({ from, to }),
      cpu
        .query()
        .select(mean('usage').as('usage'))
        .where('time', '>=', from)
        .where('time', '<', to)
        .groupBy('host')
        .all(),
    ]);
    let worstMean = 0;
    for (const r of hostMeans) {
      const acc = cpuSum.get(r.host) as { sum: number; n: number };
      worstMean = Math.max(worstMean, Math.abs((r.usage ?? Number.NaN) - acc.sum / acc.n));
    }
    let p95Mismatch = 0;
    for (const e of ENDPOINTS) {
      const local = nearestRank(
        (latencies.get(e.path) as number[]).sort((a, b) => a - b),
        95,
      );
      if (allRows.find((r) => r.endpoint === e.path)?.p95 !== local) p95Mismatch++;
    }
    const ok = cpuCount === cpuPoints && reqCount === requestPoints && worstMean < 1e-9 && p95Mismatch === 0;
    console.log('\nChecks against the generated data');
    console.log(
      `  CPU samples stored:  ${cpuCount.toLocaleString('en-US')} of ${cpuPoints.toLocaleString('en-US')}`,
    );
    console.log(
      `  requests stored:     ${reqCount.toLocaleString('en-US')} of ${requestPoints.toLocaleString('en-US')}`,
    );
    console.log(`  mean usage per host: largest difference ${worstMean.toExponential(1)}`);
    console.log(
      `  p95 per endpoint:    ${ENDPOINTS.length - p95Mismatch} of ${ENDPOINTS.length} exactly equal to the local nearest rank`,
    );
    console.log(ok ? 'All checks passed.' : 'SOME CHECKS FAILED.');
    if (!ok || failed > 0) process.exitCode = 1;

    await defaultRegistry.close();
  } finally {
    // The demo leaves nothing behind on your server unless DEMO_KEEP is set.
    if (!server.throwaway && process.env.DEMO_KEEP === undefined) {
      await client
        .dropDatabase(dbname)
        .catch((e: unknown) => console.error(`could not drop ${dbname}: ${e}`));
    }
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    await client.close();
    await server.stop();
    if (server.throwaway) console.error('Throwaway InfluxDB stopped and removed.');
  }
}

run(main);
