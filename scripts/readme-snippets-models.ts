// The models `npx influx-models pull` writes from the demo's database (README, "Schema"): README
// snippets that import './models/index.js' get these. Checked by scripts/check-readme-snippets.mjs.
import { Field, Measurement, SeriesModel, Tag, Timestamp } from 'influx-models';

@Measurement({ name: 'cpu', database: 'influx_models_demo_29365' })
export class Cpu extends SeriesModel<Cpu> {
  @Tag() host!: string;
  @Tag() region!: string;
  @Field({ type: 'float' }) usage!: number;
  @Timestamp() time!: Date;
}

@Measurement({ name: 'http_request', database: 'influx_models_demo_29365' })
export class HttpRequest extends SeriesModel<HttpRequest> {
  @Tag() endpoint!: string;
  @Tag() host!: string;
  @Tag() status!: string;
  @Field({ type: 'integer' }) bytes!: number;
  @Field({ name: 'latency_ms', type: 'float' }) latencyMs!: number;
  @Timestamp() time!: Date;
}
