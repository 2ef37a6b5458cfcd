/**
 * DHT validator and selector for presence records. kad-dht runs the
 * validator on every record a peer sends us (our own puts are checked by
 * the presence service before it puts) and the selector when a lookup finds
 * several versions.
 */
import { equals } from 'uint8arrays/equals'
import { openPresence } from './record.js'
import { readVerified } from './validation.js'
import { InvalidPresenceRecordError } from './errors.js'
import { presenceKey } from './protocol.js'

/**
 * How long after its expiry a record is still stored and served: a watcher
 * fetching a presentity that has been offline for days still learns who it
 * is and when it was last seen.
 */
export const DHT_RETENTION_MS = 7 * 24 * 60 * 60_000

/** Records dated further in the future than this are refused (clock skew allowance) */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000

export async function validatePresenceRecord (key: Uint8Array, value: Uint8Array): Promise<void> {
  const { record } = await openPresence(value, { allowExpired: true })
  if (!equals(key, presenceKey(record.presentity))) {
    throw new InvalidPresenceRecordError('Presence record stored under another presentity\'s key')
  }
  const now = Date.now()
  if (record.issuedAt > now + MAX_CLOCK_SKEW_MS) {
    throw new InvalidPresenceRecordError('Presence record issued in the future')
  }
  if (now > record.expiresAt + DHT_RETENTION_MS) {
    throw new InvalidPresenceRecordError('Presence record is past its retention time')
  }
}

/** Pick the highest sequence number; records that do not decode lose */
export function selectPresenceRecord (_key: Uint8Array, records: Uint8Array[]): number {
  let best = 0
  let bestSeq = -1n
  records.forEach((bytes, index) => {
    const seq = sequenceOf(bytes)
    if (seq > bestSeq) {
      best = index
      bestSeq = seq
    }
  })
  return best
}

/** The sequence number of envelope bytes already validated, -1 if unreadable */
export function sequenceOf (bytes: Uint8Array): bigint {
  return readVerified(bytes)?.seq ?? -1n
}
