/**
 * The one copy of influxd's line-splitting rule (src/line-protocol/line-scanner.ts), used by the
 * encoders' single-line check, UdpSender.split and MemoryInflux: the same answers on text and on
 * UTF-8 bytes, and influxd's guard for a backslash near the end of the buffer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UdpSender } from '../src/client/udp-sender.js';
import { isOneLine } from '../src/line-protocol/line-scanner.js';
import { splitLines } from '../src/testing/memory-store.js';
import { lineEnd, scanLineLength } from '../src/wire.js';

/** The lines influxd finds in `body` (the rule applied from each line start). */
function lines(body: string | Uint8Array): number[] {
  const ends: number[] = [];
  for (let pos = 0; pos < body.length; ) {
    const end = lineEnd(body, pos);
    ends.push(end);
    pos = end + 1;
  }
  return ends;
}

describe('lineEnd (influxd scanLine)', () => {
  it('ends a line at a newline, except inside a string field or after a backslash', () => {
    expect(lineEnd('cpu v=1 1\ncpu v=2 2', 0)).toBe(9);
    expect(lineEnd('cpu v=1 1\ncpu v=2 2', 10)).toBe(19);
    expect(lineEnd('cpu s="a\nb" 1\ncpu v=2', 0)).toBe(13);
    expect(lineEnd('cpu,t=a\\\nb v=1 1\nx v=1', 0)).toBe(16);
  });

  it('treats a backslash with fewer than two characters after it as an ordinary character (influxd >= 1.4)', () => {
    // `buf[i] == '\\' && i+2 < len(buf)`: the backslash before the final newline does not escape it.
    expect(lineEnd('cpu v=1 1\\\n', 0)).toBe(10);
    expect(lineEnd('cpu v=1 1\\', 0)).toBe(10); // a trailing backslash: the line ends with the text
    expect(scanLineLength('cpu v=1 1\\')).toBe(10);
    // With more text after it, the same backslash escapes the newline.
    expect(lineEnd('cpu v=1 1\\\nx', 0)).toBe(12);
    // Never past the end of the text.
    for (const s of ['\\', '\\\\', 'a\\', 'a b=\\', 'a b="\\'])
      expect(lineEnd(s, 0)).toBeLessThanOrEqual(s.length);
  });

  it('tracks quotes from an early space: a tag key holding backslash-space', () => {
    // The tag key `a\ b` is written `a\\ b`: the backslash pair leaves the space a space, so the
    // `"` in the tag value opens a string and the newline inside the string field ends the line.
    const raw = 'nl,a\\\\ b=p"q s="x\ny" 1\nnl v=1 5\n';
    expect(lineEnd(raw, 0)).toBe(raw.indexOf('\n'));
    // Without the quote in the tag, the string field's newline stays inside the line.
    const fine = 'nl,a\\\\ b=pq s="x\ny" 1\nnl v=1 5\n';
    expect(lineEnd(fine, 0)).toBe(fine.indexOf('\n', fine.indexOf('y')));
  });

  it('gives the same line ends on text and on its UTF-8 bytes', () => {
    const char = fc.constantFrom('a', 'é', '😀', ' ', ',', '=', '"', '\\', '\n');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 60 }), (chars) => {
        const text = chars.join('');
        const bytes = Buffer.from(text, 'utf8');
        const byText = lines(text).map((e) => Buffer.byteLength(text.slice(0, e), 'utf8'));
        expect(lines(bytes)).toEqual(byText);
      }),
      { numRuns: 500 },
    );
  });

  it('is the rule of UdpSender.split and of MemoryInflux', () => {
    const body = 'a,t=x\\\\ y s="1\n2" 1\nb v=1 2\nc v=1 3\\';
    const ends = lines(body);
    const expected = ends.map((e, i) => body.slice(i === 0 ? 0 : (ends[i - 1] as number) + 1, e));
    expect(splitLines(body)).toEqual(expected);
    const udp = new UdpSender({ host: '127.0.0.1', port: 8089, maxDatagramBytes: 64 });
    const datagrams = udp.split(body).map(String);
    expect(datagrams.join('')).toBe(`${body}\n`);
    for (const d of datagrams) expect(lines(d).at(-1)).toBe(d.length - 1); // whole lines only
  });

  it('isOneLine checks a written line followed by its newline', () => {
    const buf = Buffer.from('nl,a\\\\ b=p"q s="x\ny" 1\n', 'utf8');
    expect(isOneLine(buf, 0, buf.length - 1)).toBe(false);
    const ok = Buffer.from('nl,a\\\\ b=pq s="x\ny" 1\n', 'utf8');
    expect(isOneLine(ok, 0, ok.length - 1)).toBe(true);
  });
});
