import type { FieldMetadata, ModelMetadata, TagMetadata } from '../../src/models/model-metadata.js';

/** A hand-made model for builder unit tests (independent of the decorators). */
export class CpuRow {
  host!: string;
  region!: string;
  usage!: number;
  cores!: number;
  bytes!: bigint;
  label!: string;
  up!: boolean;
  at!: Date;
  describe(): string {
    return this.host;
  }
}

export function handMadeMetadata(
  measurement = 'cpu',
  templateProperties: string[] = [],
): ModelMetadata<CpuRow> {
  const tags: TagMetadata[] = [
    { property: 'host', key: 'host' },
    { property: 'region', key: 'dc region' },
  ];
  const fields: FieldMetadata[] = [
    { property: 'usage', key: 'usage', type: 'float', integerAs: 'number' },
    { property: 'cores', key: 'cores', type: 'integer', integerAs: 'number' },
    { property: 'bytes', key: 'bytes', type: 'integer', integerAs: 'bigint' },
    { property: 'label', key: 'la"bel', type: 'string', integerAs: 'number' },
    { property: 'up', key: 'up', type: 'boolean', integerAs: 'number' },
  ];
  return {
    model: CpuRow,
    className: 'CpuRow',
    measurement,
    templateProperties,
    database: undefined,
    retentionPolicy: undefined,
    precision: 'n',
    tags,
    fields,
    timestamp: { property: 'at', type: 'date' },
    tagsByProperty: new Map(tags.map((t) => [t.property, t])),
    fieldsByProperty: new Map(fields.map((f) => [f.property, f])),
    hydrate(values) {
      return Object.freeze(Object.assign(Object.create(CpuRow.prototype), values));
    },
  };
}
