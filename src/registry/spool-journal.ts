import { InfluxConfigError } from '../errors.js';
import type { Precision } from '../line-protocol/precision.js';
import type { WriteConsistency } from '../sink.js';
import type { ClassBuffer } from './class-buffer.js';
import type { CommitBatch } from './commit-sink.js';
import { LazyCommitBatch } from './lazy-commit-batch.js';
import type { SpoolOptions } from './registry-options.js';
import type { SpoolStats } from './registry-stats.js';

// node:fs, node:path and node:zlib are fetched when the first spool opens, not with the package
// (see lazy-require.ts): most registries have no spool.
let fs: typeof import('node:fs');
let join: typeof import('node:path').join;
let crc32: typeof import('node:zlib').crc32;

/**
 * The durable spool of a series registry (opt-in: `new SeriesRegistry({ spool: { dir } })`).
 *
 * On disk: `dir/LOCK` (the owning process id) and segment files `seg-<n>.log`, each a sequence of
 * records `[magic u32 'IMSP'][type u8][3 zero bytes][payload length u32][crc32(payload) u32][payload]`
 * (little endian). A DATA record holds the lines of one model class appended since the previous
 * group commit: `[id u64][meta length u16][meta JSON {c,d,r,p}][line count u32][line ends u32…][lines]`.
 * An ACK record lists ids of DATA records the server accepted (or that were handed to `onError`):
 * `[count u32][id u64…]`. With a sink that replicates (`replicate: 'all'`), a HOST_ACK record says
 * that ONE server stored (or refused for good) the records listed: `[url length u16][url][count u32]
 * [id u64…]`; the ACK follows once every server did.
 *
 * When: the lines of points constructed in a tick are appended at the end of that tick
 * (`groupCommitMs: 0`) or at most `groupCommitMs` later, and synchronously before a batch is cut
 * from a class buffer (so no batch is sent before its lines are in the spool). An appended record
 * is in the OS page cache: it survives the application's death (SIGKILL, crash, OOM kill); with
 * `fsync: true` it is also forced to the device (survives a machine crash). Segments are deleted,
 * oldest first, once all their DATA records are acknowledged.
 *
 * On start: segments are scanned in order; DATA records without an ACK are replayed (sent again;
 * InfluxDB stores an identical point once, so a record that was sent but not acknowledged is not
 * duplicated), each with the servers that HOST_ACKed it, so that only the others are sent it. A record whose checksum or length is wrong (a torn write at the tail, or corruption)
 * is skipped with a warning (`INFLUX_MODELS_SPOOL_CORRUPT`); scanning resumes at the next record
 * marker. A directory locked by a live process is refused (`InfluxConfigError`); a lock left by a
 * dead process is taken over.
 */
export class SpoolJournal {
  readonly dir: string;
  readonly maxBytes: number;
  /** False after a failed append (disk full, file size limit): until an append succeeds again. */
  healthy = true;
  /** Bytes of DATA records not yet acknowledged. */
  liveBytes = 0;
  private readonly segments: Segment[] = [];
  private current!: Segment;
  private nextId = 1;
  private nextSeq = 1;
  private readonly streams = new Map<ClassBuffer, ClassStream>();
  private replay: ReplayRecord[] = [];
  private scheduled = false;
  private closed = false;
  private replayed = 0;
  private spilledPoints = 0;
  private warnedWrite = false;
  private readonly lockPath: string;

  private constructor(private readonly options: Required<SpoolOptions>) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.lockPath = join(this.dir, 'LOCK');
  }

  /** Opens (creating) the directory, takes the lock and reads what earlier runs left unacknowledged. */
  static open(options: SpoolOptions): SpoolJournal {
    fs ??= process.getBuiltinModule('node:fs');
    join ??= process.getBuiltinModule('node:path').join;
    crc32 ??= process.getBuiltinModule('node:zlib').crc32;
    const j = new SpoolJournal({
      maxBytes: 1 << 30,
      groupCommitMs: 0,
      fsync: false,
      segmentBytes: 64 << 20,
      ...options,
    });
    fs.mkdirSync(j.dir, { recursive: true });
    j.lock();
    try {
      j.scan();
      j.current = j.newSegment();
    } catch (e) {
      j.unlock();
      throw e;
    }
    return j;
  }

  hasReplay(): boolean {
    return this.replay.length > 0;
  }

  /** The unacknowledged records of earlier runs, once, with the servers that stored each already. */
  takeReplay(): Array<{ className: string; lineCount: number; tag: SpoolTag; hosts: readonly string[] }> {
    const out = this.replay.map((rec) => ({
      className: rec.meta.c,
      lineCount: rec.lineCount,
      tag: { replay: rec } as SpoolTag,
      hosts: rec.hosts,
    }));
    for (const r of this.replay) this.replayed += r.lineCount;
    this.replay = [];
    return out;
  }

  /** A point was added to `buffer`: schedule the group commit. */
  noteAdd(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.groupCommit();
    };
    const ms = this.options.groupCommitMs;
    if (ms === 0) setImmediate(run).unref();
    else setTimeout(run, ms).unref();
  }

  /** Appends the lines of every class buffer not yet in the spool (one record per class). */
  groupCommit(): void {
    if (this.closed) return;
    for (const stream of this.streams.values()) this.commitStream(stream);
    this.sync();
  }

  /** Before `buffer` is cut: its remaining lines are appended now; returns the batch's tag. */
  beforeCut(buffer: ClassBuffer): SpoolTag {
    const stream = this.streamOf(buffer);
    this.commitStream(stream);
    this.sync();
    const tag: SpoolTag = { stream, from: stream.base, to: stream.base + buffer.count };
    stream.base += buffer.count;
    stream.spooled = 0;
    return tag;
  }

  /** `reset()` dropped the buffer's points: they must not be replayed. */
  discard(buffer: ClassBuffer): void {
    if (buffer.count === 0) return;
    this.settled(this.beforeCut(buffer));
  }

  /** True (and counted as spilled) when every line of the batch can be read back from disk. */
  spill(tag: SpoolTag): boolean {
    if (tag.stream === undefined || !this.readable(tag)) return false;
    this.spilledPoints += (tag.to as number) - (tag.from as number);
    return true;
  }

  /** True when every line of the batch can be read back from disk (its appends succeeded). */
  readable(tag: SpoolTag): boolean {
    if (this.closed) return false;
    if (tag.replay !== undefined) return true;
    for (const r of this.recordsOf(tag)) if (r.seg === undefined) return false;
    return true;
  }

  /**
   * Reads a spilled or replayed batch back from disk; `consistency` applies when its class did not
   * declare one (the registry's option).
   */
  load(tag: SpoolTag, consistency?: WriteConsistency): LoadedBatch {
    if (tag.replay === undefined) this.spilledPoints -= (tag.to as number) - (tag.from as number);
    return this.read(tag, consistency);
  }

  /**
   * Reads a batch back from disk (see {@link load}) without counting it as unspilled: a server's
   * catch-up copy of a batch still in the spool (see replica-delivery.ts).
   */
  read(tag: SpoolTag, consistency?: WriteConsistency): LoadedBatch {
    if (tag.replay !== undefined) {
      const rec = tag.replay;
      const d = this.readData(rec.seg, rec.offset, rec.size);
      return loaded(d.meta, d.lines, d.ends, consistency);
    }
    const from = tag.from as number;
    const to = tag.to as number;
    const parts: Buffer[] = [];
    const ends: number[] = [];
    let meta: RecordMeta | undefined;
    let size = 0;
    for (const r of this.recordsOf(tag)) {
      const d = this.readData(r.seg as Segment, r.offset, r.size);
      meta = d.meta;
      const a = Math.max(from, r.from) - r.from;
      const b = Math.min(to, r.to) - r.from;
      const start = a === 0 ? 0 : (d.ends[a - 1] as number);
      for (let i = a; i < b; i++) ends.push(size + (d.ends[i] as number) - start);
      const end = d.ends[b - 1] as number;
      parts.push(d.lines.subarray(start, end));
      size += end - start;
    }
    return loaded(meta as RecordMeta, Buffer.concat(parts, size), ends, consistency);
  }

  /**
   * With a sink that replicates: the server `url` stored (or refused for good) the batch. Its
   * records are marked for that server (a HOST_ACK record), so that a restart sends them only to the
   * servers that did not; the batch itself is acknowledged by {@link settled} once every server has
   * it. A record only partly in the batch is not marked (it is sent to every server again: stored
   * once by InfluxDB).
   */
  hostStored(tag: SpoolTag, url: string): void {
    if (this.closed) return;
    const ids: number[] = [];
    if (tag.replay !== undefined) ids.push(tag.replay.id);
    else {
      const from = tag.from as number;
      const to = tag.to as number;
      for (const r of this.recordsOf(tag))
        if (r.seg !== undefined && r.from >= from && r.to <= to) ids.push(r.id);
    }
    if (ids.length === 0) return;
    const key = Buffer.from(url, 'utf8');
    const payload = Buffer.allocUnsafe(2 + key.length + 4 + 8 * ids.length);
    let o = payload.writeUInt16LE(key.length, 0);
    o += key.copy(payload, o);
    o = payload.writeUInt32LE(ids.length, o);
    for (const id of ids) o = payload.writeBigUInt64LE(BigInt(id), o);
    // A lost HOST_ACK only means that server is sent the records again after a restart.
    this.append(TYPE_HOST_ACK, [payload]);
  }

  /** The batch was stored (or handed to `onError`): acknowledge the records it completes. */
  settled(tag: SpoolTag): void {
    if (this.closed) return;
    const acks: number[] = [];
    if (tag.replay !== undefined) {
      this.retire(tag.replay, acks);
    } else {
      const stream = tag.stream as ClassStream;
      const from = tag.from as number;
      const to = tag.to as number;
      for (const r of this.recordsOf(tag)) {
        r.remaining -= Math.min(to, r.to) - Math.max(from, r.from);
        if (r.remaining === 0) this.retire(r, acks);
      }
      let k = 0;
      while (k < stream.records.length && (stream.records[k] as LiveRecord).remaining === 0) k++;
      if (k > 0) stream.records.splice(0, k);
    }
    if (acks.length > 0) {
      const payload = Buffer.allocUnsafe(4 + 8 * acks.length);
      payload.writeUInt32LE(acks.length, 0);
      for (let i = 0; i < acks.length; i++) payload.writeBigUInt64LE(BigInt(acks[i] as number), 4 + 8 * i);
      // A lost ACK only means the record is sent again after a restart (stored once by InfluxDB).
      this.append(TYPE_ACK, [payload]);
    }
    this.collect();
  }

  stats(): SpoolStats {
    return {
      dir: this.dir,
      bytes: this.liveBytes,
      segments: this.segments.length,
      replayed: this.replayed,
      spilled: this.spilledPoints,
    };
  }

  /** Writes what is left, deletes fully acknowledged segments, releases the lock. */
  close(): void {
    if (this.closed) return;
    this.groupCommit();
    this.collect(true);
    this.closed = true;
    for (const s of this.segments) closeFd(s);
    this.unlock();
  }

  // ---------------------------------------------------------------------------------------------

  private streamOf(buffer: ClassBuffer): ClassStream {
    let s = this.streams.get(buffer);
    if (s === undefined) {
      const meta: RecordMeta = {
        c: buffer.meta.className,
        ...(buffer.meta.database !== undefined ? { d: buffer.meta.database } : {}),
        ...(buffer.meta.retentionPolicy !== undefined ? { r: buffer.meta.retentionPolicy } : {}),
        p: buffer.meta.precision,
        ...(buffer.options.consistency !== undefined ? { k: buffer.options.consistency } : {}),
      };
      s = { buffer, meta: Buffer.from(JSON.stringify(meta)), base: 0, spooled: 0, records: [] };
      this.streams.set(buffer, s);
    }
    return s;
  }

  private commitStream(stream: ClassStream): void {
    const buffer = stream.buffer;
    const n = buffer.count;
    if (n <= stream.spooled) return;
    const ends = buffer.ends;
    const first = stream.spooled;
    const byteStart = first === 0 ? 0 : (ends[first - 1] as number);
    const byteEnd = ends[n - 1] as number;
    const count = n - first;
    const head = Buffer.allocUnsafe(8 + 2 + stream.meta.length + 4 + 4 * count);
    const id = this.nextId++;
    let o = head.writeBigUInt64LE(BigInt(id), 0);
    o = head.writeUInt16LE(stream.meta.length, o);
    o += stream.meta.copy(head, o);
    o = head.writeUInt32LE(count, o);
    for (let i = first; i < n; i++) o = head.writeUInt32LE((ends[i] as number) - byteStart, o);
    const at = this.append(TYPE_DATA, [head, buffer.writer.buf.subarray(byteStart, byteEnd)]);
    const rec: LiveRecord = {
      id,
      seg: at === undefined ? undefined : this.current,
      offset: at ?? 0,
      size: at === undefined ? 0 : this.current.size - at,
      from: stream.base + first,
      to: stream.base + n,
      remaining: count,
      lineCount: count,
    };
    if (rec.seg !== undefined) {
      rec.seg.live++;
      this.liveBytes += rec.size;
    }
    stream.records.push(rec);
    stream.spooled = n;
    if (this.current.size >= this.options.segmentBytes) this.current = this.newSegment();
  }

  /** Appends one record to the current segment; its offset, or undefined when the write failed. */
  private append(type: number, parts: Buffer[]): number | undefined {
    const seg = this.current;
    let len = 0;
    for (const p of parts) len += p.length;
    let crc = 0;
    for (const p of parts) crc = crc32(p, crc);
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(type, 4);
    header.writeUInt32LE(len, 8);
    header.writeUInt32LE(crc >>> 0, 12);
    const at = seg.size;
    try {
      const all = [header, ...parts];
      let written = fs.writevSync(seg.fd, all, at);
      const total = HEADER + len;
      while (written < total) {
        // short write: write the rest
        const rest = Buffer.concat(all).subarray(written);
        written += fs.writeSync(seg.fd, rest, 0, rest.length, at + written);
      }
      seg.size += total;
      if (!this.healthy) {
        this.healthy = true;
        process.emitWarning(`influx-models: spool ${this.dir} is writable again`, {
          code: 'INFLUX_MODELS_SPOOL_WRITE',
        });
      }
      return at;
    } catch (e) {
      try {
        fs.ftruncateSync(seg.fd, at); // no torn record left behind
      } catch {}
      if (this.healthy || !this.warnedWrite) {
        this.warnedWrite = true;
        process.emitWarning(
          `influx-models: spool ${this.dir}: cannot append (${(e as Error).message}); the points stay in memory only (not durable) and maxPending applies until appends succeed again`,
          { code: 'INFLUX_MODELS_SPOOL_WRITE' },
        );
      }
      this.healthy = false;
      return undefined;
    }
  }

  private sync(): void {
    if (!this.options.fsync || !this.healthy) return;
    try {
      fs.fdatasyncSync(this.current.fd);
    } catch {}
  }

  private retire(r: { seg: Segment | undefined; size: number; id: number }, acks: number[]): void {
    if (r.seg === undefined) return;
    r.seg.live--;
    this.liveBytes -= r.size;
    acks.push(r.id);
  }

  /** Deletes fully acknowledged segments, oldest first (an ACK is never older than its record). */
  private collect(all = false): void {
    while (this.segments.length > 0) {
      const s = this.segments[0] as Segment;
      if (s.live > 0) break;
      if (s === this.current && !all) break;
      if (s === this.current && this.streamsHavePending()) break;
      this.segments.shift();
      closeFd(s);
      try {
        fs.unlinkSync(s.path);
      } catch {}
    }
  }

  private streamsHavePending(): boolean {
    for (const s of this.streams.values()) if (s.buffer.count > 0) return true;
    return false;
  }

  private recordsOf(tag: SpoolTag): LiveRecord[] {
    const stream = tag.stream as ClassStream;
    const from = tag.from as number;
    const to = tag.to as number;
    const recs = stream.records;
    let lo = 0;
    let hi = recs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((recs[mid] as LiveRecord).to <= from) lo = mid + 1;
      else hi = mid;
    }
    const out: LiveRecord[] = [];
    for (let i = lo; i < recs.length && (recs[i] as LiveRecord).from < to; i++)
      out.push(recs[i] as LiveRecord);
    return out;
  }

  private newSegment(): Segment {
    const seq = this.nextSeq++;
    const path = join(this.dir, `seg-${String(seq).padStart(12, '0')}.log`);
    const fd = fs.openSync(path, 'w+');
    const seg: Segment = { seq, path, fd, size: 0, live: 0 };
    this.segments.push(seg);
    return seg;
  }

  private readData(seg: Segment, offset: number, size: number): DataRecord {
    const buf = Buffer.allocUnsafe(size);
    fs.readSync(seg.fd, buf, 0, size, offset);
    const len = buf.readUInt32LE(8);
    const payload = buf.subarray(HEADER, HEADER + len);
    if (buf.readUInt32LE(0) !== MAGIC || crc32(payload) >>> 0 !== buf.readUInt32LE(12)) {
      throw new InfluxConfigError(`spool ${seg.path}: record at ${offset} changed on disk (checksum)`);
    }
    return decodeData(payload);
  }

  private scan(): void {
    const names = fs
      .readdirSync(this.dir)
      .filter((n) => /^seg-\d+\.log$/.test(n))
      .sort();
    const data: ReplayRecord[] = [];
    const acked = new Set<number>();
    const hostAcks = new Map<number, string[]>();
    for (const name of names) {
      const path = join(this.dir, name);
      const seq = Number(name.slice(4, -4));
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      const bytes = fs.readFileSync(path);
      const seg: Segment = { seq, path, fd: fs.openSync(path, 'r+'), size: bytes.length, live: 0 };
      this.segments.push(seg);
      let pos = 0;
      while (pos < bytes.length) {
        const bad = (why: string) => {
          const next = bytes.indexOf(MAGIC_BYTES, pos + 1);
          const skipped = (next < 0 ? bytes.length : next) - pos;
          process.emitWarning(
            `influx-models: spool ${path}: ${why} at byte ${pos}; skipped ${skipped} bytes${next < 0 ? ' (torn tail)' : ''}`,
            { code: 'INFLUX_MODELS_SPOOL_CORRUPT' },
          );
          pos = next < 0 ? bytes.length : next;
        };
        if (bytes.length - pos < HEADER) {
          bad('incomplete record header');
          continue;
        }
        if (bytes.readUInt32LE(pos) !== MAGIC) {
          bad('no record marker');
          continue;
        }
        const type = bytes.readUInt32LE(pos + 4);
        const len = bytes.readUInt32LE(pos + 8);
        if (pos + HEADER + len > bytes.length) {
          bad('record longer than the file');
          continue;
        }
        const payload = bytes.subarray(pos + HEADER, pos + HEADER + len);
        if (
          crc32(payload) >>> 0 !== bytes.readUInt32LE(pos + 12) ||
          (type !== TYPE_DATA && type !== TYPE_ACK && type !== TYPE_HOST_ACK)
        ) {
          bad('checksum mismatch');
          continue;
        }
        if (type === TYPE_DATA) {
          const id = Number(payload.readBigUInt64LE(0));
          const metaLen = payload.readUInt16LE(8);
          const meta = JSON.parse(payload.toString('utf8', 10, 10 + metaLen)) as RecordMeta;
          const lineCount = payload.readUInt32LE(10 + metaLen);
          data.push({ id, seg, offset: pos, size: HEADER + len, meta, lineCount, hosts: [] });
          this.nextId = Math.max(this.nextId, id + 1);
        } else if (type === TYPE_HOST_ACK) {
          const keyLen = payload.readUInt16LE(0);
          const url = payload.toString('utf8', 2, 2 + keyLen);
          const n = payload.readUInt32LE(2 + keyLen);
          for (let i = 0; i < n; i++) {
            const id = Number(payload.readBigUInt64LE(6 + keyLen + 8 * i));
            const hosts = hostAcks.get(id);
            if (hosts === undefined) hostAcks.set(id, [url]);
            else if (!hosts.includes(url)) hosts.push(url);
          }
        } else {
          const n = payload.readUInt32LE(0);
          for (let i = 0; i < n; i++) acked.add(Number(payload.readBigUInt64LE(4 + 8 * i)));
        }
        pos += HEADER + len;
      }
    }
    for (const rec of data) {
      if (acked.has(rec.id)) continue;
      rec.hosts = hostAcks.get(rec.id) ?? [];
      rec.seg.live++;
      this.liveBytes += rec.size;
      this.replay.push(rec);
    }
    this.collect(true);
  }

  private lock(): void {
    if (lockedDirs.has(this.lockPath)) {
      throw new InfluxConfigError(`spool ${this.dir}: already used by another registry of this process`);
    }
    for (let tries = 0; tries < 2; tries++) {
      try {
        fs.writeFileSync(this.lockPath, String(process.pid), { flag: 'wx' });
        lockedDirs.add(this.lockPath);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const pid = Number(fs.readFileSync(this.lockPath, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new InfluxConfigError(
          `spool ${this.dir}: in use by process ${pid} (${this.lockPath}); two processes cannot share a spool`,
        );
      }
      fs.rmSync(this.lockPath, { force: true }); // left by a process that is gone
    }
    throw new InfluxConfigError(`spool ${this.dir}: could not take the lock ${this.lockPath}`);
  }

  private unlock(): void {
    lockedDirs.delete(this.lockPath);
    try {
      if (fs.readFileSync(this.lockPath, 'utf8') === String(process.pid)) fs.rmSync(this.lockPath);
    } catch {}
  }
}

/** Where a batch's lines are in the spool: a range of a class's stream, or a replayed record. */
export interface SpoolTag {
  readonly stream?: ClassStream;
  readonly from?: number;
  readonly to?: number;
  readonly replay?: ReplayRecord;
}

export interface LoadedBatch {
  readonly commitBatch: CommitBatch;
  lines(): readonly string[];
  readonly instances: readonly object[];
}

interface RecordMeta {
  c: string;
  d?: string;
  r?: string;
  p: Precision;
  /** The class's write consistency, when it declares one. */
  k?: WriteConsistency;
}

interface Segment {
  seq: number;
  path: string;
  fd: number;
  size: number;
  /** DATA records not yet acknowledged. */
  live: number;
}

interface ClassStream {
  buffer: ClassBuffer;
  meta: Buffer;
  /** Stream index of the buffer's first line. */
  base: number;
  /** Lines of the buffer already appended. */
  spooled: number;
  records: LiveRecord[];
}

interface LiveRecord {
  id: number;
  /** Undefined when the append failed (the lines are in memory only). */
  seg: Segment | undefined;
  offset: number;
  size: number;
  from: number;
  to: number;
  remaining: number;
  lineCount: number;
}

interface ReplayRecord {
  id: number;
  seg: Segment;
  offset: number;
  size: number;
  meta: RecordMeta;
  lineCount: number;
  /** Servers that stored the record already (HOST_ACK), with a sink that replicates. */
  hosts: string[];
}

interface DataRecord {
  meta: RecordMeta;
  ends: number[];
  lines: Buffer;
}

const MAGIC = 0x50534d49; // 'IMSP' little endian
const MAGIC_BYTES = Buffer.from([0x49, 0x4d, 0x53, 0x50]);
const HEADER = 16;
const TYPE_DATA = 1;
const TYPE_ACK = 2;
const TYPE_HOST_ACK = 3;
const lockedDirs = new Set<string>();

function decodeData(payload: Buffer): DataRecord {
  const metaLen = payload.readUInt16LE(8);
  const meta = JSON.parse(payload.toString('utf8', 10, 10 + metaLen)) as RecordMeta;
  let o = 10 + metaLen;
  const n = payload.readUInt32LE(o);
  o += 4;
  const ends: number[] = new Array(n);
  for (let i = 0; i < n; i++, o += 4) ends[i] = payload.readUInt32LE(o);
  return { meta, ends, lines: payload.subarray(o) };
}

function loaded(
  meta: RecordMeta,
  bytes: Buffer,
  ends: readonly number[],
  consistency: WriteConsistency | undefined,
): LoadedBatch {
  const k = meta.k ?? consistency;
  let lines: string[] | undefined;
  return {
    commitBatch: new LazyCommitBatch(
      bytes,
      false,
      ends.length,
      { database: meta.d, retentionPolicy: meta.r, precision: meta.p, consistency: k },
      undefined,
      undefined,
    ),
    lines() {
      if (lines === undefined) {
        lines = [];
        let start = 0;
        for (const end of ends) {
          lines.push(bytes.toString('utf8', start, end - 1));
          start = end;
        }
      }
      return lines;
    },
    instances: [],
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function closeFd(s: Segment): void {
  if (s.fd < 0) return;
  try {
    fs.closeSync(s.fd);
  } catch {}
  s.fd = -1;
}
