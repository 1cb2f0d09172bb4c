import { pino } from 'pino'

/** Structured fields of one log line (no secrets: keys, masks and shares never go here). */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>

/** A long-running participant process's log. */
export interface ProcessLog {
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

/** Field names that could carry key material: their values are replaced before writing. */
const SECRET_FIELDS = ['key', 'privateKey', 'signingKey', 'secret', 'password', 'seed', 'mask']

/**
 * The log of a `msfl server|owner|requestor` process, on stderr: with `json`, one pino
 * JSON object per line (time, level, participant, message, fields) for log shippers;
 * otherwise one readable line, `participant: message key=value …`. Fields named like key
 * material are redacted in both forms, a second line of defence behind never passing them.
 */
export function createProcessLog(options: {
  readonly participant: string
  readonly json: boolean
  readonly write?: (line: string) => void
}): ProcessLog {
  const write = options.write ?? ((line: string) => process.stderr.write(line))
  if (options.json) {
    const logger = pino(
      {
        base: { participant: options.participant },
        redact: { paths: SECRET_FIELDS, censor: '[redacted]' },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      { write },
    )
    return {
      info: (message, fields = {}) => logger.info(fields, message),
      warn: (message, fields = {}) => logger.warn(fields, message),
      error: (message, fields = {}) => logger.error(fields, message),
    }
  }
  const line = (level: string, message: string, fields: LogFields = {}) => {
    const rest = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${SECRET_FIELDS.includes(k) ? '[redacted]' : String(v)}`)
      .join(' ')
    write(
      `${options.participant}: ${level === 'info' ? '' : `${level}: `}${message}${rest ? ` ${rest}` : ''}\n`,
    )
  }
  return {
    info: (message, fields) => line('info', message, fields),
    warn: (message, fields) => line('warn', message, fields),
    error: (message, fields) => line('error', message, fields),
  }
}
