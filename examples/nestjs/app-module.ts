import { type DynamicModule, Module } from '@nestjs/common';
import { InfluxModule, type InfluxModuleOptions } from 'influx-models/nestjs';
import { HttpRequest } from './http-request-model.js';
import { MetricsService } from './metrics-service.js';

/** The example application: one InfluxDB connection, one model, one service. */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest module class with a dynamic-module factory.
export class AppModule {
  static forConnection(influx: InfluxModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfluxModule.forRootAsync({
          // In an application this would come from @nestjs/config (inject: [ConfigService]).
          useFactory: () => ({ ...influx, series: { bulkSize: 100, flushInterval: 1000 } }),
        }),
        InfluxModule.forFeature([HttpRequest]),
      ],
      providers: [MetricsService],
    };
  }
}
