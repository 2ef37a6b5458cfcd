/**
 * The watcher's side of CPIM subscriptions (draft-ietf-impp-pres §3.1):
 * subscribe → immediate response → immediate notify with the current state
 * → a notify on every change until the duration ends or it is cancelled.
 * Subscriptions are persisted and renewed with the presentity before its
 * grant lapses; the presentity pushes each change to its registered
 * watchers (push.ts). One to an offline presentity registers with it when
 * either side next reaches the other: the presentity pushes its first record
 * to the watchers it knew, a presentity that watches us back dials us, and
 * we renew everything when we start or wake.
 *
 * Access control on this side: the response may carry the key of the view
 * we are granted (kept in the keyring), a refusal, or "pending" until the
 * user behind the presentity decides, which a Notice then tells us. Every
 * notify shows the record as the keyring reveals it.
 */
import { randomUUID } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import { Key, type Datastore } from 'interface-datastore'
import { fromString, toString } from 'uint8arrays'
import { InvalidSubscribeResponseError } from './errors.js'
import { openPresence, type PresenceRecord } from './record.js'
import { Notice, SubscribeRequest, SubscribeResponse } from './pb/protocol.js'
import { NOTICE_FRAME_LIMIT, NOTICE_PROTOCOL, NOTICE_STREAMS_PER_CONNECTION, SUBSCRIBE_PROTOCOL, SUBSCRIBE_RESPONSE_FRAME_LIMIT } from './protocol.js'
import { readAll } from '../utils/stored-values.js'
import { clearableTimeout, openStreamTo, timeoutSignal, withStream } from '../utils/streams.js'
import { readVerified, type PresenceValidation } from './push-verdicts.js'
import type { Access, Keyring } from './access/keyring.js'
import type { Connection, IdentifyResult, Libp2pEvents, Logger, PeerId, PeerStore, Stream, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

const PREFIX = '/presence-mesh/presence/subscriptions'
const REQUEST_TIMEOUT_MS = 5_000
/** Renew when this share of the granted time is left */
const RENEW_AT_REMAINING = 0.2
/**
 * A renewal that failed is tried again (at 80 % of what is left of the
 * grant) while this much of the grant remains; past it the subscription
 * waits for the presentity, whose registration of us runs out
 */
const MIN_RETRY_MS = 30_000
/**
 * An unregistered subscription looks its presentity up in the DHT after
 * this long, then after twice as long each time, up to LOOK_AGAIN_MAX_MS:
 * a DHT lookup per offline contact per hour at rest (≈ 3 KB), and a
 * presentity missed at subscribe time (a lookup that timed out) is found
 * within a minute
 */
const LOOK_AGAIN_MS = 60_000
const LOOK_AGAIN_MAX_MS = 60 * 60_000
/**
 * A lookup that ended before its timeout found the presentity closed, or no
 * record at all: it is away, not missed, and pushes to the watchers it knows
 * when it starts. The next look waits this long (then doubles): a
 * minute-by-minute first hour for every offline contact cost 1.1 kB/s at 100
 * contacts and 5.7 kB/s at 500 in the idle bench. A lookup that timed out
 * still looks again after LOOK_AGAIN_MS
 */
const LOOK_AGAIN_ANSWERED_MS = 15 * 60_000
/**
 * The longest delay setTimeout keeps (2^31 - 1 ms, 24.8 days): a longer one
 * fires at once, which made a subscription of a month renew in a tight loop.
 * A later step is reached in hops of at most this.
 */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1
/** Requests at a time when catching up after being cut off */
const RESYNC_CONCURRENCY = 4

export interface Subscription {
  target: PeerId
  transactionId: string
  /** When the watcher's requested duration ends (ms since the epoch) */
  until: number
  /** When the presentity's grant ends; 0 while not registered with it */
  grantedUntil: number
  /** The presentity's last answer: its user has not decided on us yet (RFC 2779 §5.1.10) */
  awaitingApproval?: boolean
  createdAt: number
}

export interface SubscribeResult {
  /** pending: the presentity's user has not decided yet; the subscription waits for it */
  status: 'success' | 'failure' | 'pending'
  transactionId: string
  /** Seconds granted */
  duration: number
  reason?: string
  /** The current state as we may see it, when known */
  record?: PresenceRecord
  access?: Access
}

export type EndReason = 'expired' | 'cancelled' | 'refused'

export interface SubscriptionsComponents {
  datastore: Datastore
  peerStore: PeerStore
  connectionManager: ConnectionManager
  registrar: Registrar
  events: TypedEventTarget<Libp2pEvents>
}

export interface SubscriptionsInit {
  /** Longest subscription a watcher may ask for, in seconds */
  maxDuration: number
  /** The newest record known for a presentity (what was pushed to us, else the DHT) */
  fetch(target: PeerId, signal: AbortSignal, background?: boolean): Promise<Uint8Array | undefined>
  notify(subscription: Subscription, record: PresenceRecord | undefined, access: Access | undefined): void
  ended(subscription: Subscription, reason: EndReason): void
  /** A request to a presentity is over: the connection to it may be closed now */
  exchanged(target: PeerId): void
}

export class Subscriptions {
  private readonly components: SubscriptionsComponents
  private readonly init: SubscriptionsInit
  private readonly validation: PresenceValidation
  private readonly keyring: Keyring
  private readonly log: Logger
  private readonly active = new Map<string, Subscription>()
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()
  /** What the last notify of each subscription showed (seq and access) */
  private readonly lastShown = new WeakMap<Subscription, string>()
  /** Per unregistered subscription, how long it waited last before looking again */
  private readonly lookAgainIn = new Map<string, number>()
  /** Per presentity, the sealed key ids we last asked it about: ask again only when they change */
  private readonly askedAbout = new Map<string, string>()

  constructor (components: SubscriptionsComponents, init: SubscriptionsInit, validation: PresenceValidation, keyring: Keyring, log: Logger) {
    this.components = components
    this.init = init
    this.validation = validation
    this.keyring = keyring
    this.log = log
  }

  /** Resume persisted subscriptions and renew them */
  async start (): Promise<void> {
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    await this.components.registrar.handle(NOTICE_PROTOCOL, async (stream, connection) => this.onNotice(stream, connection), {
      maxInboundStreams: NOTICE_STREAMS_PER_CONNECTION,
      runOnLimitedConnection: true
    })
    const stored = readAll(this.components.datastore, PREFIX, (value, key) => {
      const { lastSeq, ...fields } = JSON.parse(toString(value))
      return { subscription: { ...fields, target: peerIdFromString(key.baseNamespace()) } as Subscription, lastSeq: lastSeq == null ? undefined : BigInt(lastSeq) }
    }, this.log)
    for await (const { key, value: { subscription, lastSeq } } of stored) {
      if (lastSeq != null) this.validation.remember(subscription.target, lastSeq, new Uint8Array())
      if (subscription.until <= Date.now()) {
        await this.components.datastore.delete(key)
        continue
      }
      this.activate(subscription)
      this.background(this.renew(subscription), 'renewing', subscription)
    }
  }

  async stop (): Promise<void> {
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    await this.components.registrar.unhandle(NOTICE_PROTOCOL)
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
    this.active.clear()
    this.lookAgainIn.clear()
  }

  list (): Subscription[] {
    return [...this.active.values()]
  }

  get (target: PeerId): Subscription | undefined {
    return this.active.get(target.toString())
  }

  async subscribe (target: PeerId, duration: number, signal?: AbortSignal): Promise<SubscribeResult> {
    const transactionId = randomUUID()
    const existing = this.active.get(target.toString())
    if (duration > 0 && existing != null) {
      return { status: 'failure', transactionId, duration: 0, reason: `already subscribed to ${target.toString()} (transaction ${existing.transactionId}); cancel it first` }
    }
    if (duration > this.init.maxDuration || !Number.isInteger(duration) || duration < 0) {
      return { status: 'failure', transactionId, duration: 0, reason: `duration must be a whole number of seconds from 0 to ${this.init.maxDuration}` }
    }
    const lookup = clearableTimeout(REQUEST_TIMEOUT_MS, signal)
    let record = await this.currentState(target, lookup.signal).finally(lookup.clear)
    const subscription: Subscription = { target, transactionId, until: Date.now() + duration * 1000, grantedUntil: 0, createdAt: Date.now() }
    // a restricted record hides "open": its addresses (a will has none) still say the node may be up
    const reachable = record?.basic === 'open' || (record?.addresses.length ?? 0) > 0 || this.components.connectionManager.getConnections(target).length > 0
    let pending = false
    if (reachable) {
      // duration 0 polls: the presentity answers, and cancels the subscription we may have had
      const response = await this.request(subscription, duration, signal).catch(err => {
        this.log('could not reach %p to subscribe, waiting for it - %e', target, err)
        return undefined
      })
      if (response != null) await this.applyAccess(target, response)
      if (response?.status === SubscribeResponse.Status.STATUS_FAILED || response?.status === SubscribeResponse.Status.STATUS_REFUSED) {
        if (existing != null && duration === 0) await this.end(existing, response.status === SubscribeResponse.Status.STATUS_REFUSED ? 'refused' : 'cancelled')
        return { status: 'failure', transactionId, duration: 0, reason: response.reason, ...this.reveal(record) }
      }
      pending = response?.status === SubscribeResponse.Status.STATUS_PENDING
      subscription.awaitingApproval = pending
      record = await this.newer(target, record, response?.record)
      if (response != null && !pending) subscription.grantedUntil = Date.now() + response.duration * 1000
    }
    if (duration === 0) {
      if (existing != null) await this.cancel(target)
      const poll = { ...subscription, until: Date.now() }
      queueMicrotask(() => this.notify(poll, record))
      return { status: pending ? 'pending' : 'success', transactionId, duration: 0, ...this.reveal(record) }
    }
    if (subscription.grantedUntil === 0) this.answeredAway(target, record, lookup.signal)
    this.activate(subscription)
    await this.save(subscription)
    const granted = subscription.grantedUntil > 0 ? Math.round((subscription.grantedUntil - Date.now()) / 1000) : duration
    // response first, notify right after it (the caller gets the response as this resolves)
    queueMicrotask(() => this.notify(subscription, record))
    return { status: pending ? 'pending' : 'success', transactionId, duration: granted, ...this.reveal(record) }
  }

  async cancel (target: PeerId): Promise<boolean> {
    const subscription = this.active.get(target.toString())
    if (subscription == null) return false
    await this.end(subscription, 'cancelled')
    // tell the presentity, if it can hear us; its grant runs out otherwise
    if (subscription.grantedUntil > Date.now()) {
      await this.request(subscription, 0).catch(err => this.log('could not tell %p of the cancel - %e', target, err))
    }
    return true
  }

  /**
   * This node was cut off (it slept, or its network went) and is back:
   * pushes meanwhile failed, and the presentities skip us until we renew. Ask every presentity we are registered
   * with for its current record (a renewal carries it), and look up the
   * others — one request each, now, not on a timer.
   */
  async resync (): Promise<void> {
    const pending = [...this.active.values()]
    const worker = async (): Promise<void> => {
      for (let subscription = pending.shift(); subscription != null; subscription = pending.shift()) {
        if (this.active.get(subscription.target.toString()) !== subscription) continue
        if (subscription.grantedUntil > Date.now()) {
          await this.renew(subscription)
          continue
        }
        const known = this.validation.newestSeq(subscription.target) ?? -1n
        const record = await this.currentState(subscription.target, AbortSignal.timeout(REQUEST_TIMEOUT_MS))
        if (record != null && record.seq > known) this.onRecord(record)
      }
    }
    await Promise.all(Array.from({ length: RESYNC_CONCURRENCY }, worker))
  }

  /** A newer record arrived (pushed, or from a renewal or a lookup) */
  onRecord (record: PresenceRecord): void {
    const subscription = this.active.get(record.presentity.toString())
    if (subscription == null) return
    this.save(subscription, record.seq).catch(err => this.log.error('saving subscription failed - %e', err))
    // sealed under keys we have not asked about (rotated, or a view newly granted): ask before showing it
    const keyIds = (record.views ?? []).map(view => toString(view.keyId, 'base64')).sort().join()
    if (this.keyring.wantsKey(record) && this.askedAbout.get(subscription.target.toString()) !== keyIds) {
      this.askedAbout.set(subscription.target.toString(), keyIds)
      this.background(this.renew(subscription).finally(() => this.notify(subscription, record)), 'asking for a view key', subscription)
      return
    }
    this.notify(subscription, record)
    // the presentity is back: register with it so it knows its watcher
    if ((record.basic === 'open' || record.addresses.length > 0) && subscription.grantedUntil < Date.now()) this.background(this.renew(subscription), 'registering', subscription)
  }

  /**
   * What we may see of a record of `target`: for a fetch, which asks the
   * presentity (if it answers) when what we hold does not open the record.
   * Throws nothing; an unreachable presentity leaves what we held.
   */
  async access (target: PeerId, record: PresenceRecord, signal?: AbortSignal): Promise<{ record: PresenceRecord, access: Access }> {
    const subscription = this.active.get(target.toString())
    if (this.keyring.wantsKey(record) || this.keyring.isRefused(target)) {
      if (subscription != null) await this.renew(subscription)
      else {
        const poll: Subscription = { target, transactionId: randomUUID(), until: Date.now(), grantedUntil: 0, createdAt: Date.now() }
        const response = await this.request(poll, 0, signal).catch(() => undefined)
        if (response != null) await this.applyAccess(target, response)
      }
    }
    return this.keyring.reveal(record)
  }

  /** Show a record as we may see it */
  private notify (subscription: Subscription, record: PresenceRecord | undefined): void {
    const revealed = this.reveal(record)
    // the same record may arrive pushed, by a renewal and after a notice: the watcher hears it once
    const shown = `${revealed.record?.seq ?? ''} ${revealed.access ?? ''}`
    if (record != null && this.lastShown.get(subscription) === shown) return
    this.lastShown.set(subscription, shown)
    this.init.notify(subscription, revealed.record, revealed.access)
  }

  private reveal (record: PresenceRecord | undefined): { record?: PresenceRecord, access?: Access } {
    return record == null ? {} : this.keyring.reveal(record)
  }

  /** Keep what the presentity's answer says about our access */
  private async applyAccess (target: PeerId, response: SubscribeResponse): Promise<void> {
    switch (response.status) {
      case SubscribeResponse.Status.STATUS_OK:
        await this.keyring.update(target, { refused: false, key: response.viewKey })
        break
      case SubscribeResponse.Status.STATUS_REFUSED:
        await this.keyring.update(target, { refused: true })
        break
      default:
        // failed or pending: no decision about us to keep
    }
  }

  /** A presentity tells us of a decision; the connection authenticates it */
  private async onNotice (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    const notice = await withStream(stream, signal, async () => pbStream(stream, { maxDataLength: NOTICE_FRAME_LIMIT, maxBufferSize: NOTICE_FRAME_LIMIT + 8 }).read(Notice, { signal }))
    const subscription = this.active.get(connection.remotePeer.toString())
    if (subscription == null || subscription.transactionId !== notice.transactionId) return
    if (notice.kind === Notice.Kind.KIND_UNSPECIFIED) return
    this.log('%p says our subscription is %s', connection.remotePeer, notice.reason)
    if (notice.kind === Notice.Kind.KIND_APPROVED) {
      await this.renew(subscription)
      const record = this.validation.newestBytes(subscription.target)
      this.notify(subscription, await this.newer(subscription.target, undefined, record))
    } else if (notice.kind === Notice.Kind.KIND_REFUSED) {
      await this.keyring.update(subscription.target, { refused: true })
      await this.end(subscription, 'refused')
    } else {
      await this.end(subscription, 'cancelled')
    }
  }

  /**
   * A presentity we wait for connected (it came back and watches us too, or
   * pushed to us): register now; the response brings its current record.
   */
  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const subscription = this.active.get(event.detail.peerId.toString())
    if (subscription != null && subscription.grantedUntil < Date.now() && event.detail.protocols.includes(SUBSCRIBE_PROTOCOL)) {
      this.background(this.renew(subscription), 'renewing', subscription)
    }
  }

  private activate (subscription: Subscription): void {
    this.active.set(subscription.target.toString(), subscription)
    this.schedule(subscription)
  }

  /** `at`: the step a hop of a wait longer than MAX_TIMER_DELAY_MS is on its way to */
  private schedule (subscription: Subscription, at?: number): void {
    const key = subscription.target.toString()
    clearTimeout(this.timers.get(key))
    const now = Date.now()
    const grant = subscription.grantedUntil - now
    const registered = grant > 0
    if (registered) this.lookAgainIn.delete(key)
    const renewAt = registered ? now + grant * (1 - RENEW_AT_REMAINING) : now + this.lookAgainDelay(key)
    // a hop keeps its step: recomputed, 80 % of what is left then would renew a 60-day grant at 53 days
    const next = at ?? Math.min(renewAt, subscription.until)
    const delay = Math.max(0, next - now)
    const timer = setTimeout(() => {
      if (delay > MAX_TIMER_DELAY_MS) this.schedule(subscription, next)
      else if (Date.now() >= subscription.until) this.background(this.end(subscription, 'expired'), 'ending', subscription)
      else if (subscription.grantedUntil > Date.now()) this.background(this.renew(subscription), 'renewing', subscription)
      else this.background(this.lookAgain(subscription), 'looking again at', subscription)
    }, Math.min(delay, MAX_TIMER_DELAY_MS))
    timer.unref?.()
    this.timers.set(key, timer)
  }

  /** How long an unregistered subscription waits before looking again: LOOK_AGAIN_MS doubling to LOOK_AGAIN_MAX_MS, ±20 % */
  private lookAgainDelay (key: string): number {
    const delay = Math.min((this.lookAgainIn.get(key) ?? LOOK_AGAIN_MS / 2) * 2, LOOK_AGAIN_MAX_MS)
    this.lookAgainIn.set(key, delay)
    return delay * (0.8 + Math.random() * 0.4)
  }

  /** Work a timer or an event starts: its failure is logged, never an unhandled rejection (a closed datastore at stop, say) */
  private background (work: Promise<void>, what: string, subscription: Subscription): void {
    work.catch(err => this.log.error('%s the subscription to %p failed - %e', what, subscription.target, err))
  }

  /** A lookup that ended in time says the presentity is away (a closed record without addresses, or none): the next look can wait (LOOK_AGAIN_ANSWERED_MS) */
  private answeredAway (target: PeerId, record: PresenceRecord | undefined, lookup: AbortSignal): void {
    if (lookup.aborted || (record != null && (record.basic === 'open' || record.addresses.length > 0))) return
    const key = target.toString()
    this.lookAgainIn.set(key, Math.max(this.lookAgainIn.get(key) ?? 0, LOOK_AGAIN_ANSWERED_MS / 2))
  }

  /**
   * Not registered with the presentity (it was away when we subscribed, or
   * the lookup before the request failed): look its record up, and register
   * if it says the presentity may be up
   */
  private async lookAgain (subscription: Subscription): Promise<void> {
    const known = this.validation.newestSeq(subscription.target) ?? -1n
    const lookup = clearableTimeout(REQUEST_TIMEOUT_MS)
    const record = await this.currentState(subscription.target, lookup.signal, true).finally(lookup.clear)
    if (this.active.get(subscription.target.toString()) !== subscription) return
    this.answeredAway(subscription.target, record, lookup.signal)
    // a newer record notifies, and registers us if it is open (onRecord)
    if (record != null && record.seq > known) this.onRecord(record)
    else if (record != null && (record.basic === 'open' || record.addresses.length > 0)) await this.renew(subscription)
    if (subscription.grantedUntil <= Date.now()) this.schedule(subscription)
  }

  private async renew (subscription: Subscription): Promise<void> {
    const remaining = Math.ceil((subscription.until - Date.now()) / 1000)
    if (remaining <= 0) return
    try {
      const response = await this.request(subscription, remaining)
      await this.applyAccess(subscription.target, response)
      if (response.status === SubscribeResponse.Status.STATUS_REFUSED) {
        await this.end(subscription, 'refused')
        return
      }
      subscription.awaitingApproval = response.status === SubscribeResponse.Status.STATUS_PENDING
      if (response.status === SubscribeResponse.Status.STATUS_OK) {
        subscription.grantedUntil = Date.now() + response.duration * 1000
        // a renewal notifies only if it brought news
        const known = this.validation.newestSeq(subscription.target) ?? -1n
        const record = await this.newer(subscription.target, undefined, response.record)
        if (record != null && record.seq > known) this.onRecord(record)
      } else {
        subscription.grantedUntil = 0
      }
    } catch (err) {
      this.log('renewing with %p failed, waiting for it - %e', subscription.target, err)
      // still registered there for a while: try again within it (schedule), the presentity may be back by then
      if (subscription.grantedUntil - Date.now() < MIN_RETRY_MS) subscription.grantedUntil = 0
    }
    if (this.active.get(subscription.target.toString()) === subscription) {
      this.schedule(subscription)
      await this.save(subscription)
    }
  }

  private async end (subscription: Subscription, reason: EndReason): Promise<void> {
    const key = subscription.target.toString()
    if (this.active.get(key) !== subscription) return
    this.active.delete(key)
    this.askedAbout.delete(key)
    this.lookAgainIn.delete(key)
    clearTimeout(this.timers.get(key))
    this.timers.delete(key)
    await this.components.datastore.delete(new Key(`${PREFIX}/${key}`))
    this.init.ended(subscription, reason)
  }

  private async request (subscription: Subscription, duration: number, signal?: AbortSignal): Promise<SubscribeResponse> {
    const options = { signal: timeoutSignal(REQUEST_TIMEOUT_MS, signal) }
    try {
      await this.learnAddresses(subscription.target)
      const stream = await openStreamTo(this.components.connectionManager, subscription.target, SUBSCRIBE_PROTOCOL, options)
      return await withStream(stream, options.signal, async () => {
        const pb = pbStream(stream, { maxDataLength: SUBSCRIBE_RESPONSE_FRAME_LIMIT })
        await pb.write({ transactionId: subscription.transactionId, duration }, SubscribeRequest, options)
        const response = await pb.read(SubscribeResponse, options)
        // an answer without a status says nothing: not a grant, not a refusal
        if (response.status === SubscribeResponse.Status.STATUS_UNSPECIFIED) throw new InvalidSubscribeResponseError('the presentity answered without a status')
        return response
      })
    } finally {
      this.init.exchanged(subscription.target)
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

  private async currentState (target: PeerId, signal: AbortSignal, background = false): Promise<PresenceRecord | undefined> {
    const bytes = await this.init.fetch(target, signal, background).catch(() => undefined)
    return this.newer(target, undefined, bytes)
  }

  /** The newer of a known record and envelope bytes from the presentity, after checking them */
  private async newer (target: PeerId, known: PresenceRecord | undefined, bytes: Uint8Array | undefined): Promise<PresenceRecord | undefined> {
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

  private async save (subscription: Subscription, lastSeq?: bigint): Promise<void> {
    if (this.active.get(subscription.target.toString()) !== subscription) return
    const seq = lastSeq ?? this.validation.newestSeq(subscription.target)
    const { transactionId, until, grantedUntil, createdAt, awaitingApproval } = subscription
    await this.components.datastore.put(new Key(`${PREFIX}/${subscription.target.toString()}`),
      fromString(JSON.stringify({ transactionId, until, grantedUntil, createdAt, awaitingApproval, lastSeq: seq?.toString() })))
  }
}
