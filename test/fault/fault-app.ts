/**
 * The application of the fault suite (test/fault-suite.test.ts), run as a child process so that
 * it can end naturally or be SIGKILLed. Bundled by the suite with vite; configured by env:
 * FAULT_PORT, FAULT_DB, FAULT_RUN (tag of this run), FAULT_POINTS, FAULT_SPOOL (a spool directory,
 * optional), FAULT_MODE:
 * - `natural`: the default registry (configureSeries, no hooks, no flush, no close); the script ends;
 * - `stream`: produce, printing `committed N` after each tick (with a spool: after the group commit
 *   of those points); meant to be SIGKILLed;
 * - `replay`: open a registry on FAULT_SPOOL (it replays what is left), close it, print the stats.
 * FAULT_HOOKS=ms installs the shutdown hooks (SIGINT/SIGTERM: close({ timeout: ms }), re-raise).
 */
import { writeSync } from 'node:fs';
import {
  configureSeries,
  Field,
  InfluxClosedError,
  InfluxDBClient,
  Measurement,
  SeriesModel,
  SeriesRegistry,
  Tag,
} from '../../src/index.js';

process.on('SIGXFSZ', () => {}); // a file size limit then fails the write (EFBIG) instead of killing us
const env = process.env;
const mode = env.FAULT_MODE ?? 'natural';
const client = new InfluxDBClient({
  host: '127.0.0.1',
  port: Number(env.FAULT_PORT),
  database: env.FAULT_DB,
  timeout: 5000,
});
const spool = env.FAULT_SPOOL ? { dir: env.FAULT_SPOOL } : undefined;
const registry =
  mode === 'natural' && spool === undefined
    ? configureSeries({ sink: client })
    : new SeriesRegistry({ sink: client, ...(spool ? { spool } : {}) });
const out = (s: string) => writeSync(1, `${s}\n`);
// FAULT_HOOKS=ms: the documented SIGTERM recipe (close with that timeout, then the signal is re-raised)
if (env.FAULT_HOOKS) registry.installShutdownHooks({ timeout: Number(env.FAULT_HOOKS) });

@Measurement({ name: 'fp', registry })
class Fp extends SeriesModel<Fp> {
  @Tag() run!: string;
  @Field({ type: 'integer' }) seq!: number;
  @Field({ type: 'float' }) v!: number;
}

const run = env.FAULT_RUN ?? 'r';
const total = Number(env.FAULT_POINTS ?? 10_000);

if (mode === 'natural') {
  for (let i = 0; i < total; i++) new Fp({ run, seq: i, v: i * 0.5 });
  out(`committed ${total}`);
  // no flush, no close, no hooks: the script simply ends
} else if (mode === 'stream') {
  let i = 0;
  try {
    while (i < total) {
      if (!registry.hasCapacity()) await registry.waitForCapacity();
      const end = Math.min(total, i + 500);
      for (; i < end; i++) new Fp({ run, seq: i, v: i * 0.5 });
      await new Promise((r) => setImmediate(r)); // the spool's group commit of this tick ran before
      out(`committed ${i}`);
    }
  } catch (e) {
    // a signal closed the registry (shutdown hooks): stop producing; the hook ends the process
    if (!(e instanceof InfluxClosedError)) throw e;
    out(`committed ${i}`);
    await new Promise(() => {});
  }
  const result = await registry.close();
  out(`done ${JSON.stringify(result)}`);
  await client.close();
} else if (mode === 'replay') {
  const before = registry.pendingCount;
  const result = await registry.close();
  out(`replayed ${before} ${JSON.stringify(result)}`);
  await client.close();
}
