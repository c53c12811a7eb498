/*
 * The shapes of the data the encoders take: a point, its field and tag values, a write body.
 */
import type { TimeInput } from './time.js';

/**
 * A field value: `number` is always a float (never guessed to be an integer), `bigint` an int64
 * integer (`i` suffix), `boolean`, or `string`. `null`/`undefined` fields are left out.
 */
export type FieldValue = number | bigint | boolean | string;

/** A tag value; non-strings are written as `String(value)`; `''`, `null`, `undefined` are left out. */
export type TagValue = string | number | bigint | boolean | null | undefined;

/** One point, as in influxdb-python: `{ measurement, tags?, fields, time? }`. */
export interface Point {
  /** The measurement; may be omitted when the body gives one. */
  measurement?: string;
  tags?: Readonly<Record<string, TagValue>> | undefined;
  fields: Readonly<Record<string, FieldValue | null | undefined>>;
  /** Omitted or null: the server's time of arrival. See {@link TimeInput}. */
  time?: TimeInput | null | undefined;
}

/** A write body, as in influxdb-python: the points plus tags and a measurement shared by all. */
export interface WriteBody {
  points: Iterable<Point>;
  /** Tags added to every point; a point's own tag of the same key wins. */
  tags?: Readonly<Record<string, TagValue>> | undefined;
  /** Measurement of the points that name none. */
  measurement?: string | undefined;
}
