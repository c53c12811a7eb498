/**
 * Provides `client.repository(Model)`: the query layer registers its repository factory with the
 * client when it is loaded, and types the method (module augmentation), so that the client never
 * imports the query layer (query depends on client, never the reverse). Loaded by `query/index.ts`;
 * listed in package.json `sideEffects`.
 */
import { provideRepositoryFactory } from '../client/influxdb-client.js';
import type { ModelClass } from '../models/model-metadata.js';
import { createRepository, type Repository } from './repository.js';

declare module '../client/influxdb-client.js' {
  interface ClientRepositoryTypes<T extends object> {
    model: ModelClass<T>;
    repository: Repository<T>;
  }
}

provideRepositoryFactory((client, model) => createRepository(client, model as ModelClass<object>));
