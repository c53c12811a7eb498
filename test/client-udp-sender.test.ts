import { createSocket, type Socket } from 'node:dgram';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UdpSender } from '../src/client/udp-sender.js';
import {
  InfluxClosedError,
  InfluxConfigError,
  InfluxConnectionError,
  InfluxValidationError,
} from '../src/errors.js';
import { makeLine } from '../src/line-protocol/index.js';

/**
 * Datagram splitting, checked on a local UDP socket that records what arrives (the real listener
 * is exercised in client-udp.test.ts).
 */
let receiver: Socket;
let port: number;
const received: Buffer[] = [];

beforeAll(async () => {
  receiver = createSocket('udp4');
  receiver.on('message', (msg) => received.push(msg));
  await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
  port = receiver.address().port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function collect(expected: number): Promise<Buffer[]> {
  for (let i = 0; i < 200 && received.length < expected; i++) await new Promise((r) => setTimeout(r, 10));
  return received.splice(0, received.length);
}

describe('UdpSender', () => {
  it('packs lines into datagrams under the limit without cutting any line', async () => {
    const sender = new UdpSender({ host: '127.0.0.1', port, maxDatagramBytes: 200 });
    const lines = Array.from({ length: 300 }, (_, i) => `m,t=é${i} v=${i}i,s="${'x'.repeat(i % 50)}" ${i}`);
    const body = `${lines.join('\n')}\n`;
    const planned = sender.split(body);
    expect(planned.length).toBeGreaterThan(10);
    await sender.send(body);
    const got = await collect(planned.length);
    expect(got).toHaveLength(planned.length);
    for (const d of got) {
      expect(d.length).toBeLessThanOrEqual(200);
      expect(d.at(-1)).toBe(10);
    }
    // UDP on loopback keeps order within one socket pair; compare as sets of lines anyway.
    const arrived = got.flatMap((d) => d.toString('utf8').split('\n').filter(Boolean));
    expect(arrived.sort()).toEqual([...lines].sort());
    await sender.close();
  });

  it('adds the missing final newline, drops leading blank lines and sends nothing for an empty body', async () => {
    const sender = new UdpSender({ host: '127.0.0.1', port });
    // Blank lines inside a datagram are kept (the server skips them); at its start they are dropped.
    expect(sender.split('\n\na v=1\n\nb v=2').map(String)).toEqual(['a v=1\n\nb v=2\n']);
    expect(sender.split('')).toEqual([]);
    await sender.send('\n');
    await sender.close();
  });

  it('puts a line of exactly the limit in its own datagram', () => {
    const sender = new UdpSender({ host: '127.0.0.1', port, maxDatagramBytes: 64 });
    const exact = `m v="${'y'.repeat(64 - 7)}"`; // 63 bytes + newline
    expect(Buffer.byteLength(`${exact}\n`)).toBe(64);
    const out = sender.split(`a v=1\n${exact}\nb v=2\n`).map(String);
    expect(out).toEqual(['a v=1\n', `${exact}\n`, 'b v=2\n']);
  });

  it('refuses a whole packet when one line is over the limit, naming the line', async () => {
    const sender = new UdpSender({ host: '127.0.0.1', port, maxDatagramBytes: 100 });
    const big = `big v="${'z'.repeat(200)}"`;
    const err = await sender.send(`ok v=1\n${big}\nok v=2\n`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxValidationError);
    expect((err as InfluxValidationError).property).toBe('line 2');
    expect((err as Error).message).toMatch(/line 2: is 209 bytes .* more than maxDatagramBytes \(100\)/);
    expect(await collect(0)).toHaveLength(0);
    await sender.close();
  });

  it('refuses a timestamp precision other than the listener one', async () => {
    const sender = new UdpSender({ host: '127.0.0.1', port, precision: 's' });
    await expect(sender.send('m v=1 1\n', { precision: 'ms' })).rejects.toThrow(InfluxConfigError);
    await expect(sender.send('m v=1 1\n', { precision: 'ms' })).rejects.toThrow(
      /'ms' differs from the UDP listener's precision 's'/,
    );
    const ns = new UdpSender({ host: '127.0.0.1', port, precision: '' });
    expect(() => ns.checkPrecision('ns')).not.toThrow();
    expect(() => ns.checkPrecision('n')).not.toThrow();
    expect(() => ns.checkPrecision('u')).toThrow(InfluxConfigError);
    await sender.send('m v=1 1\n', { precision: 's' });
    expect(await collect(1)).toHaveLength(1);
    await sender.close();
    await ns.close();
  });

  it('splits any body into whole lines under the limit, or refuses it when a line is too long', () => {
    const line = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 120 })
      .map((l) => l.replace(/[\n\r]/g, 'x'));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), fc.integer({ min: 64, max: 600 }), (ls, max) => {
        const sender = new UdpSender({ host: '127.0.0.1', port, maxDatagramBytes: max });
        const body = ls.join('\n');
        const longest = Math.max(0, ...ls.map((l) => Buffer.byteLength(l) + 1));
        if (longest > max) {
          expect(() => sender.split(body)).toThrow(InfluxValidationError);
          return;
        }
        const out = sender.split(body);
        for (const d of out) {
          expect(d.length).toBeLessThanOrEqual(max);
          expect(d.at(-1)).toBe(10);
        }
        // Whole lines, in order, nothing lost or added; a datagram never holds a partial character.
        const text = out.map((d) => d.toString('utf8')).join('');
        expect(text).toBe(ls.length === 0 ? '' : `${ls.join('\n')}\n`);
        for (const d of out) expect(Buffer.from(d.toString('utf8'), 'utf8').equals(d)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never cuts inside a string field that holds newlines, as InfluxDB reads lines', () => {
    const sender = new UdpSender({ host: '127.0.0.1', port, maxDatagramBytes: 64 });
    const lines = [
      'm s="one\ntwo\nthree" 1',
      'm,t=a\\ b s="x\\"\ny\n" 2', // escaped quote inside the string, backslash-space in a tag
      'm a=1,s="line\n\nbreaks",b=2 3',
      'm v=1 4',
    ];
    const out = sender.split(`${lines.join('\n')}\n`).map(String);
    // Two whole lines fit in 64 bytes; a cut at any of the newlines inside the strings would not.
    expect(out).toEqual([`${lines[0]}\n${lines[1]}\n`, `${lines[2]}\n${lines[3]}\n`]);
    expect(Math.max(...out.map((d) => Buffer.byteLength(d)))).toBeLessThanOrEqual(64);
  });

  it('cuts only at line ends for any encoded points, strings with newlines and quotes included', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 });
    const pointArb = fc.record({
      tag: fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 10 })
        .map((t) => t.replace(/[\n\r\\]/g, '_')),
      s: fc
        .array(fc.oneof(text, fc.constantFrom('\n', '"', '\\', '\n\n', ' = , ')), { maxLength: 5 })
        .map((p) => p.join('')),
      v: fc.double({ noNaN: true, noDefaultInfinity: true }),
    });
    fc.assert(
      fc.property(
        fc.array(pointArb, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 300, max: 900 }),
        (ps, max) => {
          const lines = ps.map((p, i) =>
            makeLine({ measurement: 'm', tags: { t: p.tag }, fields: { s: p.s, v: p.v }, time: BigInt(i) }),
          );
          const body = `${lines.join('\n')}\n`;
          const ends = new Set<number>();
          let at = 0;
          for (const l of lines) {
            at += Buffer.byteLength(l) + 1;
            ends.add(at);
          }
          const sender = new UdpSender({ host: '127.0.0.1', port, maxDatagramBytes: max });
          const longest = Math.max(...lines.map((l) => Buffer.byteLength(l) + 1));
          if (longest > max) {
            expect(() => sender.split(body)).toThrow(InfluxValidationError);
            return;
          }
          const out = sender.split(body);
          let offset = 0;
          for (const d of out) {
            expect(d.length).toBeLessThanOrEqual(max);
            offset += d.length;
            expect(ends.has(offset)).toBe(true);
          }
          expect(Buffer.concat(out).toString('utf8')).toBe(body);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('validates its options', () => {
    const bad: unknown[] = [
      { host: '', port: 1 },
      { host: 'a b', port: 1 },
      { host: 'h', port: 0 },
      { host: 'h', port: 70000 },
      { host: 'h', port: 1.5 },
      { host: 'h', port: 1, maxDatagramBytes: 65508 },
      { host: 'h', port: 1, maxDatagramBytes: 10 },
      { host: 'h', port: 1, precision: 'sec' },
      undefined,
    ];
    for (const o of bad)
      expect(() => new UdpSender(o as never), JSON.stringify(o)).toThrow(InfluxConfigError);
  });

  it('sends to a host name (looked up once) and reports an unknown host as a connection error', async () => {
    const byName = new UdpSender({ host: 'localhost', port });
    await byName.send('n v=1\nn v=2\n');
    await byName.send('n v=3\n');
    const got = await collect(2);
    expect(got.map(String).sort()).toEqual(['n v=1\nn v=2\n', 'n v=3\n']);
    await byName.close();
    const unknown = new UdpSender({ host: 'no-such-host.invalid', port });
    await expect(unknown.send('n v=1\n')).rejects.toThrow(InfluxConnectionError);
    await expect(unknown.send('n v=1\n')).rejects.toThrow(
      /UDP host no-such-host.invalid could not be resolved/,
    );
    await unknown.close();
  });

  it('stops with InfluxClosedError when closed in the middle of a send', async () => {
    const sender = new UdpSender({ host: '127.0.0.1', port, maxDatagramBytes: 64 });
    const sending = sender.send(Array.from({ length: 200 }, (_, i) => `c v=${i}`).join('\n'));
    await sender.close();
    await expect(sending).rejects.toThrow(InfluxClosedError);
    await collect(0);
  });

  it('throws InfluxClosedError after close', async () => {
    const sender = new UdpSender({ host: '127.0.0.1', port });
    await sender.close();
    await sender.close();
    await expect(sender.send('m v=1\n')).rejects.toThrow(InfluxClosedError);
  });
});
