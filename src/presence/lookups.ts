/**
 * Finding a presentity's newest record: what was pushed to us already, or a
 * DHT lookup — which is how a record is found while its presentity is
 * offline (RFC 2779 §3.2.1). When we know nothing of a presentity we can
 * reach, a fetch also asks it — the DHT may have nothing: our bootstrap peers
 * may be stock kad-dht servers, which do not speak the mesh's DHT. A
 * duration-0 subscribe (a CPIM poll) answers with its current record.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { pbStream } from '@libp2p/utils'
import { validatePresenceRecord } from './dht-record.js'
import { LookupUnansweredError } from './errors.js'
import { SubscribeRequest, SubscribeResponse } from './pb/protocol.js'
import { presenceKey, SUBSCRIBE_PROTOCOL, SUBSCRIBE_RESPONSE_FRAME_LIMIT } from './protocol.js'
import { readVerified, type PresenceValidation } from './push-verdicts.js'
import { openStreamTo, timeoutSignal, withStream } from '../utils/streams.js'
import type { Logger, PeerId, PeerStore } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { KadDHT } from '@libp2p/kad-dht'

/** With no peers a DHT query finds nothing but waits out its timeout; our own store answers at once */
const LONE_LOOKUP_TIMEOUT_MS = 500
const EMPTY_TABLE_RETRY_MS = 1_000
const EMPTY_TABLE_PATIENCE_MS = 5_000
/** Asking the presentity itself, when we know nothing of it; the DHT lookup's time after its answer */
const ASK_TIMEOUT_MS = 5_000
const ASKED_GRACE_MS = 1_000

export interface RecordLookupsComponents {
  connectionManager: ConnectionManager
  dht: KadDHT
  peerStore: PeerStore
}

export interface NewestOptions {
  /**
   * Ask the presentity too when we know nothing of it. Only for fetches: a poll
   * cancels a subscription the presentity holds for us, which a subscribe
   * about to be made (or renewed) must not be.
   */
  askPresentity?: boolean
  /**
   * A background look (a timer's, at an offline contact): a lookup that peers
   * answered without a record is the answer, not retried. Otherwise such a
   * lookup is asked again for a few seconds, since a presentity that just
   * started may be putting its record now
   */
  background?: boolean
  /**
   * Reject with LookupUnansweredError, rather than resolve undefined, when
   * nothing was found and no DHT peer answered: a subscription takes "no
   * record" for the presentity being away, and looks again only much later
   */
  requireAnswer?: boolean
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
  async newest (target: PeerId, signal: AbortSignal, options: NewestOptions = {}): Promise<Uint8Array | undefined> {
    const key = presenceKey(target)
    let best = this.validation.newestBytes(target)
    let bestSeq = best == null ? -1n : (readVerified(best)?.seq ?? -1n)
    const alone = this.components.connectionManager.getConnections().length === 0
    // the presentity is asked while the DHT is looked up, which keeps all its time (it may hold
    // newer, a delegate's record); once the presentity has answered, the DHT — which, without mesh
    // servers, waits out whatever time it is given — gets a moment more at most
    const asking = best == null && options.askPresentity === true && await this.reachable(target)
    const enough = new AbortController()
    const lookupSignal = AbortSignal.any([signal, enough.signal])
    const asked = !asking
      ? Promise.resolve(undefined)
      : this.ask(target, signal).then(answer => {
        if (answer != null) setTimeout(() => { enough.abort() }, ASKED_GRACE_MS).unref()
        return answer
      }, err => {
        this.log('could not ask %p for its record - %e', target, err)
        return undefined
      })
    // a peer that answered means the routing table was not empty: no record is the DHT's answer
    let answered = false
    const lookup = async (): Promise<void> => {
      for await (const event of this.components.dht.get(key, { signal: alone ? timeoutSignal(LONE_LOOKUP_TIMEOUT_MS, lookupSignal) : lookupSignal })) {
        if (event.name === 'PEER_RESPONSE') answered = true
        if (event.name !== 'VALUE') continue
        try {
          await validatePresenceRecord(key, event.value)
        } catch {
          // a stale, malformed or forged value from one DHT peer: the others may hold a valid one
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
      // (identify has not confirmed our peers speak the DHT yet), or the record is being put —
      // ask again a moment later, for a few seconds at most. In a background look, peers'
      // answer without a record is final: retrying made every look at an offline contact five
      // lookups that outlasted their deadline
      for (let quick = true; quick;) {
        const attempt = Date.now()
        await lookup()
        quick = best == null && !(answered && options.background === true) && !alone && Date.now() - attempt < EMPTY_TABLE_RETRY_MS && Date.now() - started < EMPTY_TABLE_PATIENCE_MS
        // the caller's deadline ends the wait too (a sender bounds the lookup of a peer it knows nothing of)
        if (quick) await delay(EMPTY_TABLE_RETRY_MS, undefined, { signal: lookupSignal }).catch(() => {})
        if (lookupSignal.aborted) break
      }
    } catch (err) {
      if (best == null) this.log('DHT lookup of %p failed - %e', target, err)
    }
    const answer = await asked
    const answerSeq = answer == null ? -1n : (readVerified(answer)?.seq ?? -1n)
    if (answer != null && answerSeq > bestSeq) {
      best = answer
      bestSeq = answerSeq
    }
    if (best != null) this.validation.remember(target, bestSeq, best)
    else if (options.requireAnswer === true && !answered && !signal.aborted) throw new LookupUnansweredError(`no DHT peer answered a lookup of ${target.toString()}`)
    return best
  }

  /**
   * The highest valid sequence number the DHT holds for `target` now (-1 for
   * none): one pass, no retry, for a stopping node that must go above it
   */
  async newestSeqInDht (target: PeerId, signal: AbortSignal): Promise<bigint> {
    const key = presenceKey(target)
    let seq = -1n
    try {
      for await (const event of this.components.dht.get(key, { signal })) {
        if (event.name !== 'VALUE') continue
        const found = await validatePresenceRecord(key, event.value).then(() => readVerified(event.value)?.seq ?? -1n, () => -1n)
        if (found > seq) seq = found
      }
    } catch (err) {
      this.log('DHT look at %p\'s sequence ended - %e', target, err)
    }
    return seq
  }

  /** Connected, or with addresses to dial: a dial that needs a peer routing walk is not tried */
  private async reachable (target: PeerId): Promise<boolean> {
    if (this.components.connectionManager.getConnections(target).length > 0) return true
    const peer = await this.components.peerStore.get(target).catch(() => undefined)
    return (peer?.addresses.length ?? 0) > 0
  }

  /** The record the presentity answers a poll with, if it is valid and its own */
  private async ask (target: PeerId, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const options = { signal: timeoutSignal(ASK_TIMEOUT_MS, signal) }
    const stream = await openStreamTo(this.components.connectionManager, target, SUBSCRIBE_PROTOCOL, options)
    const response = await withStream(stream, options.signal, async () => {
      const pb = pbStream(stream, { maxDataLength: SUBSCRIBE_RESPONSE_FRAME_LIMIT })
      await pb.write({ transactionId: `fetch-${randomUUID()}`, duration: 0 }, SubscribeRequest, options)
      return pb.read(SubscribeResponse, options)
    })
    if (response.record == null || response.record.length === 0) return undefined
    // the same checks as a DHT value: signed by the presentity (or its delegate) for this key
    await validatePresenceRecord(presenceKey(target), response.record)
    return response.record
  }
}
