export { escapeFieldKey, escapeMeasurement, escapeTag, quoteStringField } from './escape.js';
export {
  formatFieldValue,
  formatFloat,
  formatInteger,
  INT64_MAX,
  INT64_MIN,
} from './format.js';
export { lineEnd, scanLineLength } from './line-scanner.js';
export { createLineEncoder, makeLine, makeLines, makeLinesBytes } from './make-lines.js';
export type { FieldValue, Point, TagValue, WriteBody } from './point.js';
export { checkPrecision, NANOS_PER_UNIT, type Precision } from './precision.js';
export { checkSeriesKey, MAX_SERIES_KEY_BYTES } from './series-key.js';
export {
  dateToNanos,
  floorDiv,
  formatTime,
  MAX_NANO_TIME,
  MIN_NANO_TIME,
  nanosToRfc3339,
  parseRfc3339,
  type TimeInput,
} from './time.js';
