import { Field, Measurement, SeriesModel, Tag } from 'influx-models';

/**
 * One served HTTP request. Constructing an instance records a point; once the class is bound by
 * `InfluxModule.forFeature([HttpRequest])` it is buffered in the module's registry and written in
 * bulk through the module's client.
 *
 * Line protocol: `http_requests,method=GET,route=/users duration_ms=12.5,status=200i 1700000000123456789`
 */
@Measurement('http_requests')
export class HttpRequest extends SeriesModel<HttpRequest> {
  @Tag() method!: string;
  @Tag() route!: string;
  @Field({ type: 'integer' }) status!: number;
  @Field({ name: 'duration_ms', type: 'float' }) durationMs!: number;
}
