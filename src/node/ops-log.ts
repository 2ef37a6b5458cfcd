/**
 * The operator's log: what a community relay does, one line per event at
 * info level (a reservation taken or ended, mailbox deposits and drains), for
 * journald or a log shipper; the reservation counters among the metrics. libp2p's loggers (`DEBUG=…`) are for developers:
 * they are off by default and have no info level.
 *
 * Lines carry counts and peer ids of the relay's own clients, never message
 * contents or who wrote to whom. `text`: `TIME info EVENT key=value …`;
 * `json`: one object a line with `time`, `level`, `event` and the fields.
 */
import type { MailboxActivity } from '../mailbox/index.js'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Metrics, PeerId } from '@libp2p/interface'

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

/**
 * Follow the relay server's reservations. circuit-relay-v2 emits no event
 * when a reservation is made or ends (it expires, its peer disconnects, the
 * relay stops); all go through the `reservations` map it exposes, so the
 * map's set and delete are observed on that instance.
 */
export function followReservations (relay: CircuitRelayService, log: OpsLog, metrics?: Metrics): void {
  const counts = metrics?.registerCounterGroup('presence_mesh_relay_reservation_events_total', { label: 'event', help: 'Circuit relay reservations taken and ended on this relay' })
  const reservations = relay.reservations
  const set = reservations.set.bind(reservations)
  const remove = reservations.delete.bind(reservations)
  reservations.set = (peer, reservation) => {
    const taken = !reservations.has(peer)
    set(peer, reservation)
    if (taken) {
      counts?.increment({ taken: 1 })
      log.info('relay-reservation-taken', { peer: peer.toString(), reservations: reservations.size, expires: reservation.expiry.toISOString() })
    }
  }
  reservations.delete = (peer: PeerId) => {
    const held = remove(peer)
    if (held) {
      counts?.increment({ ended: 1 })
      log.info('relay-reservation-ended', { peer: peer.toString(), reservations: reservations.size })
    }
    return held
  }
}

/** The mailbox's `onActivity`: counts and sizes only, never who wrote to whom */
export function logMailboxActivity (log: OpsLog): (activity: MailboxActivity) => void {
  return activity => {
    if (activity.type === 'deposit') {
      log.info('mailbox-deposit', { outcome: activity.outcome, bytes: activity.bytes, held: activity.heldItems, heldBytes: activity.heldBytes })
    } else {
      log.info('mailbox-drain', { items: activity.items, held: activity.heldItems, heldBytes: activity.heldBytes })
    }
  }
}
