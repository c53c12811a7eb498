/**
 * Query 1M rows into model instances (Repository.find) vs `curl` writing the same response to
 * /dev/null (the raw floor), both against one throwaway influxd, best of 3 each.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/query-instances.bench.js
 */
import { execFileSync } from 'node:child_process';
import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';
import { InfluxDBClient } from '../src/client/index.js';
import { createRepository } from '../src/query/index.js';
import { startInfluxd } from '../src/testing/index.js';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const T0 = 1_600_000_000_000_000_000n;

@Measurement({ name: 'cpu', database: 'bench' })
class Cpu {
  @Tag() host!: string;
  @Field({ type: 'float' }) usage!: number;
  @Field({ type: 'integer' }) cores!: number;
  @Timestamp({ type: 'bigint' }) at!: bigint;
}

const server = await startInfluxd();
const client = new InfluxDBClient({ host: server.host, port: server.port, database: 'bench', timeout: 0 });
try {
  await client.query('CREATE DATABASE "bench"', { method: 'POST' });
  for (let start = 0; start < ROWS; start += 100_000) {
    let body = '';
    for (let k = start; k < Math.min(ROWS, start + 100_000); k++) {
      body += `cpu,host=h${k % 8} usage=${k / 7},cores=${k % 64}i ${T0 + BigInt(k)}\n`;
    }
    await client.write(body, { database: 'bench' });
  }
  const repo = createRepository(client, Cpu);
  const { query, params } = repo.query().toInfluxQL();

  const curl = () => {
    const t = process.hrtime.bigint();
    execFileSync('curl', [
      '-sS',
      '-G',
      '-o',
      '/dev/null',
      `${server.url}/query`,
      '--data-urlencode',
      'db=bench',
      '--data-urlencode',
      'epoch=ns',
      '--data-urlencode',
      `q=${query}`,
      '--data-urlencode',
      `params=${JSON.stringify(params)}`,
    ]);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const ours = async () => {
    const t = process.hrtime.bigint();
    const rows = await repo.find();
    if (rows.length !== ROWS) throw new Error(`got ${rows.length} rows`);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  curl();
  await ours();
  const c: number[] = [];
  const o: number[] = [];
  for (let i = 0; i < 3; i++) {
    c.push(curl());
    o.push(await ours());
  }
  const bc = Math.min(...c);
  const bo = Math.min(...o);
  console.log(`query: ${query}`);
  console.log(`rows: ${ROWS}`);
  console.log(`curl > /dev/null: ${bc.toFixed(0)} ms (best of 3)`);
  console.log(`Repository.find -> instances: ${bo.toFixed(0)} ms (best of 3)`);
  console.log(`ratio instances / curl: ${(bo / bc).toFixed(2)}`);
} finally {
  await client.close();
  await server.stop();
}
