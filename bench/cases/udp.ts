/**
 * UDP case: `--case NAME --rows N` (was bench/udp-send.bench.ts). Sends N lines of the bench shape
 * to a local UDP socket of this process that counts what arrives (influxd is not involved: UDP has
 * no acknowledgement, and what a listener keeps depends on its buffers, not on the sender):
 *   - `floor`: a bare node:dgram loop sending the datagrams, split before the clock starts;
 *   - `send`: `UdpSender#send(body)`: split at line boundaries into datagrams of at most 1400
 *     bytes (the default), then sent one by one.
 * No peer: node-influx and @influxdata/influxdb-client have no UDP writer.
 */
import { createSocket } from 'node:dgram';
import { UdpSender } from '../../src/client/udp-sender.js';
import { makeLines } from '../../src/index.js';
import { arg, BATCH, point, report, since, start } from '../lib/shape.js';

const name = arg('--case');
const n = Number(arg('--rows'));

async function main(): Promise<void> {
  const parts: string[] = [];
  for (let i = 0; i < n; i += BATCH) {
    parts.push(makeLines(Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => point(i + k))));
  }
  const body = parts.join('');
  const receiver = createSocket('udp4');
  receiver.on('message', () => {});
  await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
  const port = receiver.address().port;
  const sender = new UdpSender({ host: '127.0.0.1', port });
  try {
    switch (name) {
      case 'floor': {
        const datagrams = sender.split(body);
        const socket = createSocket('udp4');
        const t0 = start();
        for (const d of datagrams) {
          await new Promise<void>((resolve, reject) =>
            socket.send(d, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
          );
        }
        const seconds = since(t0);
        socket.close();
        report(seconds, n, { bytes: body.length });
        return;
      }
      case 'send': {
        const t0 = start();
        await sender.send(body);
        report(since(t0), n, { bytes: body.length });
        return;
      }
      default:
        throw new Error(`unknown udp case ${name}`);
    }
  } finally {
    await sender.close();
    receiver.close();
  }
}

await main();
