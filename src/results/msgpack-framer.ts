/**
 * Finds where complete top-level msgpack objects end in a byte stream, without decoding them, so
 * a chunked msgpack response can be cut into whole chunks as bytes arrive. The scan is resumable:
 * bytes already scanned are never scanned again, so framing costs O(bytes) in total.
 */
export class MsgpackFramer {
  /** Items still expected at each open array/map level. */
  private stack = new Float64Array(32);
  private depth = 0;
  /** Scan position, relative to the start of the current (unfinished) object. */
  private pos = 0;

  /** Resets the state for the next object. */
  reset(): void {
    this.depth = 0;
    this.pos = 0;
  }

  /**
   * Continues scanning `buf` (which starts at the current object's first byte) and returns the end
   * offset of the object when it is complete, or -1 when more bytes are needed. Throws on a byte
   * that cannot start a msgpack value.
   */
  scan(buf: Uint8Array): number {
    let stack = this.stack;
    let depth = this.depth;
    let pos = this.pos;
    const len = buf.length;
    while (pos < len) {
      const b = buf[pos] as number;
      let size = FIXED_SIZE[b] as number;
      let children = 0;
      if (size === 0) {
        if (b >= 0x80 && b <= 0x8f) {
          size = 1;
          children = (b & 0x0f) * 2;
        } else if (b >= 0x90 && b <= 0x9f) {
          size = 1;
          children = b & 0x0f;
        } else {
          const header = HEADER_SIZE[b] as number;
          if (header === 0) throw new Error(`invalid msgpack byte 0x${b.toString(16)} at offset ${pos}`);
          if (pos + header > len) break;
          const n8 = buf[pos + 1] as number;
          const n16 = (n8 << 8) | (buf[pos + 2] as number);
          const n32 = n16 * 0x10000 + (((buf[pos + 3] as number) << 8) | (buf[pos + 4] as number));
          switch (b) {
            case 0xc4: // bin8
            case 0xd9: // str8
              size = 2 + n8;
              break;
            case 0xc5:
            case 0xda:
              size = 3 + n16;
              break;
            case 0xc6:
            case 0xdb:
              size = 5 + n32;
              break;
            case 0xc7: // ext8: len, type, data
              size = 3 + n8;
              break;
            case 0xc8:
              size = 4 + n16;
              break;
            case 0xc9:
              size = 6 + n32;
              break;
            case 0xdc:
              size = 3;
              children = n16;
              break;
            case 0xdd:
              size = 5;
              children = n32;
              break;
            case 0xde:
              size = 3;
              children = n16 * 2;
              break;
            default: // 0xdf
              size = 5;
              children = n32 * 2;
          }
        }
      }
      if (pos + size > len) break;
      pos += size;
      if (depth > 0) stack[depth - 1] = (stack[depth - 1] as number) - 1;
      if (children > 0) {
        if (depth === stack.length) {
          const grown = new Float64Array(stack.length * 2);
          grown.set(stack);
          this.stack = stack = grown;
        }
        stack[depth++] = children;
      } else {
        while (depth > 0 && stack[depth - 1] === 0) depth--;
        if (depth === 0) {
          this.depth = 0;
          this.pos = 0;
          return pos;
        }
      }
    }
    this.depth = depth;
    this.pos = pos;
    return -1;
  }
}

/** Size of tokens whose size the first byte gives (0: a container or a length follows). */
const FIXED_SIZE = new Uint8Array(256);
/** Bytes needed to read the length of the other tokens (0: not a valid first byte). */
const HEADER_SIZE = new Uint8Array(256);
for (let b = 0x00; b <= 0x7f; b++) FIXED_SIZE[b] = 1; // positive fixint
for (let b = 0xe0; b <= 0xff; b++) FIXED_SIZE[b] = 1; // negative fixint
for (let b = 0xa0; b <= 0xbf; b++) FIXED_SIZE[b] = 1 + (b & 0x1f); // fixstr
for (const [b, size] of [
  [0xc0, 1],
  [0xc2, 1],
  [0xc3, 1],
  [0xca, 5],
  [0xcb, 9],
  [0xcc, 2],
  [0xcd, 3],
  [0xce, 5],
  [0xcf, 9],
  [0xd0, 2],
  [0xd1, 3],
  [0xd2, 5],
  [0xd3, 9],
  [0xd4, 3],
  [0xd5, 4],
  [0xd6, 6],
  [0xd7, 10],
  [0xd8, 18],
] as const) {
  FIXED_SIZE[b] = size;
}
for (const [b, header] of [
  [0xc4, 2],
  [0xc5, 3],
  [0xc6, 5],
  [0xc7, 3],
  [0xc8, 4],
  [0xc9, 6],
  [0xd9, 2],
  [0xda, 3],
  [0xdb, 5],
  [0xdc, 3],
  [0xdd, 5],
  [0xde, 3],
  [0xdf, 5],
] as const) {
  HEADER_SIZE[b] = header;
}
