/*
 * InfluxDB's line-splitting rule (`models.scanLine` in influxd 1.x), the one copy every part of
 * the library uses: the encoders check lines that a tag's `\\ ` could make split wrong, the UDP
 * sender cuts datagrams only at line ends, the in-memory server splits write bodies.
 */

/**
 * Index of the newline that ends the line starting at `from` in `text` (a string, or UTF-8
 * bytes: the rule only looks at ASCII characters, which UTF-8 never uses inside a multi-byte
 * character), or `text.length` when no newline ends it. The rule of influxd's `scanLine`:
 *
 * - a backslash skips the character after it, unless fewer than two characters follow it in the
 *   whole text (`buf[i] == '\\' && i+2 < len(buf)`, influxd 1.4 and later, influxdata/influxdb#9086:
 *   a backslash at the very end, or before the final newline, is an ordinary character);
 * - after the first space (the fields), a `"` where a field value starts (more `=` than `,`
 *   seen outside quotes) opens or closes a string, and a newline inside a string does not end
 *   the line.
 *
 * Note the escaping is not the encoder's: a space preceded by an even run of backslashes counts
 * as the space, so a tag written `a\\ b` (the value `a\ b`) starts the quote tracking early.
 *
 * ```ts
 * lineEnd('cpu v=1 1\ncpu v=2 2', 0);     // 9
 * lineEnd('cpu s="a\nb" 1\ncpu v=2', 0);  // 13 (the newline inside the string field is kept)
 * lineEnd('cpu v=1 1\\\n', 0);            // 10 (a backslash before the final newline does not escape it)
 * ```
 */
export function lineEnd(text: string | Uint8Array, from: number): number {
  const isText = typeof text === 'string';
  const n = text.length;
  let quoted = false;
  let fields = false;
  let equals = 0;
  let commas = 0;
  let i = from;
  while (i < n) {
    const c = isText ? (text as string).charCodeAt(i) : ((text as Uint8Array)[i] as number);
    if (c === 0x5c && i + 2 < n) {
      i += 2;
      continue;
    }
    if (c === 0x20) fields = true;
    if (fields) {
      if (!quoted && c === 0x3d) {
        equals++;
        i++;
        continue;
      }
      if (!quoted && c === 0x2c) {
        commas++;
        i++;
        continue;
      }
      if (c === 0x22 && equals > commas) {
        quoted = !quoted;
        i++;
        continue;
      }
    }
    if (c === 0x0a && !quoted) return i;
    i++;
  }
  return n;
}

/**
 * Returns the length of the first line InfluxDB's line splitter finds in `line` (see
 * {@link lineEnd}). Exposed so that every encoder can check lines that carry a raw newline.
 *
 * ```ts
 * scanLineLength('cpu v=1 1\ncpu v=2 2');       // 9  ('cpu v=1 1')
 * scanLineLength('cpu s="a\nb" 1\ncpu v=2');   // 13 (the newline inside the string field is kept)
 * ```
 */
export function scanLineLength(line: string): number {
  return lineEnd(line, 0);
}

/**
 * Whether influxd reads `buf[start..end)` as one line, where `buf[end]` is the newline written
 * after it: the check of a line whose tags hold `\\ ` (see {@link lineEnd}).
 *
 * ```ts
 * w.byte(0x0a);
 * if (!isOneLine(w.buf, start, w.pos - 1)) throw ...;
 * ```
 */
export function isOneLine(buf: Uint8Array, start: number, end: number): boolean {
  return lineEnd(buf.subarray(start, end + 1), 0) === end - start;
}
