import { Buffer } from 'node:buffer';

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
    let len = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
    if (len < width) len = width;
    if (this.pos + len > this.buf.length) this.ensure(len);
    const buf = this.buf;
    let p = this.pos + len;
    this.pos = p;
    for (let i = 0; i < len; i++) {
      const q = Math.floor(n / 10);
      buf[--p] = 0x30 + (n - q * 10);
      n = q;
    }
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
