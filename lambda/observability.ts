/**
 * The Powertools Logger and Metrics of the Lambda functions, as shared singletons: one instance per execution
 * environment, created at cold start, so every module logs with the same keys and metrics land in one namespace.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME } from './app/metric-names';

/** Structured JSON logger; log level from `POWERTOOLS_LOG_LEVEL` (default INFO). */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/** Embedded-metric-format metrics in namespace {@link METRICS_NAMESPACE}, dimension `service`. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
