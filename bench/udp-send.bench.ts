/**
 * UDP sending speed: `UdpSender.send(body)` (split at line boundaries into datagrams of at most
 * 1400 bytes, then sent one by one) against the floor, a bare node:dgram loop sending the same
 * datagrams pre-split before timing. Both send to a local UDP socket that counts what arrives.
 * No peer to compare with: node-influx and @influxdata/influxdb-client have no UDP writer.
 *
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/udp-send.bench.js [lines]
 *
 * Prints lines/s of each, the ratio (ours / floor, 1.00 = no overhead) and the split alone.
 * Each variant runs 5 times in alternation; the median is reported.
 */
import { createSocket } from 'node:dgram';
import { UdpSender } from '../src/client/udp-sender.js';

const LINES = Number(process.argv[2] ?? 200_000);
const MAX = 1400;
const RUNS = 5;

const lines: string[] = [];
for (let i = 0; i < LINES; i++) {
  lines.push(
    `cpu,host=host-${i % 100},region=r${i % 5} usage=${(i % 1000) / 7},cores=${i % 64}i ${1_700_000_000_000_000_000n + BigInt(i)}`,
  );
}
const body = `${lines.join('\n')}\n`;

const receiver = createSocket('udp4');
let received = 0;
receiver.on('message', () => {
  received++;
});
await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
const port = receiver.address().port;

const sender = new UdpSender({ host: '127.0.0.1', port, maxDatagramBytes: MAX });
const datagrams = sender.split(body);

const bare = createSocket('udp4');
async function floor(): Promise<void> {
  for (const d of datagrams) {
    await new Promise<void>((resolve, reject) =>
      bare.send(d, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    );
  }
}

async function time(fn: () => Promise<void> | void): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const ours: number[] = [];
const bares: number[] = [];
const splits: number[] = [];
for (let r = 0; r < RUNS; r++) {
  ours.push(await time(() => sender.send(body)));
  bares.push(await time(floor));
  splits.push(await time(() => void sender.split(body)));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const [o, b, s] = [median(ours), median(bares), median(splits)];
const rate = (ms: number) => `${Math.round(LINES / (ms / 1000)).toLocaleString('en-US')} lines/s`;
console.log(`${LINES} lines, ${body.length} bytes, ${datagrams.length} datagrams of <= ${MAX} bytes`);
console.log(`UdpSender.send      ${o.toFixed(1)} ms  ${rate(o)}`);
console.log(`bare dgram (floor)  ${b.toFixed(1)} ms  ${rate(b)}`);
console.log(`split only          ${s.toFixed(1)} ms  ${rate(s)}`);
console.log(`ratio ours/floor    ${(o / b).toFixed(2)}`);
// The same lines with a string field: the splitter then follows InfluxDB's quote rules byte by byte.
const quoted = body.replaceAll(' usage=', ' msg="ok, fine",usage=');
const q: number[] = [];
for (let r = 0; r < RUNS; r++) q.push(await time(() => void sender.split(quoted)));
console.log(
  `split only, with string fields  ${median(q).toFixed(1)} ms  ${rate(median(q))} (${quoted.length} bytes)`,
);
await new Promise((r) => setTimeout(r, 200));
console.log(
  `datagrams received locally: ${received} of ${datagrams.length * RUNS * 2} sent (the receiver shares this event loop, so the kernel drops most: this measures the sender)`,
);
await sender.close();
bare.close();
receiver.close();
