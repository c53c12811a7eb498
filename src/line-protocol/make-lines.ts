/*
 * The entry points of the point encoder: makeLine, makeLines, makeLinesBytes and
 * createLineEncoder, thin fronts over encoder.ts. The state shared between calls (the caches of
 * encoders without body tags and one reusable writer) is owned by one object, `encoders`.
 */
import { InfluxValidationError } from '../errors.js';
import { Encoder } from './encoder.js';
import { typeOf } from './escape.js';
import { EncoderCaches } from './key-shapes.js';
import { LineWriter } from './line-writer.js';
import type { Point, TagValue, WriteBody } from './point.js';
import { checkPrecision, type Precision } from './precision.js';

export { formatFieldValue, formatFloat, formatInteger } from './format.js';
export { scanLineLength } from './line-scanner.js';
export type { FieldValue, Point, TagValue, WriteBody } from './point.js';

/**
 * The state shared by the encoding calls of this module: the caches of the encoders without body
 * tags, and one writer reused by non-overlapping calls (a nested call, from a user iterator, gets
 * its own).
 */
class SharedEncoders {
  private caches = new EncoderCaches();
  private share = true;
  private writer: LineWriter | undefined;
  private busy = false;

  /** An encoder writing into `w`. */
  encoder(
    w: LineWriter,
    precision: Precision,
    bodyTags: Readonly<Record<string, TagValue>> | undefined,
    bodyMeasurement: string | undefined,
  ): Encoder {
    const shared = this.share ? this.caches : new EncoderCaches();
    return new Encoder(w, precision, bodyTags, bodyMeasurement, shared, newCaches);
  }

  /** Runs `fn` with the shared writer (reset), or a new one when it is in use. */
  withWriter<T>(fn: (w: LineWriter) => T): T {
    if (this.busy) return fn(new LineWriter(1 << 12));
    this.busy = true;
    if (this.writer === undefined) this.writer = new LineWriter();
    const w = this.writer;
    w.reset();
    try {
      return fn(w);
    } finally {
      this.busy = false;
      // Do not keep a huge buffer alive after a one-off giant batch.
      if (w.buf.length > 1 << 24) this.writer = undefined;
    }
  }

  /** See {@link shareEncoderCaches}. */
  shareCaches(on: boolean): void {
    this.share = on;
    this.caches = new EncoderCaches();
  }
}

const newCaches = () => new EncoderCaches();
const encoders = new SharedEncoders();

/**
 * Internal (not exported by the package), for tests: empties the shared caches; `false` gives
 * every encoder fresh caches, so that a single point is encoded by the uncached rules alone.
 *
 * ```ts
 * shareEncoderCaches(false);
 * makeLine(point); // written without any cached head or key list
 * shareEncoderCaches(true);
 * ```
 */
export function shareEncoderCaches(on: boolean): void {
  encoders.shareCaches(on);
}

function isWriteBody(body: unknown): body is WriteBody {
  return (
    typeof body === 'object' &&
    body !== null &&
    !(Symbol.iterator in body) &&
    'points' in (body as Record<string, unknown>)
  );
}

function encodeBody(w: LineWriter, body: WriteBody | Iterable<Point>, precision: Precision): void {
  if (body === null || typeof body !== 'object') {
    throw new InfluxValidationError(
      'body',
      undefined,
      `must be a body or an iterable of points, got ${typeOf(body)}`,
    );
  }
  const isBody = isWriteBody(body);
  const points: Iterable<Point> = isBody ? body.points : (body as Iterable<Point>);
  if (points === null || typeof points !== 'object' || !(Symbol.iterator in points)) {
    throw new InfluxValidationError('body', 'points', `must be an iterable of points, got ${typeOf(points)}`);
  }
  const enc = encoders.encoder(
    w,
    precision,
    isBody ? body.tags : undefined,
    isBody ? body.measurement : undefined,
  );
  if (Array.isArray(points)) {
    for (let i = 0; i < points.length; i++) {
      enc.index = i;
      enc.point(points[i]);
      w.byte(0x0a);
    }
  } else {
    let i = 0;
    for (const p of points) {
      enc.index = i++;
      enc.point(p);
      w.byte(0x0a);
    }
  }
}

/**
 * Encodes one point as a line of line protocol (without the trailing newline). Throws
 * {@link InfluxValidationError} (where `point`) for anything InfluxDB cannot store exactly.
 *
 * ```ts
 * makeLine({ measurement: 'cpu', tags: { host: 'a b' }, fields: { usage: 0.5, cores: 4n }, time: 1n }, 'ns');
 * // 'cpu,host=a\ b cores=4i,usage=0.5 1'
 * ```
 */
export function makeLine(point: Point, precision: Precision = 'n'): string {
  checkPrecision(precision, 'precision');
  return encoders.withWriter((w) => {
    encoders.encoder(w, precision, undefined, undefined).point(point);
    return w.text();
  });
}

/**
 * Encodes a body (or an iterable of points) as line protocol: one line per point, tags and fields
 * sorted by key, body tags merged under the point's tags, every line ending with `\n`.
 * Throws {@link InfluxValidationError} naming the point (`points[i]`) and key for anything that
 * cannot be stored exactly; nothing is returned for a body with a bad point.
 *
 * ```ts
 * makeLines({ tags: { region: 'eu' }, points: [{ measurement: 'cpu', fields: { v: 1 }, time: 0n }] });
 * // 'cpu,region=eu v=1 0\n'
 * ```
 */
export function makeLines(body: WriteBody | Iterable<Point>, precision: Precision = 'n'): string {
  checkPrecision(precision, 'precision');
  return encoders.withWriter((w) => {
    encodeBody(w, body, precision);
    return w.text();
  });
}

/**
 * Like {@link makeLines}, but returns the UTF-8 bytes, ready to be sent as a request body
 * (skips building a string).
 *
 * ```ts
 * new TextDecoder().decode(makeLinesBytes([{ measurement: 'm', fields: { s: 'é' } }])); // 'm s="é"\n'
 * ```
 */
export function makeLinesBytes(body: WriteBody | Iterable<Point>, precision: Precision = 'n'): Uint8Array {
  checkPrecision(precision, 'precision');
  return encoders.withWriter((w) => {
    encodeBody(w, body, precision);
    return w.bytes();
  });
}

/**
 * For the client's batching: returns a function that encodes one point (without newline), sharing
 * one escape cache across calls. `index` names the point in errors (`points[index]`).
 *
 * ```ts
 * const encode = createLineEncoder('s', { region: 'eu' });
 * encode({ measurement: 'cpu', fields: { v: 1 }, time: 10 }, 0); // 'cpu,region=eu v=1 10'
 * ```
 */
export function createLineEncoder(
  precision: Precision,
  bodyTags?: Readonly<Record<string, TagValue>>,
  bodyMeasurement?: string,
): (point: Point, index: number) => string {
  const w = new LineWriter(1 << 10);
  const enc = encoders.encoder(w, precision, bodyTags, bodyMeasurement);
  return (point, index) => {
    w.reset();
    enc.index = index;
    enc.point(point);
    return w.text();
  };
}
