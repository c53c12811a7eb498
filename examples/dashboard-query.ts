/**
 * From a model to a dashboard: one model class, a repository over it, and the queries behind three
 * dashboard panels, each built with the typed builder — the InfluxQL it compiles to (values bound
 * as `$p0`…, never spliced in), and the typed rows it returns.
 *
 * Run: `npm run example -- dashboard-query` (a throwaway influxd), or with INFLUXDB_URL set.
 */
import {
  count,
  createRepository,
  Field,
  InfluxDBClient,
  Measurement,
  max,
  mean,
  percentile,
  Tag,
  Timestamp,
  time,
} from 'influx-models';
import { exampleServer, run } from './example-server.js';
import { sparkline, table } from './terminal-chart.js';

/** One API call: `api_call,service=billing,status=ok duration_ms=12.5 1700000000000000000`. */
@Measurement({ name: 'api_call', database: 'dashboard_example' })
class ApiCall {
  @Tag() service!: string;
  @Tag() status!: 'ok' | 'error';
  @Field({ name: 'duration_ms', type: 'float' }) durationMs!: number;
  @Timestamp() time!: Date;
}

async function main(): Promise<void> {
  const server = await exampleServer();
  const client = new InfluxDBClient({
    host: server.host,
    port: server.port,
    ...(server.username !== undefined ? { username: server.username } : {}),
    ...(server.password !== undefined ? { password: server.password } : {}),
  });
  try {
    await client.createDatabase('dashboard_example');
    const calls = createRepository(client, ApiCall);

    // Two hours of calls, one every 3 s per service; the repository writes instances directly
    // (no registry buffer). A plain object with the model's shape is an instance here: ApiCall does
    // not extend SeriesModel, so it is a read/write shape only.
    const end = Date.UTC(2024, 0, 1, 12);
    const start = end - 2 * 3_600_000;
    const services = ['billing', 'search', 'auth'];
    const points: ApiCall[] = [];
    for (let t = start, i = 0; t < end; t += 3000, i++) {
      services.forEach((service, s) => {
        const slow = service === 'search' && t >= start + 3_600_000 && t < start + 4_500_000;
        points.push({
          service,
          status: (i + s) % 97 === 0 ? 'error' : 'ok',
          durationMs: (10 + s * 15 + ((i * 7 + s * 13) % 20)) * (slow ? 4 : 1),
          time: new Date(t),
        });
      });
    }
    await calls.write(points);
    console.log(`Wrote ${points.length} api_call points over 2 hours for ${services.length} services`);

    const from = new Date(start);
    const to = new Date(end);

    // Panel 1: latency over time per service (a time series panel).
    const latency = calls
      .query()
      .select(mean('durationMs').as('avg'), max('durationMs').as('worst'))
      .where('time', '>=', from)
      .where('time', '<', to)
      .groupBy(time('10m'), 'service')
      .fill('none');
    const q1 = latency.toInfluxQL();
    console.log('\nPanel "Latency (10 min)"');
    console.log(`  ${q1.query}`);
    console.log('  params:', q1.params);
    const series = new Map<string, number[]>();
    for (const row of await latency.all()) {
      const list = series.get(row.service) ?? [];
      list.push(row.avg ?? 0);
      series.set(row.service, list);
    }
    console.log(
      table(
        ['service', '>points', 'avg per 10 min'],
        [...series].map(([s, v]) => [s, String(v.length), sparkline(v)]),
      ),
    );

    // Panel 2: a single stat per service — the number of failed calls.
    const errors = calls
      .query()
      .select(count('durationMs').as('calls'))
      .where({ status: 'error' })
      .where('time', '>=', from)
      .where('time', '<', to)
      .groupBy('service');
    const q2 = errors.toInfluxQL();
    console.log('\nPanel "Errors"');
    console.log(`  ${q2.query}`);
    console.log('  params:', q2.params);
    console.log(
      table(
        ['service', '>errors'],
        (await errors.all()).map((r) => [r.service, String(r.calls)]),
      ),
    );

    // Panel 3: a table panel — p99 per service over the last hour, in a time zone.
    const p99 = calls
      .query()
      .select(percentile('durationMs', 99).as('p99'))
      .where('time', '>=', new Date(end - 3_600_000))
      .where('time', '<', to)
      .groupBy(time('1h'), 'service')
      .tz('Europe/Paris');
    const q3 = p99.toInfluxQL();
    console.log('\nPanel "p99 last hour (Europe/Paris)"');
    console.log(`  ${q3.query}`);
    console.log(
      table(
        ['service', 'hour', '>p99 ms'],
        (await p99.all()).map((r) => [r.service, r.time.toISOString(), String(r.p99)]),
      ),
    );

    // The instances themselves, typed and frozen: the latest search calls.
    const latest = await calls.find({ where: { service: 'search' }, from, to, orderBy: 'desc', limit: 2 });
    console.log(
      '\nLatest search calls:',
      latest.map((c) => `${c.time.toISOString()} ${c.durationMs} ms`),
    );

    await client.dropDatabase('dashboard_example');
  } finally {
    await client.close();
    await server.stop();
  }
}

run(main);
