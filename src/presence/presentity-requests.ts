/**
 * The watcher's exchanges with a presentity: a subscribe request (a
 * subscription, a renewal, a poll or a cancel) answered by a response, and
 * the Notice a presentity sends when its user decides about us, and the
 * presentity's current record, checked. What an answer means is the state
 * machine's (subscriptions.ts).
 */
import { pbStream } from '@libp2p/utils'
import { InvalidSubscribeResponseError } from './errors.js'
import { Notice, SubscribeRequest, SubscribeResponse } from './pb/protocol.js'
import { NOTICE_FRAME_LIMIT, SUBSCRIBE_PROTOCOL, SUBSCRIBE_RESPONSE_FRAME_LIMIT } from './protocol.js'
import { readVerified, type PresenceValidation } from './push-verdicts.js'
import { openPresence, type PresenceRecord } from './record.js'
import { openStreamTo, timeoutSignal, withStream } from '../utils/streams.js'
import type { Subscription, SubscriptionsInit } from './subscription-types.js'
import type { Logger, PeerId, PeerStore, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export const REQUEST_TIMEOUT_MS = 5_000

export interface PresentityRequestsComponents {
  peerStore: PeerStore
  connectionManager: ConnectionManager
}

export class PresentityRequests {
  private readonly components: PresentityRequestsComponents
  private readonly validation: PresenceValidation
  private readonly init: Pick<SubscriptionsInit, 'fetch' | 'exchanged'>
  private readonly log: Logger

  constructor (components: PresentityRequestsComponents, validation: PresenceValidation, init: Pick<SubscriptionsInit, 'fetch' | 'exchanged'>, log: Logger) {
    this.components = components
    this.validation = validation
    this.init = init
    this.log = log
  }

  /** Asks `target` for `duration` seconds of the transaction (0: a poll, or a cancel) */
  async request ({ target, transactionId }: Pick<Subscription, 'target' | 'transactionId'>, duration: number, signal?: AbortSignal): Promise<SubscribeResponse> {
    const options = { signal: timeoutSignal(REQUEST_TIMEOUT_MS, signal) }
    try {
      await this.learnAddresses(target)
      const stream = await openStreamTo(this.components.connectionManager, target, SUBSCRIBE_PROTOCOL, options)
      return await withStream(stream, options.signal, async () => {
        const pb = pbStream(stream, { maxDataLength: SUBSCRIBE_RESPONSE_FRAME_LIMIT })
        await pb.write({ transactionId, duration }, SubscribeRequest, options)
        const response = await pb.read(SubscribeResponse, options)
        // an answer without a status says nothing: not a grant, not a refusal
        if (response.status === SubscribeResponse.Status.STATUS_UNSPECIFIED) throw new InvalidSubscribeResponseError('the presentity answered without a status')
        return response
      })
    } finally {
      this.init.exchanged(target)
    }
  }

  /** The Notice on an incoming stream; the connection it came on says who sent it */
  async readNotice (stream: Stream): Promise<Notice> {
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    return withStream(stream, signal, async () => pbStream(stream, { maxDataLength: NOTICE_FRAME_LIMIT, maxBufferSize: NOTICE_FRAME_LIMIT + 8 }).read(Notice, { signal }))
  }

  /** The presentity's newest record we can find (pushed to us, else the DHT), checked */
  async currentState (target: PeerId, signal: AbortSignal, background = false): Promise<PresenceRecord | undefined> {
    return (await this.lookUp(target, signal, background)).record
  }

  /**
   * Its current state, and whether the lookup was answered in time: a record,
   * or the DHT saying it holds none. A lookup that timed out or that nobody
   * answered (refused or failed queries) says nothing of the presentity
   */
  async lookUp (target: PeerId, signal: AbortSignal, background = false): Promise<{ record?: PresenceRecord, answered: boolean }> {
    let answered = true
    const bytes = await this.init.fetch(target, signal, background).catch(() => {
      answered = false
      return undefined
    })
    return { record: await this.newer(target, undefined, bytes), answered: answered && !signal.aborted }
  }

  /** The newer of a known record and envelope bytes from the presentity, after checking them */
  async newer (target: PeerId, known: PresenceRecord | undefined, bytes: Uint8Array | undefined): Promise<PresenceRecord | undefined> {
    if (bytes == null || bytes.length === 0) return known
    try {
      const { record } = await openPresence(bytes, { allowExpired: true })
      if (!record.presentity.equals(target)) return known
      this.validation.remember(target, record.seq, bytes)
      return known == null || record.seq > known.seq ? record : known
    } catch (err) {
      this.log('ignoring an invalid record for %p - %e', target, err)
      return known
    }
  }

  /**
   * The addresses the presentity's newest record names (signed by it, so
   * authentic), for the dial: a watcher that never met it knows it only
   * from the DHT, and a DHT client's address is in no routing table
   */
  private async learnAddresses (target: PeerId): Promise<void> {
    if (this.components.connectionManager.getConnections(target).length > 0) return
    const bytes = this.validation.newestBytes(target)
    const addresses = bytes == null ? [] : readVerified(bytes)?.addresses ?? []
    if (addresses.length > 0) await this.components.peerStore.merge(target, { multiaddrs: addresses }).catch(err => this.log('could not keep the addresses of %p - %e', target, err))
  }
}
