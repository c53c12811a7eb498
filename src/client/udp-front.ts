/**
 * The client's UDP front (`useUdp`, `sendPacket`): points, packets and registry batches go to the
 * server's UDP listener through one {@link UdpSender}, made on first use. The listener reads times
 * in ITS precision (`udpPrecision`); a body in another precision is refused.
 */
import { describeValue } from '../check-value.js';
import { InfluxConfigError, InfluxValidationError } from '../errors.js';
import { createLineEncoder, makeLines, type Point, type WriteBody } from '../line-protocol/make-lines.js';
import { checkPrecision, type Precision } from '../line-protocol/precision.js';
import type { WritePointsOptions } from './client-options.js';
import { UdpSender } from './udp-sender.js';
import { lineOf } from './write-batcher.js';

/** Options of {@link InfluxDBClient.sendPacket}. */
export interface SendPacketOptions {
  /** 'line' (default): the packet is line protocol or an array of lines; 'json': a write body. */
  protocol?: 'line' | 'json';
  /** Precision to encode a 'json' packet in; must match the UDP listener's precision. */
  timePrecision?: Precision;
}

/** Where the UDP listener is and how it reads. */
export interface UdpFrontOptions {
  host: string;
  port: number;
  precision: Precision;
  maxDatagramBytes: number | undefined;
}

/** The UDP side of one client. */
export class UdpFront {
  #sender: UdpSender | undefined;

  constructor(private readonly options: UdpFrontOptions) {}

  /** The sender, made (and its options checked) on first use. */
  sender(): UdpSender {
    this.#sender ??= new UdpSender({
      host: this.options.host,
      port: this.options.port,
      precision: this.options.precision,
      ...(this.options.maxDatagramBytes !== undefined
        ? { maxDatagramBytes: this.options.maxDatagramBytes }
        : {}),
    });
    return this.#sender;
  }

  /** `writePoints` over UDP: batches of `batchSize` points, each split into datagrams at line boundaries. */
  async writePoints(
    points: Iterable<Point | string>,
    precision: Precision,
    tags: WritePointsOptions['tags'],
    batchSize: number,
  ): Promise<void> {
    const udp = this.sender();
    udp.checkPrecision(precision);
    const encode = createLineEncoder(precision, tags);
    let body = '';
    let count = 0;
    let i = 0;
    for (const p of points) {
      body += typeof p === 'string' ? lineOf(p, i) : `${encode(p, i)}\n`;
      i++;
      if (++count >= batchSize) {
        await udp.send(body, { precision });
        body = '';
        count = 0;
      }
    }
    if (body !== '') await udp.send(body, { precision });
  }

  /** A registry batch (the client's `commit` with `useUdp`). */
  async commit(body: string, precision: Precision): Promise<void> {
    await this.sender().send(body, { precision });
  }

  /** `client.sendPacket(packet, options)`, after the client checked that it is open. */
  async sendPacket(
    packet: string | readonly string[] | WriteBody,
    options: SendPacketOptions,
  ): Promise<void> {
    const udp = this.sender();
    const precision =
      options.timePrecision === undefined
        ? udp.precision
        : checkPrecision(options.timePrecision, 'sendPacket(timePrecision)');
    udp.checkPrecision(precision);
    let body: string;
    if (options.protocol === 'json') {
      if (packet === null || typeof packet !== 'object' || Array.isArray(packet)) {
        throw new InfluxValidationError(
          'sendPacket(packet)',
          undefined,
          'with protocol json, packet must be a write body { points }',
        );
      }
      body = makeLines(packet as WriteBody, precision);
    } else if (options.protocol === undefined || options.protocol === 'line') {
      if (typeof packet === 'string') body = packet;
      else if (Array.isArray(packet)) body = packet.map((l, i) => lineOf(l, i)).join('');
      else {
        throw new InfluxValidationError(
          'sendPacket(packet)',
          undefined,
          `must be line protocol text or an array of lines, got ${describeValue(packet)}`,
        );
      }
    } else {
      throw new InfluxConfigError(
        `sendPacket(protocol): must be 'line' or 'json', got ${describeValue(options.protocol)}`,
      );
    }
    if (body === '') return;
    await udp.send(body, { precision });
  }

  /** Closes the socket, when one was opened. */
  close(): Promise<void> | undefined {
    return this.#sender?.close();
  }
}
