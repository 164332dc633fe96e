/**
 * Structured logs (pino). Every line about an RFQ carries rfqId, and quoteId / mmId where they apply;
 * secrets are never passed to a logger (the redact list is a second line of defence).
 */
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'parlay-rfq',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: {
      paths: [
        'apiKey',
        'api_key',
        'secret',
        '*.apiKey',
        '*.secret',
        'authorization',
        '*.authorization',
        'privateKey',
      ],
      censor: '[redacted]',
    },
    base: undefined,
  });
}

/** A logger that writes nothing, for tests and benchmarks that assert on behaviour, not on logs. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
