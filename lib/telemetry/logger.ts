import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs; level from POWERTOOLS_LOG_LEVEL (set per stage in the template). */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}
