/**
 * The one data shape every benchmark case encodes, writes and reads, so that every client does
 * the same work on the same values. Point `i` of a run is
 *
 *     cpu,host=host-<i % 100>,region=region-<i % 5> cores=<1 + i % 64>i,ok=<i % 3 != 0>,usage=<float> <T0 + 1000 i>
 *
 * with `usage = ((i * 7919) % 100003 + 1) / 1000.7` (a double with 15-17 significant digits, computed
 * identically by Python) and nanosecond times 1 µs apart from T0 (2023-11-14T22:13:20Z).
 * bench/python/peer.py builds the same values.
 */
import { FieldType, type IPoint, type ISchemaOptions } from 'influx';
import type { Point } from '../../src/index.js';

/** First timestamp, in nanoseconds since the epoch. */
export const T0 = 1_700_000_000_000_000_000n;
/** Points per write request (and per encoding call). */
export const BATCH = 5000;
/** Write requests in flight at once, for every writer that can have more than one. */
export const CONCURRENCY = 4;
/** The measurement name. */
export const MEASUREMENT = 'cpu';
/** The query every reader runs. */
export const READ_QUERY = 'SELECT * FROM "cpu"';
/** Points the aggregate case reads (the first ones of the read database). */
export const AGGREGATE_POINTS = 100_000;
/** The aggregate both influxd and MemoryInflux answer: 100 hosts x 100 windows of 1ms. */
export const AGGREGATE_QUERY = `SELECT mean("usage"), count("usage"), max("cores") FROM "cpu" WHERE time >= ${T0} AND time < ${T0 + BigInt(AGGREGATE_POINTS) * 1000n} GROUP BY time(1ms), "host"`;

/** The values of point `i`, as plain JS values (integer `cores` as a number). */
export interface Row {
  host: string;
  region: string;
  usage: number;
  cores: number;
  ok: boolean;
  time: bigint;
}

const hosts = Array.from({ length: 100 }, (_, k) => `host-${k}`);
const regions = Array.from({ length: 5 }, (_, k) => `region-${k}`);

/** Point `i` of the shape. */
export function row(i: number): Row {
  return {
    host: hosts[i % 100] as string,
    region: regions[i % 5] as string,
    usage: (((i * 7919) % 100003) + 1) / 1000.7,
    cores: 1 + (i % 64),
    ok: i % 3 !== 0,
    time: T0 + BigInt(i) * 1000n,
  };
}

/** Point `i` as influx-models takes it: `cores` a bigint (an integer field), time a bigint (ns). */
export function point(i: number): Point {
  const r = row(i);
  return {
    measurement: MEASUREMENT,
    tags: { host: r.host, region: r.region },
    fields: { cores: BigInt(r.cores), ok: r.ok, usage: r.usage },
    time: r.time,
  };
}

/** Point `i` as node-influx takes it (with {@link NODE_INFLUX_SCHEMA}, `cores` is an integer). */
export function nodeInfluxPoint(i: number): IPoint {
  const r = row(i);
  return {
    measurement: MEASUREMENT,
    tags: { host: r.host, region: r.region },
    fields: { cores: r.cores, ok: r.ok, usage: r.usage },
    timestamp: r.time.toString(),
  };
}

/** node-influx's schema of the shape: without it, `cores` would be written as a float. */
export const NODE_INFLUX_SCHEMA: ISchemaOptions[] = [
  {
    measurement: MEASUREMENT,
    tags: ['host', 'region'],
    fields: { cores: FieldType.INTEGER, ok: FieldType.BOOLEAN, usage: FieldType.FLOAT },
  },
];

/** Splits `0..n-1` into consecutive batches of `size`, each built by `make`. */
export function batches<T>(n: number, size: number, make: (i: number) => T): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < n; start += size) {
    const b: T[] = [];
    const end = Math.min(n, start + size);
    for (let i = start; i < end; i++) b.push(make(i));
    out.push(b);
  }
  return out;
}

/** The result line each case prints (the last line of its stdout, as JSON). */
export interface CaseResult {
  /** Seconds of the timed part (input prepared before the clock starts). */
  seconds: number;
  /** Points encoded, written or rows read. */
  points: number;
  /** Peak resident set size of the whole process, in MiB. */
  peakRssMb: number;
  /** CPU seconds (user + system) this process spent in the timed part. */
  cpuSeconds?: number;
  /** Bytes produced (encoders) or received, when known. */
  bytes?: number;
  /** The first line produced (encoders), to show that every encoder wrote the same thing. */
  sample?: string;
}

/** Reads `--name value` from argv. */
export function arg(name: string, fallback?: string): string {
  const argv = process.argv;
  const i = argv.indexOf(name);
  const v = i >= 0 ? argv[i + 1] : undefined;
  if (v !== undefined) return v;
  if (fallback !== undefined) return fallback;
  throw new Error(`missing ${name}`);
}

let cpu0: NodeJS.CpuUsage | undefined;

/** Starts the clock of the timed part: returns `process.hrtime.bigint()`, notes the CPU used so far. */
export function start(): bigint {
  cpu0 = process.cpuUsage();
  return process.hrtime.bigint();
}

/** Prints the result line (with the CPU used since {@link start}). */
export function report(seconds: number, points: number, extra: Partial<CaseResult> = {}): void {
  const cpu = process.cpuUsage(cpu0);
  const r: CaseResult = {
    seconds,
    points,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...extra,
  };
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

/** Seconds since `t0` (from `process.hrtime.bigint()`). */
export function since(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
