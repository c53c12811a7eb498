import { Buffer } from 'node:buffer';

/**
 * A msgpack writer with explicit types, so the tests control every encoding (a general encoder would
 * write -0 as the integer 0 and pick its own widths).
 */
export function mp(v: unknown): Buffer {
  const parts: Buffer[] = [];
  const w = (...bytes: number[]) => parts.push(Buffer.from(bytes));
  const walk = (x: unknown): void => {
    if (x === null) w(0xc0);
    else if (x === true) w(0xc3);
    else if (x === false) w(0xc2);
    else if (typeof x === 'number') {
      if (!Number.isInteger(x) || Object.is(x, -0)) {
        const b = Buffer.alloc(9);
        b[0] = 0xcb;
        b.writeDoubleBE(x, 1);
        parts.push(b);
      } else if (x >= 0 && x < 128) w(x);
      else if (x < 0 && x >= -32) w(x + 0x100);
      else if (x >= 0 && x < 256) w(0xcc, x);
      else if (x >= 0 && x < 65536) w(0xcd, x >> 8, x & 255);
      else if (x >= 0 && x < 2 ** 32) {
        const b = Buffer.alloc(5);
        b[0] = 0xce;
        b.writeUInt32BE(x, 1);
        parts.push(b);
      } else if (x >= -128 && x < 0) w(0xd0, x & 255);
      else if (x >= -32768 && x < 0) {
        const b = Buffer.alloc(3);
        b[0] = 0xd1;
        b.writeInt16BE(x, 1);
        parts.push(b);
      } else if (x >= -(2 ** 31) && x < 0) {
        const b = Buffer.alloc(5);
        b[0] = 0xd2;
        b.writeInt32BE(x, 1);
        parts.push(b);
      } else walk({ i64: BigInt(x) });
    } else if (typeof x === 'string') {
      const s = Buffer.from(x, 'utf8');
      if (s.length < 32) w(0xa0 | s.length);
      else if (s.length < 256) w(0xd9, s.length);
      else if (s.length < 65536) w(0xda, s.length >> 8, s.length & 255);
      else {
        const b = Buffer.alloc(5);
        b[0] = 0xdb;
        b.writeUInt32BE(s.length, 1);
        parts.push(b);
      }
      parts.push(s);
    } else if (Array.isArray(x)) {
      if (x.length < 16) w(0x90 | x.length);
      else w(0xdc, x.length >> 8, x.length & 255);
      for (const e of x) walk(e);
    } else if (typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if ('f64' in o) {
        const b = Buffer.alloc(9);
        b[0] = 0xcb;
        b.writeDoubleBE(o.f64 as number, 1);
        parts.push(b);
      } else if ('f32' in o) {
        const b = Buffer.alloc(5);
        b[0] = 0xca;
        b.writeFloatBE(o.f32 as number, 1);
        parts.push(b);
      } else if ('i64' in o) {
        const b = Buffer.alloc(9);
        b[0] = 0xd3;
        b.writeBigInt64BE(o.i64 as bigint, 1);
        parts.push(b);
      } else if ('u64' in o) {
        const b = Buffer.alloc(9);
        b[0] = 0xcf;
        b.writeBigUInt64BE(o.u64 as bigint, 1);
        parts.push(b);
      } else if ('time' in o) {
        const [sec, ns] = o.time as [bigint, number];
        const b = Buffer.alloc(15);
        b[0] = 0xc7;
        b[1] = 12;
        b[2] = 5;
        b.writeBigInt64BE(sec, 3);
        b.writeUInt32BE(ns, 11);
        parts.push(b);
      } else if ('bin' in o) {
        w(0xc4, (o.bin as number[]).length, ...(o.bin as number[]));
      } else if ('wide' in o) {
        const list = o.wide as unknown[];
        const b = Buffer.alloc(5);
        b[0] = 0xdd;
        b.writeUInt32BE(list.length, 1);
        parts.push(b);
        for (const e of list) walk(e);
      } else if ('wideMap' in o) {
        const list = o.wideMap as [string, unknown][];
        w(0xde, list.length >> 8, list.length & 255);
        for (const [k, e] of list) {
          walk(k);
          walk(e);
        }
      } else {
        const entries = Object.entries(o);
        w(0x80 | entries.length);
        for (const [k, e] of entries) {
          walk(k);
          walk(e);
        }
      }
    }
  };
  walk(v);
  return Buffer.concat(parts);
}
