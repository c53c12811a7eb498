/**
 * Finds where complete top-level msgpack objects end in a byte stream, without decoding them, so
 * a chunked msgpack response can be cut into whole chunks as bytes arrive. The scan is resumable:
 * bytes already scanned are never scanned again, so framing costs O(bytes) in total.
 */
export class MsgpackFramer {
  /** Items still expected at each open array/map level. */
  private readonly stack: number[] = [];
  /** Scan position, relative to the start of the current (unfinished) object. */
  private pos = 0;

  /** Resets the state for the next object (after one was cut at the returned end). */
  reset(): void {
    this.stack.length = 0;
    this.pos = 0;
  }

  /**
   * Continues scanning `buf` (which starts at the current object's first byte) and returns the end
   * offset of the object when it is complete, or -1 when more bytes are needed.
   */
  scan(buf: Uint8Array): number {
    const stack = this.stack;
    let pos = this.pos;
    const len = buf.length;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    while (pos < len) {
      const b = buf[pos] as number;
      let size = 1; // bytes of this token (header + payload)
      let children = 0; // items this token opens
      if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) {
        size = 1;
      } else if (b >= 0x80 && b <= 0x8f) {
        children = (b & 0x0f) * 2;
      } else if (b >= 0x90 && b <= 0x9f) {
        children = b & 0x0f;
      } else if (b >= 0xa0 && b <= 0xbf) {
        size = 1 + (b & 0x1f);
      } else {
        const need = HEADER[b];
        if (need === undefined) throw new Error(`invalid msgpack byte 0x${b.toString(16)} at ${pos}`);
        if (pos + need > len) break;
        switch (b) {
          case 0xc4:
          case 0xd9:
            size = 2 + (buf[pos + 1] as number);
            break;
          case 0xc5:
          case 0xda:
            size = 3 + view.getUint16(pos + 1);
            break;
          case 0xc6:
          case 0xdb:
            size = 5 + view.getUint32(pos + 1);
            break;
          case 0xc7:
            size = 3 + (buf[pos + 1] as number);
            break;
          case 0xc8:
            size = 4 + view.getUint16(pos + 1);
            break;
          case 0xc9:
            size = 6 + view.getUint32(pos + 1);
            break;
          case 0xdc:
            size = 3;
            children = view.getUint16(pos + 1);
            break;
          case 0xdd:
            size = 5;
            children = view.getUint32(pos + 1);
            break;
          case 0xde:
            size = 3;
            children = view.getUint16(pos + 1) * 2;
            break;
          case 0xdf:
            size = 5;
            children = view.getUint32(pos + 1) * 2;
            break;
          default:
            size = need;
        }
      }
      if (pos + size > len) break;
      pos += size;
      // this token fills one slot of its parent
      if (stack.length > 0) stack[stack.length - 1] = (stack[stack.length - 1] as number) - 1;
      if (children > 0) stack.push(children);
      while (stack.length > 0 && stack[stack.length - 1] === 0) stack.pop();
      if (stack.length === 0) {
        this.pos = 0;
        return pos;
      }
    }
    this.pos = pos;
    return -1;
  }
}

/** Bytes of the header (or of the whole token for fixed-size types) by first byte, 0xc4..0xdf. */
const HEADER: Record<number, number> = {
  196: 2,
  197: 3,
  198: 5,
  199: 3,
  200: 4,
  201: 6,
  202: 5,
  203: 9,
  204: 2,
  205: 3,
  206: 5,
  207: 9,
  208: 2,
  209: 3,
  210: 5,
  211: 9,
  212: 3,
  213: 4,
  214: 6,
  215: 10,
  216: 18,
  217: 2,
  218: 3,
  219: 5,
  220: 3,
  221: 5,
  222: 3,
  223: 5,
};
