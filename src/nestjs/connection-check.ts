import type { Logger } from '@nestjs/common';
import type { InfluxDBClient } from '../client/influxdb-client.js';
import { InfluxConnectionError } from '../errors.js';

/** Default pause between two startup pings, in ms (as `@nestjs/typeorm`'s `retryDelay`). */
export const DEFAULT_RETRY_DELAY = 3000;
/** Default number of pings after the first failed one, when only `retryDelay` is given. */
export const DEFAULT_RETRY_ATTEMPTS = 9;

/**
 * The startup connection check of an InfluxModule connection (`retryAttempts` / `retryDelay`):
 * pings the server up to `1 + attempts` times, `delay` ms apart, logging every failed attempt and
 * the success; throws {@link InfluxConnectionError} naming the connection, the server's URL (never
 * credentials) and the last cause when every attempt failed, so the application does not start.
 */
export async function checkConnectionAtStartup(
  client: InfluxDBClient,
  name: string,
  attempts: number,
  delay: number,
  logger: Logger,
): Promise<void> {
  const total = attempts + 1;
  for (let attempt = 1; ; attempt++) {
    try {
      const version = await client.ping();
      logger.log(`connected to InfluxDB ${version || '(version not reported)'} at ${client.url}`);
      return;
    } catch (e) {
      const reason = (e as Error)?.message ?? String(e);
      if (attempt >= total) {
        logger.error(
          `unable to connect to InfluxDB at ${client.url} (attempt ${attempt}/${total}): ${reason}`,
        );
        throw new InfluxConnectionError(
          `InfluxModule connection '${name}': InfluxDB at ${client.url} did not answer after ${total} attempt(s) ${delay} ms apart (retryAttempts ${attempts}, retryDelay ${delay}); last error: ${reason}`,
          { cause: e },
        );
      }
      logger.warn(
        `unable to connect to InfluxDB at ${client.url} (attempt ${attempt}/${total}): ${reason}; retrying in ${delay} ms`,
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
