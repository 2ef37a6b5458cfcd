/**
 * Publishing: our record signed, pushed to our watchers and put in the DHT
 * (others' records too, for a delegate or a will), republished before it
 * expires, put again once a DHT server is met, and the goodbye on stop.
 */
import { InvalidPolicyError } from './access/errors.js'
import { delegatedRecord } from './delegation.js'
import { validatePresenceRecord } from './dht-record.js'
import { sealPresence, type PresenceRecord } from './record.js'
import { presenceKey } from './protocol.js'
import { storedOn, timeoutSignal } from '../utils/streams.js'
import { PUSH_HANG_UP_DELAY_MS, type HangUp } from './hang-up.js'
import type { RecordLookups } from './lookups.js'
import type { OwnPresence, PresenceUpdate } from './own-presence.js'
import type { Pushes } from './push.js'
import type { PresenceValidation } from './push-verdicts.js'
import type { Watchers } from './watchers.js'
import type { AbortOptions, Logger, PeerId, PrivateKey } from '@libp2p/interface'
import type { AddressManager, ConnectionManager } from '@libp2p/interface-internal'
import type { KadDHT, SingleKadDHT } from '@libp2p/kad-dht'

export const DHT_PUT_TIMEOUT_MS = 30_000
/**
 * How long publish() waits for the DHT put before returning (it goes on in
 * the background after): long enough that a fetch right after a change
 * usually sees it, short enough that a slow DHT does not hold the user up.
 */
export const DHT_PUT_WAIT_MS = 3_000
/** A stopping node gives its goodbye this long to reach the DHT (stop must finish within 2 s) */
const GOODBYE_DHT_TIMEOUT_MS = 1_000
/** …and first looks this long for a newer record of ours there (a delegate's) */
const GOODBYE_LOOKUP_TIMEOUT_MS = 400
/** After a peer is identified, before putting a record no DHT server took: kad-dht pings a new server before taking it */
const STORE_AGAIN_DELAY_MS = 1_000
/** How long a starting DHT client waits to meet a DHT server (its bootstrap peers) before announcing itself anyway */
const DHT_SERVER_WAIT_MS = 5_000
const DHT_SERVER_POLL_MS = 50
/**
 * The DHT put and the will deposits of a change start once its pushes on
 * open connections are done (dials may go on), or after this long: they are
 * not on the way to any watcher, and in one event loop their lookups,
 * signing and validating would delay the pushes. With 250 ms, a fan-out to
 * 100 watchers under load (300–450 ms) had both running through its second half
 */
const PUSH_HEAD_START_MS = 1_000

export interface PublisherComponents {
  peerId: PeerId
  privateKey: PrivateKey
  connectionManager: ConnectionManager
  addressManager: AddressManager
  dht: KadDHT
}

/** The presence service's parts a publisher uses, and what it tells the service */
export interface PublisherParts {
  own: OwnPresence
  validation: PresenceValidation
  pushes: Pushes
  watchers: Watchers
  lookups: RecordLookups
  hangUp?: HangUp
  /** Our record is republished at half this */
  recordTtl: number
  running: () => boolean
  /** Deposit the wills of our newest record with their holders */
  depositWills: () => void
  /** A record of ours was published */
  changed: (record: PresenceRecord) => void
}

export interface SpreadOptions {
  /** Push to these peers; default: ours to our watchers, anyone else's to nobody */
  to?: PeerId[]
  dhtTimeout?: number
  signal?: AbortSignal
  /** Wait this long for the DHT put before returning */
  waitForDht?: number
  /** Run once the pushes have started */
  afterPush?: () => void
}

export class Publisher {
  private readonly components: PublisherComponents
  private readonly parts: PublisherParts
  private readonly log: Logger
  private republishTimer?: ReturnType<typeof setTimeout>
  /** DHT puts and pushes still running: a stop waits for them briefly */
  private readonly puts = new Set<Promise<void>>()
  /**
   * Our last record reached no DHT server (we published before meeting one:
   * a desktop node starts before its bootstrap connection is up, and only
   * servers hold records): put it again once a peer has been identified
   */
  private unstored?: Uint8Array
  private storeTimer?: ReturnType<typeof setTimeout>

  constructor (components: PublisherComponents, parts: PublisherParts, log: Logger) {
    this.components = components
    this.parts = parts
    this.log = log
  }

  async publish (update: PresenceUpdate, options: AbortOptions = {}, dhtTimeout = DHT_PUT_TIMEOUT_MS, floor = -1n, waitForDht = DHT_PUT_WAIT_MS): Promise<PresenceRecord> {
    const { record, bytes } = await this.parts.own.next(update, this.components.addressManager.getAddresses(), floor)
    this.parts.validation.remember(record.presentity, record.seq, bytes)
    // wills go with every record, closed ones too, so that no holder keeps a
    // will older than our newest record (publishing it would be a replay,
    // ignored by every watcher). They go out right after the pushes start, in
    // the background: the change is not held up by a slow holder (until the
    // new ones arrive, a holder has only the previous will — see "Out of contact")
    await this.spread(bytes, record.presentity, { dhtTimeout, signal: options.signal, waitForDht: Math.min(dhtTimeout, waitForDht), afterPush: () => { this.parts.depositWills() } })
    this.scheduleRepublish()
    this.parts.changed(record)
    return record
  }

  /**
   * As a delegate: publish a change of the presentity of `current` (its
   * newest record), signed by us with its delegation
   */
  async publishFor (current: PresenceRecord, delegation: Uint8Array, update: PresenceUpdate, signal?: AbortSignal): Promise<PresenceRecord> {
    const presentity = current.presentity
    if (current.restricted === true || (current.views?.length ?? 0) > 0) {
      throw new InvalidPolicyError(`${presentity.toString()} hides its presence from some watchers; a delegate cannot publish for it`)
    }
    const record = delegatedRecord(current, update, delegation, Date.now(), this.parts.recordTtl)
    const bytes = await sealPresence(this.components.privateKey, record)
    this.parts.validation.remember(presentity, record.seq, bytes)
    // the presentity takes it as its own and pushes it to its watchers (onRecord)
    await this.spread(bytes, presentity, { to: [presentity], signal, waitForDht: DHT_PUT_WAIT_MS })
    return record
  }

  /**
   * Push signed record bytes now — ours to our watchers, anyone else's to
   * `to` — and store them in the DHT, waiting up to `waitForDht` ms for that
   * and letting it finish in the background after (pushes and puts are
   * tracked so a stop can wait briefly).
   */
  async spread (bytes: Uint8Array, presentity: PeerId, options: SpreadOptions = {}): Promise<void> {
    // `signal` ends the caller's wait, not the spread: once signed, the record must reach the
    // watchers and the DHT. An API caller's signal aborts as soon as its answer is sent, and it
    // used to abort the pushes still dialling, marking those watchers unreachable for the next
    // changes too. Pushes and the put are bounded by their own timeouts
    const { dhtTimeout = DHT_PUT_TIMEOUT_MS, signal, waitForDht = 0 } = options
    const { pushes, watchers } = this.parts
    const key = presenceKey(presentity)
    // our own put skips kad-dht's validator: check first, never store what peers would refuse
    await validatePresenceRecord(key, bytes)
    const own = presentity.equals(this.components.peerId)
    let connectedDone = (): void => {}
    let timer: ReturnType<typeof setTimeout> | undefined
    const headStart = new Promise<void>(resolve => {
      connectedDone = resolve
      timer = setTimeout(resolve, PUSH_HEAD_START_MS)
    })
    const pushed = (own && options.to == null
      ? pushes.fanOut([...watchers.list().map(w => w.peerId), ...watchers.takeLapsed()], bytes, undefined, connectedDone)
      : pushes.send(options.to ?? [], bytes, undefined, connectedDone).then(() => {}))
      .finally(() => {
        this.puts.delete(pushed)
        if (this.parts.running()) for (const peer of this.pushedTo(own, options.to)) this.parts.hangUp?.after(peer, 0, PUSH_HANG_UP_DELAY_MS)
      })
    this.puts.add(pushed)
    await waitUnlessAborted([pushed, headStart], signal)
    clearTimeout(timer)
    options.afterPush?.()
    // a DHT server keeps its own copy; a client's record is stored only if a server took it
    const client = this.components.dht.getMode() === 'client'
    const put = storedOn(this.components.dht.put(key, bytes, { signal: timeoutSignal(dhtTimeout) }))
      .catch(err => {
        this.log('DHT put of %p presence incomplete - %e', presentity, err)
        return 0
      })
      .then(servers => {
        if (own && this.parts.own.signed?.bytes === bytes) this.unstored = client && servers === 0 ? bytes : undefined
      })
      .finally(() => this.puts.delete(put))
    this.puts.add(put)
    // alone, a put cannot finish: do not make the caller wait for it
    const alone = this.components.connectionManager.getConnections().length === 0
    if (waitForDht > 0 && !alone) {
      let waited: ReturnType<typeof setTimeout> | undefined
      await waitUnlessAborted([put, new Promise(resolve => { waited = setTimeout(resolve, waitForDht) })], signal)
      clearTimeout(waited)
    }
  }

  /** Whom a push went to, for hanging up once it is done */
  private pushedTo (own: boolean, to?: PeerId[]): PeerId[] {
    return to ?? (own ? this.parts.watchers.list().map(w => w.peerId) : [])
  }

  /** A watcher our pushes could not reach is connected again: it gets our current record now */
  pushIfReturned (peer: PeerId): void {
    const { own, pushes, watchers } = this.parts
    const signed = own.signed
    if (pushes.isUnreachable(peer) && watchers.get(peer) != null && signed != null) {
      pushes.reachable(peer)
      pushes.fanOut([peer], signed.bytes).catch(err => this.log('could not push to %p - %e', peer, err))
    }
  }

  /**
   * Resolves once the DHT's routing table holds a server, or after a while:
   * a DHT client reaches nobody before it has met a DHT server
   */
  async dhtServerMet (ms = DHT_SERVER_WAIT_MS): Promise<void> {
    const routingTable = (this.components.dht as Partial<SingleKadDHT>).routingTable
    const deadline = Date.now() + ms
    while ((routingTable?.size ?? 1) === 0 && Date.now() < deadline && this.parts.running()) {
      await new Promise(resolve => setTimeout(resolve, DHT_SERVER_POLL_MS))
    }
  }

  /** A peer was identified: it may be the DHT server our last put did not reach */
  onIdentify (): void {
    if (this.unstored != null) this.storeAgain()
  }

  /**
   * Put the record no DHT server took, once the routing table has had a
   * moment to take in the peer just identified (kad-dht checks it first)
   */
  private storeAgain (): void {
    if (this.storeTimer != null) return
    this.storeTimer = setTimeout(() => {
      this.storeTimer = undefined
      const bytes = this.unstored
      if (bytes == null || !this.parts.running()) return
      this.log('putting our record again: the last put reached no DHT server')
      this.spread(bytes, this.components.peerId, { to: [] }).catch(err => this.log('storing our record again failed - %e', err))
    }, STORE_AGAIN_DELAY_MS)
    this.storeTimer.unref?.()
  }

  private scheduleRepublish (): void {
    clearTimeout(this.republishTimer)
    if (!this.parts.running()) return
    this.republishTimer = setTimeout(() => {
      if (this.parts.own.record?.basic !== 'open') return
      this.publish({}).catch(err => this.log.error('republish failed - %e', err))
    }, this.parts.recordTtl / 2)
    this.republishTimer.unref?.()
  }

  /** No more republishing: we are stopping */
  stopRepublishing (): void {
    clearTimeout(this.republishTimer)
  }

  /**
   * The goodbye: the will of the highest slot, pushed and put while the
   * network still runs, then a brief wait for the puts still running
   */
  async goodbye (): Promise<void> {
    const { own, validation, lookups } = this.parts
    // a delegate's record we did not adopt (its gossip missed us) outranks our will: go above it
    const seen = validation.newestSeq(this.components.peerId) ?? -1n
    const inDht = this.components.connectionManager.getConnections().length === 0 ? -1n : await lookups.newestSeqInDht(this.components.peerId, AbortSignal.timeout(GOODBYE_LOOKUP_TIMEOUT_MS))
    const goodbye = await own.goodbye(seen > inDht ? seen : inDht, this.components.addressManager.getAddresses())
      .catch(err => { this.log.error('could not sign goodbye - %e', err) })
    if (goodbye != null) {
      await this.spread(goodbye.bytes, this.components.peerId, { dhtTimeout: GOODBYE_DHT_TIMEOUT_MS })
        .catch(err => this.log.error('could not publish goodbye - %e', err))
    }
    if (this.components.connectionManager.getConnections().length > 0) {
      await Promise.race([Promise.allSettled(this.puts), new Promise(resolve => setTimeout(resolve, GOODBYE_DHT_TIMEOUT_MS))])
    }
  }

  stop (): void {
    clearTimeout(this.republishTimer)
    clearTimeout(this.storeTimer)
  }
}

/** The first of `work` to settle, or `signal` aborting: ends a wait, never the work waited on */
async function waitUnlessAborted (work: Array<Promise<unknown>>, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return
  let stop = (): void => {}
  const abort = new Promise<void>(resolve => { stop = resolve })
  signal?.addEventListener('abort', stop, { once: true })
  try {
    await Promise.race([...work, abort])
  } finally {
    signal?.removeEventListener('abort', stop)
  }
}
