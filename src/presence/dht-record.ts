/**
 * DHT validator and selector for presence records. kad-dht runs the
 * validator on every record a peer sends us (our own puts are checked by
 * the presence service before it puts) and the selector when a lookup finds
 * several versions.
 */
import { Libp2pRecord } from '@libp2p/record'
import { Key, type Datastore } from 'interface-datastore'
import { equals } from 'uint8arrays/equals'
import { toString } from 'uint8arrays/to-string'
import { openPresence } from './record.js'
import { readVerified } from './push-verdicts.js'
import { InvalidPresenceRecordError, StalePresenceRecordError } from './errors.js'
import { presenceKey } from './protocol.js'
import { MAX_CLOCK_SKEW_MS } from '../utils/formats.js'

/**
 * How long after its expiry a record is still stored and served: a watcher
 * fetching a presentity that has been offline for days still learns who it
 * is and when it was last seen.
 */
export const DHT_RETENTION_MS = 7 * 24 * 60 * 60_000

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

/**
 * Where kad-dht keeps the records it stores (its `datastorePrefix`, given to
 * kad-dht by createNode so that the validator below reads the same place)
 */
export const DHT_DATASTORE_PREFIX = '/dht'

/**
 * The validator kad-dht runs, which also compares against the record this
 * node holds: kad-dht's PUT_VALUE handler validates and then overwrites
 * whatever it held, so without this anyone could roll a presentity back to
 * an older record it once signed (an old note, "available" while it is
 * away). A record older than the one held, or with the same sequence number
 * and other bytes, is refused; the same record again (a republish) passes.
 *
 * kad-dht also validates the values a lookup brings back with it: an older
 * value from a peer is then dropped (our newer one wins anyway), so that
 * peer is not sent the newer record as a correction — the presentity's next
 * put or republish reaches it.
 */
export function storedRecordValidator (datastore: Datastore, prefix = DHT_DATASTORE_PREFIX): (key: Uint8Array, value: Uint8Array) => Promise<void> {
  return async (key, value) => {
    await validatePresenceRecord(key, value)
    const held = await heldValue(datastore, new Key(`${prefix}/record/${toString(key, 'base32')}`, false))
    if (held == null) return
    const seq = sequenceOf(value)
    const heldSeq = sequenceOf(held)
    if (seq < heldSeq) throw new StalePresenceRecordError(`Presence record ${seq} is older than the record ${heldSeq} held`)
    if (seq === heldSeq && !equals(value, held)) throw new StalePresenceRecordError(`Presence record ${seq} differs from the record held with that sequence number`)
  }
}

/** The value kad-dht stores under `dsKey`, if any and readable */
async function heldValue (datastore: Datastore, dsKey: Key): Promise<Uint8Array | undefined> {
  let bytes: Uint8Array
  try {
    bytes = await datastore.get(dsKey)
  } catch (err: any) {
    if (err.name === 'NotFoundError') return undefined
    throw err
  }
  try {
    return Libp2pRecord.deserialize(bytes).value
  } catch {
    // damaged: nothing to protect, let a valid record replace it
    return undefined
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
