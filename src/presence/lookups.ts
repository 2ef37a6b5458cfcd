/**
 * Finding a presentity's newest record: what was pushed to us already, or a
 * DHT lookup — which is how a record is found while its presentity is
 * offline (RFC 2779 §3.2.1).
 */
import { validatePresenceRecord } from './dht-record.js'
import { presenceKey } from './protocol.js'
import { readVerified, type PresenceValidation } from './validation.js'
import { timeoutSignal } from '../utils/streams.js'
import type { Logger, PeerId } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { KadDHT } from '@libp2p/kad-dht'

/** With no peers a DHT query finds nothing but waits out its timeout; our own store answers at once */
const LONE_LOOKUP_TIMEOUT_MS = 500
const EMPTY_TABLE_RETRY_MS = 1_000
const EMPTY_TABLE_PATIENCE_MS = 5_000

export interface RecordLookupsComponents {
  connectionManager: ConnectionManager
  dht: KadDHT
}

export class RecordLookups {
  private readonly components: RecordLookupsComponents
  private readonly validation: PresenceValidation
  private readonly log: Logger

  constructor (components: RecordLookupsComponents, validation: PresenceValidation, log: Logger) {
    this.components = components
    this.validation = validation
    this.log = log
  }

  /** Envelope bytes of the newest valid record of `target` we can find, remembered for later */
  async newest (target: PeerId, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const key = presenceKey(target)
    let best = this.validation.newestBytes(target)
    let bestSeq = best == null ? -1n : (readVerified(best)?.seq ?? -1n)
    const alone = this.components.connectionManager.getConnections().length === 0
    const lookup = async (): Promise<void> => {
      for await (const event of this.components.dht.get(key, { signal: alone ? timeoutSignal(LONE_LOOKUP_TIMEOUT_MS, signal) : signal })) {
        if (event.name !== 'VALUE') continue
        try {
          await validatePresenceRecord(key, event.value)
        } catch {
          continue
        }
        const seq = readVerified(event.value)?.seq ?? -1n
        if (seq > bestSeq) {
          best = event.value
          bestSeq = seq
        }
      }
    }
    try {
      const started = Date.now()
      // connected, yet a lookup that found nothing at once: the routing table is still empty
      // (identify has not confirmed our peers speak the DHT yet) — ask again a moment later,
      // for a few seconds at most
      for (let quick = true; quick;) {
        const attempt = Date.now()
        await lookup()
        quick = best == null && !alone && Date.now() - attempt < EMPTY_TABLE_RETRY_MS && Date.now() - started < EMPTY_TABLE_PATIENCE_MS
        if (quick) await new Promise(resolve => setTimeout(resolve, EMPTY_TABLE_RETRY_MS))
      }
    } catch (err) {
      if (best == null) this.log('DHT lookup of %p failed - %e', target, err)
    }
    if (best != null) this.validation.remember(target, bestSeq, best)
    return best
  }
}
