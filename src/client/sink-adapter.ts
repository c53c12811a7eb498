/**
 * The client as the registry's {@link CommitSink}: a registry batch (`CommitBatch`) checked and
 * turned into one write, over HTTP (one attempt: the registry drives the attempts) or UDP.
 */
import { describeValue } from '../check-value.js';
import { InfluxValidationError } from '../errors.js';
import { checkPrecision } from '../line-protocol/precision.js';
import type { CommitBatch, CommitOptions } from '../sink.js';
import type { UdpFront } from './udp-front.js';
import type { WriteBatcher } from './write-batcher.js';

/**
 * Writes a registry batch: its bytes when it carries them (registry batches do: no decode, no
 * re-encode), else its text; an empty batch is nothing to do. Throws {@link InfluxValidationError}
 * for a batch that is not one.
 */
export async function commitBatch(
  batch: CommitBatch,
  options: CommitOptions,
  writer: WriteBatcher,
  udp: UdpFront | undefined,
): Promise<void> {
  if (batch === null || typeof batch !== 'object') {
    throw new InfluxValidationError('commit(batch)', 'body', 'must be a batch with a line protocol body');
  }
  const bytes = batch.bytes;
  if (bytes !== undefined && !(bytes instanceof Uint8Array)) {
    throw new InfluxValidationError(
      'commit(batch)',
      'bytes',
      `must be a Uint8Array, got ${describeValue(bytes)}`,
    );
  }
  if (bytes === undefined && typeof batch.body !== 'string') {
    throw new InfluxValidationError('commit(batch)', 'body', 'must be a batch with a line protocol body');
  }
  const precision = checkPrecision(batch.precision, 'commit(batch.precision)');
  if (bytes !== undefined ? bytes.byteLength === 0 : batch.body === '') return;
  const payload =
    bytes !== undefined
      ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      : (batch.body as string);
  if (udp !== undefined) {
    await udp.commit(typeof batch.body === 'string' ? batch.body : payload.toString('utf8'), precision);
    return;
  }
  const qs = writer.params(
    'commit',
    batch.database ?? undefined,
    batch.retentionPolicy ?? undefined,
    precision,
    batch.consistency ?? undefined,
  );
  await writer.post(qs, payload, options.signal, undefined, options.retry !== false, options);
}
