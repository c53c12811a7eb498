import type { Socket } from 'node:dgram';
import {
  InfluxClosedError,
  InfluxConfigError,
  InfluxConnectionError,
  InfluxValidationError,
} from '../errors.js';
import { lineEnd } from '../line-protocol/line-scanner.js';
import type { Precision } from '../line-protocol/precision.js';
import { checkPrecision } from '../line-protocol/precision.js';

/** How long a looked-up host address is reused. */
const ADDRESS_TTL_MS = 30_000;

/**
 * Largest UDP payload over IPv4 (65535 - 8 byte UDP header - 20 byte IP header).
 *
 * ```ts
 * new UdpSender({ host: '127.0.0.1', port: 8089, maxDatagramBytes: MAX_UDP_PAYLOAD }); // 65507, the most allowed
 * ```
 */
export const MAX_UDP_PAYLOAD = 65_507;

/**
 * Default datagram size: fits in one Ethernet frame (MTU 1500 minus IP and UDP headers), so a
 * datagram is never fragmented on the way; a lost fragment would lose the whole datagram.
 *
 * ```ts
 * new UdpSender({ host: '127.0.0.1', port: 8089 }).maxDatagramBytes; // 1400 (DEFAULT_MAX_DATAGRAM_BYTES)
 * ```
 */
export const DEFAULT_MAX_DATAGRAM_BYTES = 1_400;

/** Options of {@link UdpSender}. */
export interface UdpSenderOptions {
  /** Host of the InfluxDB UDP listener (name, IPv4 or IPv6 address). */
  host: string;
  /** Port of the listener (the `bind-address` of the server's `[[udp]]` section; commonly 8089 or 4444). */
  port: number;
  /**
   * Largest datagram sent, in bytes: 1400 by default (no IP fragmentation on Ethernet); up to
   * 65507. A packet is split into several datagrams at line boundaries; a single line longer
   * than this is refused.
   */
  maxDatagramBytes?: number;
  /**
   * The `precision` of the server's `[[udp]]` section (`''` in the server config is `'n'`).
   * A UDP listener reads every timestamp in ITS configured precision; nothing in a datagram can
   * say otherwise. `send(body, { precision })` refuses a body encoded in any other precision,
   * which would store wrong times (a millisecond timestamp read as nanoseconds lands in 1970).
   * Default `'n'`, the server's default.
   */
  precision?: Precision | '';
}

/** Options of {@link UdpSender.send}. */
export interface UdpSendOptions {
  /**
   * The precision the body's timestamps were encoded in. When given, it must be the listener's
   * precision (see {@link UdpSenderOptions.precision}); otherwise the body is refused before
   * anything is sent.
   */
  precision?: Precision;
}

const SAME_AS_N: Readonly<Record<string, string>> = { ns: 'n', '': 'n' };
const canonical = (p: string): string => SAME_AS_N[p] ?? p;

/**
 * Sends line protocol to an InfluxDB UDP listener (`[[udp]]` in influxdb.conf), as
 * influxdb-python's `send_packet`. A body is split into datagrams of at most `maxDatagramBytes`
 * at line boundaries: a line is never cut in two (the listener parses each datagram on its own,
 * and half a line would be dropped or, worse, stored as a different point).
 *
 * UDP has no acknowledgement: `send` resolves once the datagrams are handed to the operating
 * system; the server may still drop them (full buffers, a parse error: the listener only logs
 * it). There is no flow control either: a burst larger than the listener's socket receive buffer
 * (Linux default 208 KiB, counted with per-datagram overhead; `read-buffer` in `[[udp]]`) is
 * dropped by the kernel (measured: 2000 lines of ~90 bytes sent at once lost 5 of ~130 datagrams
 * on loopback). Raise `read-buffer` or send smaller packets; use HTTP when every point must be
 * stored.
 *
 * The listener reads timestamps in its own configured `precision` (see
 * {@link UdpSenderOptions.precision}); encode bodies in that precision.
 *
 * ```ts
 * const udp = new UdpSender({ host: '127.0.0.1', port: 8089 });
 * await udp.send('cpu,host=a usage=0.5 1257894000000000000\ncpu,host=b usage=0.7 1257894000000000000\n');
 * // one datagram: both lines, each ending in '\n'
 * await udp.close();
 * ```
 */
export class UdpSender {
  readonly host: string;
  readonly port: number;
  readonly maxDatagramBytes: number;
  /** The listener's precision, as configured ('n' for nanoseconds). */
  readonly precision: Precision;
  #socket: Socket | undefined;
  #closed = false;
  #sending = 0;
  #address: { value: string; at: number } | undefined;

  constructor(options: UdpSenderOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InfluxConfigError('UdpSender: options { host, port } are required');
    }
    const { host, port, maxDatagramBytes = DEFAULT_MAX_DATAGRAM_BYTES, precision = 'n' } = options;
    if (typeof host !== 'string' || host === '' || /[\s/?#@]/.test(host)) {
      throw new InfluxConfigError(
        `UdpSender(host): must be a host name or IP address, got ${typeof host === 'string' ? JSON.stringify(host.slice(0, 60)) : typeof host}`,
      );
    }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InfluxConfigError(`UdpSender(port): must be an integer from 1 to 65535, got ${String(port)}`);
    }
    if (
      typeof maxDatagramBytes !== 'number' ||
      !Number.isInteger(maxDatagramBytes) ||
      maxDatagramBytes < 64 ||
      maxDatagramBytes > MAX_UDP_PAYLOAD
    ) {
      throw new InfluxConfigError(
        `UdpSender(maxDatagramBytes): must be an integer from 64 to ${MAX_UDP_PAYLOAD}, got ${String(maxDatagramBytes)}`,
      );
    }
    this.host = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    this.port = port;
    this.maxDatagramBytes = maxDatagramBytes;
    this.precision = precision === '' ? 'n' : checkPrecision(precision, 'UdpSender(precision)');
  }

  /**
   * Throws {@link InfluxConfigError} when `precision` (the precision a body's timestamps were
   * encoded in) is not the listener's. Call it before encoding points for UDP.
   *
   * ```ts
   * const udp = new UdpSender({ host: '127.0.0.1', port: 8089 }); // listener precision 'n'
   * udp.checkPrecision('ns'); // fine ('ns' is 'n')
   * udp.checkPrecision('ms'); // throws InfluxConfigError: UDP timePrecision: 'ms' differs from …
   * ```
   */
  checkPrecision(precision: Precision | undefined): void {
    if (precision === undefined) return;
    const p = checkPrecision(precision, 'UDP timePrecision');
    if (canonical(p) !== canonical(this.precision)) {
      throw new InfluxConfigError(
        `UDP timePrecision: '${p}' differs from the UDP listener's precision '${this.precision}'; a UDP listener reads every timestamp in the precision of its [[udp]] configuration, so these times would be stored wrong. Encode with '${this.precision}' (or set the sender's precision to match the server's [[udp]] precision)`,
      );
    }
  }

  /**
   * Splits line protocol into datagram payloads of at most `maxDatagramBytes`, each ending in
   * '\n', cutting only where InfluxDB's own parser ends a line: a newline inside a quoted string
   * field value (which line protocol carries raw) or after a backslash does not end a line, so
   * such a point is never cut in two. Blank lines at the start of a datagram are dropped. Throws
   * {@link InfluxValidationError} naming the first line (counting non-blank lines from 1) longer
   * than the limit.
   *
   * The body is encoded once and cut into views of that one buffer, not copies.
   *
   * ```ts
   * const udp = new UdpSender({ host: '127.0.0.1', port: 8089, maxDatagramBytes: 64 });
   * udp.split('cpu,host=a usage=0.5 1\ncpu,host=b usage=0.7 1').map(String);
   * // ['cpu,host=a usage=0.5 1\ncpu,host=b usage=0.7 1\n']   (one datagram: 46 bytes <= 64)
   * ```
   */
  split(body: string): Buffer[] {
    if (typeof body !== 'string') {
      throw new InfluxValidationError(
        'udp packet',
        undefined,
        `must be line protocol text, got ${typeof body}`,
      );
    }
    if (body === '') return [];
    const buf = Buffer.from(body.endsWith('\n') ? body : `${body}\n`, 'utf8');
    // Only quotes and backslashes make a newline byte something else than a line end.
    const plain = buf.indexOf(34) < 0 && buf.indexOf(92) < 0;
    const max = this.maxDatagramBytes;
    const out: Buffer[] = [];
    let start = 0; // start of the datagram being filled
    let filled = 0; // end of its last whole line
    let lineNo = 0;
    let pos = 0;
    while (pos < buf.length) {
      const lineStart = pos;
      const nl = plain ? buf.indexOf(10, pos) : lineEnd(buf, pos);
      pos = nl < 0 || nl >= buf.length ? buf.length : nl + 1;
      const blank = pos - lineStart === 1;
      if (!blank) lineNo++;
      if (pos - start > max && filled > start) {
        out.push(buf.subarray(start, filled));
        start = filled;
      }
      if (blank && filled === start) {
        start = filled = pos;
        continue;
      }
      if (pos - start > max) throw this.#tooLong(buf, lineStart, pos, lineNo);
      filled = pos;
    }
    if (filled > start) out.push(buf.subarray(start, filled));
    return out;
  }

  #tooLong(buf: Buffer, start: number, end: number, lineNo: number): InfluxValidationError {
    const line = buf.toString('utf8', start, Math.min(end - 1, start + 200));
    const head = line.length > 50 ? `${line.slice(0, 50)}…` : line;
    return new InfluxValidationError(
      'udp packet',
      `line ${lineNo}`,
      `is ${end - start} bytes with its newline, more than maxDatagramBytes (${this.maxDatagramBytes}); a line cannot be split across datagrams (raise maxDatagramBytes up to ${MAX_UDP_PAYLOAD} or write it over HTTP): ${JSON.stringify(head)}`,
    );
  }

  /**
   * Sends line protocol text. The whole body is checked and split first, so a body with a line
   * that cannot be sent is refused as a whole and nothing of it is sent.
   *
   * ```ts
   * const udp = new UdpSender({ host: '127.0.0.1', port: 8089 });
   * await udp.send('cpu,host=a usage=0.5 1257894000000000000\n', { precision: 'n' });
   * ```
   */
  async send(body: string, options: UdpSendOptions = {}): Promise<void> {
    if (this.#closed) throw new InfluxClosedError('UdpSender: send() after close()');
    this.checkPrecision(options.precision);
    const datagrams = this.split(body);
    if (datagrams.length === 0) return;
    const address = await this.#resolve();
    if (this.#closed) throw new InfluxClosedError('UdpSender: closed while sending');
    const socket = this.#open();
    // Keep the process alive while datagrams are queued; let it exit once they are handed over.
    if (this.#sending++ === 0) socket.ref();
    try {
      for (const datagram of datagrams) {
        if (this.#socket !== socket) throw new InfluxClosedError('UdpSender: closed while sending');
        await new Promise<void>((resolve, reject) => {
          socket.send(datagram, this.port, address, (err) =>
            err
              ? reject(
                  new InfluxConnectionError(`UDP send to ${this.host}:${this.port} failed: ${err.message}`, {
                    cause: err,
                  }),
                )
              : resolve(),
          );
        });
      }
    } finally {
      if (--this.#sending === 0 && this.#socket === socket) socket.unref();
    }
  }

  /**
   * The address to send to: the host itself when it is an IP address, else its IPv4 address,
   * looked up once and kept for 30 s (node:dgram would look the name up for every datagram).
   */
  async #resolve(): Promise<string> {
    if (process.getBuiltinModule('node:net').isIP(this.host)) return this.host;
    const cached = this.#address;
    if (cached && Date.now() - cached.at < ADDRESS_TTL_MS) return cached.value;
    try {
      const { address } = await process
        .getBuiltinModule('node:dns/promises')
        .lookup(this.host, { family: 4 });
      this.#address = { value: address, at: Date.now() };
      return address;
    } catch (err) {
      const code = (err as { code?: string }).code ?? String(err);
      throw new InfluxConnectionError(`UDP host ${this.host} could not be resolved (${code})`, {
        cause: err,
      });
    }
  }

  /**
   * Closes the socket; later `send` calls throw {@link InfluxClosedError}. Idempotent.
   *
   * ```ts
   * await udp.close();
   * await udp.send('cpu usage=1'); // rejects with InfluxClosedError: UdpSender: send() after close()
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  #open(): Socket {
    if (!this.#socket) {
      const { createSocket } = process.getBuiltinModule('node:dgram');
      const socket = createSocket(process.getBuiltinModule('node:net').isIPv6(this.host) ? 'udp6' : 'udp4');
      socket.unref();
      // Send errors reach the send() callback; this keeps an 'error' event from crashing the process.
      socket.on('error', () => {});
      this.#socket = socket;
    }
    return this.#socket;
  }
}
