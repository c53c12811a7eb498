import { describe, expect, it } from 'vitest';
import { Field, InfluxClosedError, Measurement, SeriesModel, SeriesRegistry } from '../src/index.js';
import { MemorySink } from '../src/testing/index.js';

function setup() {
  const sink = new MemorySink();
  const registry = new SeriesRegistry({ sink, bulkSize: 1000, flushInterval: 60_000 });
  @Measurement({ name: 'sd', registry })
  class Sd extends SeriesModel<Sd> {
    @Field() v!: number;
  }
  return { sink, registry, Sd };
}

describe('opt-in shutdown hooks', () => {
  it('flushes on beforeExit', async () => {
    const { sink, registry, Sd } = setup();
    new Sd({ v: 1 });
    new Sd({ v: 2 });
    const before = process.listenerCount('beforeExit');
    const uninstall = registry.installShutdownHooks({ signals: [], beforeExit: true });
    expect(process.listenerCount('beforeExit')).toBe(before + 1);
    process.emit('beforeExit', 0);
    await registry.flush();
    expect(sink.lineCount).toBe(2);
    uninstall();
    expect(process.listenerCount('beforeExit')).toBe(before);
  });

  it('closes the registry on a signal and removes its listeners', async () => {
    const { sink, registry, Sd } = setup();
    // Another listener owns SIGUSR2 here, so the hook does not re-raise it after closing.
    const other = () => {};
    process.on('SIGUSR2', other);
    try {
      registry.installShutdownHooks({ signals: ['SIGUSR2'], beforeExit: false });
      const listeners = process.listenerCount('SIGUSR2');
      new Sd({ v: 1 });
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(process.listenerCount('SIGUSR2')).toBe(listeners - 1);
      await registry.close(); // idempotent: waits for the close the signal started
      expect(sink.lineCount).toBe(1);
      expect(registry.isClosed).toBe(true);
      expect(() => new Sd({ v: 2 })).toThrow(InfluxClosedError);
    } finally {
      process.off('SIGUSR2', other);
    }
  });
});
