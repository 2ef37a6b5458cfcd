/**
 * A community relay's events for its operator: reservations taken and ended
 * (circuit relay v2) and the mailbox's deposits and drains, one info line
 * each (ops-log.ts), and the reservation counters among the metrics.
 */
import type { OpsLog } from './ops-log.js'
import type { MailboxActivity } from '../mesh/index.js'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Metrics, PeerId } from '@libp2p/interface'

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
