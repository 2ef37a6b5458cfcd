/**
 * The operator's log: what a community relay does, one line per event at
 * info level (a reservation taken or ended, mailbox deposits and drains), for
 * journald or a log shipper. libp2p's loggers (`DEBUG=…`) are for developers:
 * they are off by default and have no info level.
 *
 * Lines carry counts and peer ids of the relay's own clients, never message
 * contents or who wrote to whom. `text`: `TIME info EVENT key=value …`;
 * `json`: one object a line with `time`, `level`, `event` and the fields.
 */

export type LogFormat = 'text' | 'json'

/** A field of an event line: numbers and short words only */
export type OpsFields = Record<string, string | number | boolean>

export interface OpsLog {
  info(event: string, fields?: OpsFields): void
}

/** Where lines go: anything with write(), such as process.stderr */
export interface LineSink {
  write(line: string): unknown
}

/** An OpsLog that writes nothing: the default of a node run as a library */
export const SILENT_LOG: OpsLog = { info: () => {} }

export function opsLog (sink: LineSink, format: LogFormat, now: () => Date = () => new Date()): OpsLog {
  return {
    info: (event, fields = {}) => {
      const time = now().toISOString()
      sink.write(format === 'json'
        ? `${JSON.stringify({ time, level: 'info', event, ...fields })}\n`
        : `${time} info ${event}${Object.entries(fields).map(([key, value]) => ` ${key}=${textValue(value)}`).join('')}\n`)
    }
  }
}

/** A value that would break the key=value form (a space, a quote, an equals sign) is quoted as JSON */
function textValue (value: string | number | boolean): string {
  const text = String(value)
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text)
}
