/*
 * Shortest round-trip decimal text of a double, written as bytes: the same text as `String(v)`
 * (ECMAScript Number::toString: the fewest significant digits that read back as the same double,
 * and among those the closest to it), for the common range 1e-6 <= |v| < 1e15 without building a
 * string. Anything this fast path is not sure about (other ranges, powers of two, decimals within
 * a hair of a rounding boundary) is left to `String(v)`: the caller falls back when
 * {@link writeShortest} returns -1.
 *
 * How: with n the decimal exponent (10^(n-1) <= v < 10^n), the nearest integer C_k to v * 10^(k-n)
 * is the closest k-digit decimal to v. v * 10^(k-n) is computed exactly, as a double product plus
 * its rounding error (Dekker's two-product; 10^(k-n) <= 1e22 is an exact double), so C_k and how far
 * it is from v (d, in units of its last digit) are exact up to ~1e-15. C_k reads back as v iff
 * |d| is below half an ulp of v in the same units (2^(e-53) * 10^(k-n), exact). The interval of
 * doubles that read back as v holds at most one 15-digit decimal (15 digits are coarser than an
 * ulp), so the shortest text has at most 15 digits iff C_15 reads back (then it is C_15 without its
 * trailing zeros); otherwise it is C_16 when that reads back (the closest 16-digit decimal, since
 * the interval is symmetric when v is not a power of two), else C_17, which always does.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1;
const HI = LITTLE ? 1 : 0;

/** 10^e and its Veltkamp split (high 26 bits + rest), e = 0..22: all exact doubles. */
const POW10 = new Float64Array(23);
const POW10_HI = new Float64Array(23);
const POW10_LO = new Float64Array(23);
for (let e = 0; e <= 22; e++) {
  const p = Number(`1e${e}`);
  const c = 134217729 * p;
  const hi = c - (c - p);
  POW10[e] = p;
  POW10_HI[e] = hi;
  POW10_LO[e] = p - hi;
}
/** 2^(i - 128), exact. */
const POW2 = new Float64Array(256);
POW2[128] = 1;
for (let i = 129; i < 256; i++) POW2[i] = (POW2[i - 1] as number) * 2;
for (let i = 127; i >= 0; i--) POW2[i] = (POW2[i + 1] as number) / 2;
const LOG10_2 = 0.30102999566398114;
/** The doubles nearest 10^(i - 8): v >= NEAR_POW10[n + 8] means v >= 10^n, except maybe for v equal to it. */
const NEAR_POW10 = new Float64Array(26);
for (let i = 0; i < 26; i++) NEAR_POW10[i] = Number(`1e${i - 8}`);
/** How close to a rounding boundary counts as "not sure" (the arithmetic is exact to ~1e-15). */
const MARGIN = 1e-9;

// Results of scaled(): the nearest integer to v * 10^e is S[F] + S[R] (an integer-valued double
// and a small integer), at distance S[D] (in (-0.5, 0.5)) from it. A typed array, so that storing
// them allocates nothing.
const S = new Float64Array(3);
const F = 0;
const R = 1;
const D = 2;
// The input of scaled(): v, then v split as vh + vl. Passed in a typed array, not as arguments:
// double arguments of a call V8 does not inline are boxed (16-byte heap numbers, three per call,
// one to three calls per float written: the larger part of the encoder's garbage otherwise).
const IN = new Float64Array(3);

/** Nearest integer to v * 10^e, exactly; false on a near tie. v = IN[0] = IN[1] + IN[2]. */
function scaled(e: number): boolean {
  const v = IN[0] as number;
  const vh = IN[1] as number;
  const vl = IN[2] as number;
  const P = POW10[e] as number;
  const ph = POW10_HI[e] as number;
  const pl = POW10_LO[e] as number;
  const p = v * P;
  const err = vh * ph - p + vh * pl + vl * ph + vl * pl;
  const f = Math.floor(p);
  const frac = p - f + err;
  const r = Math.round(frac);
  const d = frac - r;
  if (d > 0.5 - MARGIN || d < -0.5 + MARGIN) return false;
  S[F] = f;
  S[R] = r;
  S[D] = d;
  return true;
}

/** 0: C_k does not read back as v; 1: it does; -1: too close to tell. */
function readsBack(halfUlp: number): number {
  const d = S[D] as number;
  const a = d < 0 ? -d : d;
  if (a < halfUlp - MARGIN) return 1;
  if (a > halfUlp + MARGIN) return 0;
  return -1;
}

/** The ASCII digits of 00..99, two bytes each. */
export const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 0x30 + Math.floor(i / 10);
  PAIRS[2 * i + 1] = 0x30 + (i % 10);
}

/**
 * Writes the k decimal digits (k = 15..17) of the integer S[F] + S[R] at buf[at..at+k).
 * Returns false when something is off (the caller falls back).
 */
function putDigits(k: number, buf: Uint8Array, at: number): boolean {
  const f = S[F] as number;
  let q = Math.floor(f / 1e8);
  let lo = f - q * 1e8 + (S[R] as number);
  while (lo < 0) {
    lo += 1e8;
    q--;
  }
  while (lo >= 1e8) {
    lo -= 1e8;
    q++;
  }
  // Both parts fit in int32: integer division by a constant is a multiply and a shift.
  let i = at + k;
  let x = lo | 0;
  for (let j = 0; j < 4; j++) {
    const t = (x / 100) | 0;
    const r = (x - t * 100) << 1;
    buf[--i] = PAIRS[r + 1] as number;
    buf[--i] = PAIRS[r] as number;
    x = t;
  }
  x = q | 0;
  while (i > at + 1) {
    const t = (x / 100) | 0;
    const r = (x - t * 100) << 1;
    buf[--i] = PAIRS[r + 1] as number;
    buf[--i] = PAIRS[r] as number;
    x = t;
  }
  if (i > at) {
    const t = (x / 10) | 0;
    buf[--i] = 0x30 + x - t * 10;
    x = t;
  }
  return x === 0 && buf[at] !== 0x30;
}

/**
 * Writes `String(v)` for a finite, non-integer `v` with 1e-6 <= |v| < 1e15 into `buf` at `pos`
 * (which must have 25 bytes of room) and returns the position after it, or returns -1 (writing
 * garbage past `pos`) when the caller must use `String(v)`.
 *
 * ```ts
 * const buf = new Uint8Array(32);
 * const end = writeShortest(0.1 + 0.2, buf, 0); // buf holds '0.30000000000000004'
 * ```
 */
export function writeShortest(v: number, buf: Uint8Array, pos: number): number {
  let p = pos;
  if (v < 0) {
    buf[p++] = 0x2d;
    v = -v;
  }
  if (!(v >= 1e-6 && v < 1e15)) return -1;
  f64[0] = v;
  const hi = u32[HI] as number;
  if (u32[LO] === 0 && (hi & 0xfffff) === 0) return -1; // a power of two: lopsided interval
  const be = ((hi >>> 20) & 0x7ff) - 1023;
  let n = Math.floor(be * LOG10_2) + 1; // the decimal exponent, or one less
  if (v >= (NEAR_POW10[n + 8] as number)) n++;
  const c = 134217729 * v;
  const vh = c - (c - v);
  IN[0] = v;
  IN[1] = vh;
  IN[2] = v - vh;
  if (!scaled(16 - n)) return -1;
  if ((S[F] as number) - 1e16 + (S[R] as number) >= 0) {
    // n was one too small (v is the double nearest a power of ten, and below it).
    n++;
    if (!scaled(16 - n)) return -1;
  }
  const f16 = S[F] as number;
  const r16 = S[R] as number;
  const d16 = S[D] as number;
  if (f16 - 1e15 + r16 <= 0) return -1; // C_16 = 10^15: a one-digit decimal, leave it to String
  // Half an ulp of v, in units of the 15th digit: 2^(be-53) * 10^(15-n), exact.
  const half15 = (POW2[be - 53 + 128] as number) * (POW10[15 - n] as number);
  let k = 0;
  const c16 = f16 + r16;
  if (c16 < 9007199254740992) {
    // C_15 from C_16 = 10 q + r: v * 10^(15-n) = q + (r + D_16) / 10, so C_15 = q + t, t = 0 or 1.
    const r = c16 - Math.floor(c16 / 10) * 10; // exact below 2^53 (fmod is a slow call)
    const x = (r + d16) / 10;
    const t = x >= 0.5 ? 1 : 0;
    S[D] = x - t;
    const ok = readsBack(half15);
    if (ok < 0) return -1;
    if (ok === 1) {
      const c15 = (c16 - r) / 10 + t;
      if (c15 >= 1e15) return -1;
      S[F] = c15;
      S[R] = 0;
      k = 15;
    }
  } else {
    if (!scaled(15 - n)) return -1;
    const ok = readsBack(half15);
    if (ok < 0) return -1;
    if (ok === 1) {
      if ((S[F] as number) + (S[R] as number) >= 1e15) return -1;
      k = 15;
    }
  }
  if (k === 0) {
    S[F] = f16;
    S[R] = r16;
    S[D] = d16;
    const ok = readsBack(half15 * 10);
    if (ok < 0) return -1;
    if (ok === 1) k = 16;
    else {
      if (!scaled(17 - n)) return -1;
      k = 17;
    }
  }
  if (n > 0) {
    // The digits one byte to the right, then the first n moved back to make room for the point.
    if (!putDigits(k, buf, p + 1)) return -1;
    for (let j = 0; j < n; j++) buf[p + j] = buf[p + j + 1] as number;
    buf[p + n] = 0x2e;
    let end = p + 1 + k;
    while (buf[end - 1] === 0x30) end--;
    if (k > 15 && end !== p + 1 + k) return -1; // cannot happen: a shorter text would have read back
    if (end - p - 1 <= n) return -1; // an integer: not this function's case
    return end;
  }
  buf[p++] = 0x30;
  buf[p++] = 0x2e;
  for (let i = n; i < 0; i++) buf[p++] = 0x30;
  if (!putDigits(k, buf, p)) return -1;
  let end = p + k;
  while (buf[end - 1] === 0x30) end--;
  if (k > 15 && end !== p + k) return -1;
  return end;
}
