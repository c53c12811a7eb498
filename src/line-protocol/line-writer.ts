import { PAIRS, writeShortest } from './float.js';

/** Decimal digits of a non-negative safe integer. */
function digitCount(n: number): number {
  if (n < 1e8) {
    if (n < 1e4) return n < 100 ? (n < 10 ? 1 : 2) : n < 1000 ? 3 : 4;
    return n < 1e6 ? (n < 1e5 ? 5 : 6) : n < 1e7 ? 7 : 8;
  }
  if (n < 1e12) return n < 1e10 ? (n < 1e9 ? 9 : 10) : n < 1e11 ? 11 : 12;
  return n < 1e14 ? (n < 1e13 ? 13 : 14) : n < 1e15 ? 15 : 16;
}

/**
 * A growable byte buffer that line protocol is written into. Encoding into bytes (instead of
 * concatenating strings) keeps the encoder's garbage short-lived: a string built with `+=` is a
 * rope of cons cells that all survive until the batch is flattened, and the garbage collector
 * spends most of the time copying them.
 *
 * Internal: not part of the public API.
 */
export class LineWriter {
  buf: Buffer;
  pos = 0;
  /** True while every byte written is ASCII (so the output can be decoded as latin1, fast). */
  ascii = true;

  constructor(capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  reset(): void {
    this.pos = 0;
    this.ascii = true;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Writes a string known to be ASCII (numbers, literals). */
  ascii7(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Writes a non-negative safe integer's decimal digits, zero-padded to `width`. */
  digits(n: number, width = 0): void {
    let len = digitCount(n);
    if (len < width) len = width;
    if (this.pos + len > this.buf.length) this.ensure(len);
    const buf = this.buf;
    const end = this.pos + len;
    this.pos = end;
    let p = end;
    // Two digits per division, from a table of the 100 pairs; in int32 once small enough (an
    // integer division by a constant is then a multiply and a shift).
    while (n >= 2147483648) {
      const q = Math.floor(n / 100);
      const r = (n - q * 100) << 1;
      buf[--p] = PAIRS[r + 1] as number;
      buf[--p] = PAIRS[r] as number;
      n = q;
    }
    let x = n | 0;
    while (x >= 100) {
      const q = (x / 100) | 0;
      const r = (x - q * 100) << 1;
      buf[--p] = PAIRS[r + 1] as number;
      buf[--p] = PAIRS[r] as number;
      x = q;
    }
    n = x;
    if (n >= 10) {
      buf[--p] = PAIRS[(n << 1) + 1] as number;
      buf[--p] = PAIRS[n << 1] as number;
    } else buf[--p] = 0x30 + n;
    while (p > end - len) buf[--p] = 0x30;
  }

  /**
   * Writes a finite float that is not a safe integer, as `String(v)` would (shortest round-trip
   * text), without building the string when it can.
   */
  float(v: number): void {
    if (this.pos + 25 > this.buf.length) this.ensure(25);
    const end = writeShortest(v, this.buf, this.pos);
    if (end >= 0) this.pos = end;
    else this.ascii7(String(v));
  }

  /** Copies bytes (a pre-encoded fragment). */
  raw(src: Uint8Array): void {
    const n = src.length;
    if (this.pos + n > this.buf.length) this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    if (n > 16) {
      // TypedArray#set (a memmove) beats a byte loop past a dozen bytes or so.
      buf.set(src, p);
      this.pos = p + n;
      return;
    }
    for (let i = 0; i < n; i++) buf[p++] = src[i] as number;
    this.pos = p;
  }

  /** Writes a safe integer (sign included). */
  int(n: number): void {
    if (n < 0) {
      this.byte(0x2d);
      this.digits(-n);
    } else this.digits(n);
  }

  /** Writes any well-formed string as UTF-8. */
  str(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.ensure(n);
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        // Not ASCII: let node's UTF-8 encoder write the whole string.
        this.ensure(n * 3);
        this.pos = start + this.buf.write(s, start, 'utf8');
        this.ascii = false;
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** The bytes written so far, decoded as a string. */
  text(): string {
    return this.buf.toString(this.ascii ? 'latin1' : 'utf8', 0, this.pos);
  }

  /** A copy of the bytes written so far. */
  bytes(): Uint8Array {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }
}
