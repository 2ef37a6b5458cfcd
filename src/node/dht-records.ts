/**
 * What a DHT server stores for others, bounded.
 *
 * kad-dht stores every valid record a peer puts and forgets one only when
 * somebody asks for it more than 48 hours after it arrived. Identities cost
 * nothing, and each record a stranger signs with a fresh identity of its own
 * is valid: without a bound, one stranger could fill a relay's disk. So the
 * datastore kad-dht writes to is wrapped: a record under a key not held yet is
 * refused once `maxRecords` are held (a key already held may always be
 * updated, so no presentity that has a record here loses it), and a sweep
 * deletes the records kad-dht would no longer serve.
 */
import { Libp2pRecord } from '@libp2p/record'
import { Key, type Datastore } from 'interface-datastore'
import { toString } from 'uint8arrays/to-string'
import { DhtStoreFullError } from './errors.js'
import type { Logger } from '@libp2p/interface'

/** kad-dht serves a record for 48 h after it arrived (its PROVIDERS_VALIDITY), then deletes it on the next get */
export const DHT_RECORD_VALIDITY_MS = 48 * 60 * 60_000
/** How often, at most, records past their validity are deleted */
const SWEEP_INTERVAL_MS = 60 * 60_000

export interface DhtRecordLimits {
  /** Records held for others before a record under a new key is refused */
  maxRecords: number
}

/**
 * The datastore to hand libp2p: everything passes through, but a record
 * under a new key once `maxRecords` are held. `prefix` is kad-dht's
 * datastorePrefix; `exempt` are DHT keys always taken (the node's own record:
 * its own put stores it here first).
 */
export function boundDhtRecords (datastore: Datastore, prefix: string, limits: DhtRecordLimits, exempt: Uint8Array[], log: Logger): Datastore {
  const recordPrefix = `${prefix}/record/`
  const exemptKeys = new Set(exempt.map(key => `${recordPrefix}${toString(key, 'base32')}`))
  let held: number | undefined
  let lastSweep = 0

  const countHeld = async (): Promise<number> => {
    let count = 0
    for await (const key of datastore.queryKeys({ prefix: recordPrefix })) {
      void key
      count++
    }
    return count
  }

  const put: Datastore['put'] = async (key, value, options) => {
    const name = key.toString()
    if (!name.startsWith(recordPrefix)) return datastore.put(key, value, options)
    // records only grow through puts, so the sweep needs no timer of its own: the first put after
    // an interval starts it (a put meanwhile may be counted twice: the bound errs on the safe side)
    if (Date.now() - lastSweep > SWEEP_INTERVAL_MS) {
      lastSweep = Date.now()
      sweep().catch(err => log.error('sweeping DHT records failed - %e', err))
    }
    if (!exemptKeys.has(name) && !(await datastore.has(key, options))) {
      held ??= await countHeld()
      if (held >= limits.maxRecords) {
        log('refusing a record under a new key: %d records held', held)
        throw new DhtStoreFullError(`This DHT server holds ${held} records, its limit; it takes updates of those only`)
      }
      held++
    }
    return datastore.put(key, value, options)
  }

  /** Delete what kad-dht would no longer serve, and count what is left */
  const sweep = async (): Promise<void> => {
    const oldest = Date.now() - DHT_RECORD_VALIDITY_MS
    let kept = 0
    for await (const { key, value } of datastore.query({ prefix: recordPrefix })) {
      let received: number | undefined
      try {
        received = Libp2pRecord.deserialize(value).timeReceived?.getTime()
      } catch {
        received = undefined
      }
      if (received == null || received < oldest) await datastore.delete(new Key(key.toString(), false))
      else kept++
    }
    held = kept
  }

  // a Proxy rather than a subclass: the datastore is whatever the caller gave (LevelDB, memory, …)
  // every datastore call of the node passes here: bind each method once, not on every call
  const bound = new Map<PropertyKey, unknown>([['put', put]])
  const bounded = new Proxy(datastore, {
    get (target, property) {
      if (bound.has(property)) return bound.get(property)
      const value = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      const method = value.bind(target)
      bound.set(property, method)
      return method
    }
  })

  return bounded
}
