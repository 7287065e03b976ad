import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs on stdout (one object per line), as log collectors expect. */
export function createLogger(level: string, name = 'caducee'): Logger {
  return pino({ name, level, base: { service: name } });
}
