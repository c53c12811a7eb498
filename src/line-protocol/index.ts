export { escapeFieldKey, escapeMeasurement, escapeTag, quoteStringField } from './escape.js';
export {
  createLineEncoder,
  type FieldValue,
  formatFieldValue,
  formatFloat,
  formatInteger,
  makeLine,
  makeLines,
  makeLinesBytes,
  type Point,
  scanLineLength,
  type TagValue,
  type WriteBody,
} from './make-lines.js';
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
