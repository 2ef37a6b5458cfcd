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
 * notify shows the record as the keyring reveals it. This file is the state
 * machine; storage, timers and the wire are in subscription-store.ts,
 * subscription-timers.ts and presentity-requests.ts.
 */
import { randomUUID } from 'node:crypto'
import { toString } from 'uint8arrays'
import { Notice, SubscribeResponse } from './pb/protocol.js'
import { NOTICE_PROTOCOL, NOTICE_STREAMS_PER_CONNECTION, SUBSCRIBE_PROTOCOL } from './protocol.js'
import { PresentityRequests, REQUEST_TIMEOUT_MS } from './presentity-requests.js'
import { SubscriptionStore } from './subscription-store.js'
import { SubscriptionTimers, type Due } from './subscription-timers.js'
import { clearableTimeout } from '../utils/streams.js'
import type { EndReason, SubscribeResult, Subscription, SubscriptionsComponents, SubscriptionsInit } from './subscription-types.js'
import type { PresenceValidation } from './push-verdicts.js'
import type { PresenceRecord } from './record.js'
import type { Access, Keyring } from './access/keyring.js'
import type { Connection, IdentifyResult, Logger, PeerId, Stream } from '@libp2p/interface'

/** A failed renewal is tried again (at 80 % of what is left) while this much of the grant remains; past it, the subscription waits for the presentity */
const MIN_RETRY_MS = 30_000
/** Requests at a time when catching up after being cut off */
const RESYNC_CONCURRENCY = 4

export class Subscriptions {
  private readonly components: SubscriptionsComponents
  private readonly init: SubscriptionsInit
  private readonly validation: PresenceValidation
  private readonly keyring: Keyring
  private readonly log: Logger
  private readonly store: SubscriptionStore
  private readonly timers: SubscriptionTimers
  private readonly presentities: PresentityRequests
  private readonly active = new Map<string, Subscription>()
  /** What the last notify of each subscription showed (seq and access) */
  private readonly lastShown = new WeakMap<Subscription, { seq?: bigint, shown: string }>()
  /** Per presentity, the sealed key ids we last asked it about: ask again only when they change */
  private readonly askedAbout = new Map<string, string>()

  constructor (components: SubscriptionsComponents, init: SubscriptionsInit, validation: PresenceValidation, keyring: Keyring, log: Logger) {
    this.components = components
    this.init = init
    this.validation = validation
    this.keyring = keyring
    this.log = log
    this.store = new SubscriptionStore(components.datastore, log)
    this.timers = new SubscriptionTimers(this.onDue)
    this.presentities = new PresentityRequests(components, validation, init, log)
  }

  /** Resume persisted subscriptions and renew them */
  async start (): Promise<void> {
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    await this.components.registrar.handle(NOTICE_PROTOCOL, async (stream, connection) => this.onNotice(stream, connection), {
      maxInboundStreams: NOTICE_STREAMS_PER_CONNECTION,
      runOnLimitedConnection: true
    })
    for await (const { subscription, lastSeq } of this.store.load()) {
      if (lastSeq != null) this.validation.remember(subscription.target, lastSeq, new Uint8Array())
      if (subscription.until <= Date.now()) {
        await this.store.delete(subscription)
        continue
      }
      this.activate(subscription)
      this.background(this.renew(subscription), 'renewing', subscription)
    }
  }

  async stop (): Promise<void> {
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    await this.components.registrar.unhandle(NOTICE_PROTOCOL)
    this.timers.clearAll()
    this.active.clear()
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
    const found = await this.presentities.lookUp(target, lookup.signal).finally(lookup.clear)
    let record = found.record
    const subscription: Subscription = { target, transactionId, until: Date.now() + duration * 1000, grantedUntil: 0, createdAt: Date.now() }
    // a restricted record hides "open": its addresses (a will has none) still say the node may be up
    const reachable = record?.basic === 'open' || (record?.addresses.length ?? 0) > 0 || this.components.connectionManager.getConnections(target).length > 0
    let pending = false
    if (reachable) {
      // duration 0 polls: the presentity answers, and cancels the subscription we may have had
      const response = await this.presentities.request(subscription, duration, signal).catch(err => {
        this.log('could not reach %p to subscribe, waiting for it - %e', target, err)
        return undefined
      })
      if (response != null) await this.keyring.answered(target, response)
      if (response?.status === SubscribeResponse.Status.STATUS_FAILED || response?.status === SubscribeResponse.Status.STATUS_REFUSED) {
        if (existing != null && duration === 0) await this.end(existing, response.status === SubscribeResponse.Status.STATUS_REFUSED ? 'refused' : 'cancelled')
        return { status: 'failure', transactionId, duration: 0, reason: response.reason, ...this.reveal(record) }
      }
      pending = response?.status === SubscribeResponse.Status.STATUS_PENDING
      subscription.awaitingApproval = pending
      record = await this.presentities.newer(target, record, response?.record)
      if (response != null && !pending) subscription.grantedUntil = Date.now() + response.duration * 1000
    }
    if (duration === 0) {
      if (existing != null) await this.cancel(target)
      const poll = { ...subscription, until: Date.now() }
      queueMicrotask(() => this.notify(poll, record))
      return { status: pending ? 'pending' : 'success', transactionId, duration: 0, ...this.reveal(record) }
    }
    if (subscription.grantedUntil === 0) this.timers.answeredAway(target, record, found.answered)
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
      await this.presentities.request(subscription, 0).catch(err => this.log('could not tell %p of the cancel - %e', target, err))
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
        const record = await this.presentities.currentState(subscription.target, AbortSignal.timeout(REQUEST_TIMEOUT_MS))
        if (record != null && record.seq > known) this.onRecord(record)
      }
    }
    await Promise.all(Array.from({ length: RESYNC_CONCURRENCY }, worker))
  }

  /** A newer record arrived (pushed, or from a renewal or a lookup): notified first, saved right after (not what the user waits for) */
  onRecord (record: PresenceRecord): void {
    const subscription = this.active.get(record.presentity.toString())
    if (subscription == null) return
    queueMicrotask(() => { this.save(subscription, record.seq).catch(err => this.log.error('saving subscription failed - %e', err)) })
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
        const response = await this.presentities.request(poll, 0, signal).catch(() => undefined)
        if (response != null) await this.keyring.answered(target, response)
      }
    }
    return this.keyring.reveal(record)
  }

  /** Show a record as we may see it */
  private notify (subscription: Subscription, record: PresenceRecord | undefined): void {
    const revealed = this.reveal(record)
    // the same record may arrive pushed, by a renewal and after a notice: the watcher hears it once
    const shown = `${revealed.record?.seq ?? ''} ${revealed.access ?? ''}`
    const last = this.lastShown.get(subscription)
    if (record != null && last?.shown === shown) return
    // a record that took a detour (a renewal's answer, a key asked for first) may finish after a
    // newer one was pushed and shown: showing it then would roll the watcher back to older state
    if (record != null && last?.seq != null && record.seq < last.seq) return
    this.lastShown.set(subscription, { seq: record?.seq ?? last?.seq, shown })
    this.init.notify(subscription, revealed.record, revealed.access)
  }

  private reveal (record: PresenceRecord | undefined): { record?: PresenceRecord, access?: Access } {
    return record == null ? {} : this.keyring.reveal(record)
  }

  /** A presentity tells us of a decision; the connection authenticates it */
  private async onNotice (stream: Stream, connection: Connection): Promise<void> {
    const notice = await this.presentities.readNotice(stream)
    const subscription = this.active.get(connection.remotePeer.toString())
    if (subscription == null || subscription.transactionId !== notice.transactionId) return
    if (notice.kind === Notice.Kind.KIND_UNSPECIFIED) return
    this.log('%p says our subscription is %s', connection.remotePeer, notice.reason)
    if (notice.kind === Notice.Kind.KIND_APPROVED) {
      await this.renew(subscription)
      const record = this.validation.newestBytes(subscription.target)
      this.notify(subscription, await this.presentities.newer(subscription.target, undefined, record))
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
    this.timers.schedule(subscription)
  }

  /** A subscription's timer is due (subscription-timers.ts) */
  private readonly onDue = (subscription: Subscription, due: Due): void => {
    if (due === 'end') this.background(this.end(subscription, 'expired'), 'ending', subscription)
    else if (due === 'renew') this.background(this.renew(subscription), 'renewing', subscription)
    else this.background(this.lookAgain(subscription), 'looking again at', subscription)
  }

  /** Work a timer or an event starts: its failure is logged, never an unhandled rejection (a closed datastore at stop, say) */
  private background (work: Promise<void>, what: string, subscription: Subscription): void {
    work.catch(err => this.log.error('%s the subscription to %p failed - %e', what, subscription.target, err))
  }

  /**
   * Not registered with the presentity (it was away when we subscribed, or
   * the lookup before the request failed): look its record up, and register
   * if it says the presentity may be up
   */
  private async lookAgain (subscription: Subscription): Promise<void> {
    const known = this.validation.newestSeq(subscription.target) ?? -1n
    const lookup = clearableTimeout(REQUEST_TIMEOUT_MS)
    const { record, answered } = await this.presentities.lookUp(subscription.target, lookup.signal, true).finally(lookup.clear)
    if (this.active.get(subscription.target.toString()) !== subscription) return
    this.timers.answeredAway(subscription.target, record, answered)
    // a newer record notifies, and registers us if it is open (onRecord)
    if (record != null && record.seq > known) this.onRecord(record)
    else if (record != null && (record.basic === 'open' || record.addresses.length > 0)) await this.renew(subscription)
    if (subscription.grantedUntil <= Date.now()) this.timers.schedule(subscription)
  }

  private async renew (subscription: Subscription): Promise<void> {
    const remaining = Math.ceil((subscription.until - Date.now()) / 1000)
    if (remaining <= 0) return
    try {
      const response = await this.presentities.request(subscription, remaining)
      await this.keyring.answered(subscription.target, response)
      if (response.status === SubscribeResponse.Status.STATUS_REFUSED) {
        await this.end(subscription, 'refused')
        return
      }
      subscription.awaitingApproval = response.status === SubscribeResponse.Status.STATUS_PENDING
      if (response.status === SubscribeResponse.Status.STATUS_OK) {
        subscription.grantedUntil = Date.now() + response.duration * 1000
        // a renewal notifies only if it brought news
        const known = this.validation.newestSeq(subscription.target) ?? -1n
        const record = await this.presentities.newer(subscription.target, undefined, response.record)
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
      this.timers.schedule(subscription)
      await this.save(subscription)
    }
  }

  private async end (subscription: Subscription, reason: EndReason): Promise<void> {
    const key = subscription.target.toString()
    if (this.active.get(key) !== subscription) return
    this.active.delete(key)
    this.askedAbout.delete(key)
    this.timers.clear(subscription)
    await this.store.delete(subscription)
    this.init.ended(subscription, reason)
  }

  private async save (subscription: Subscription, lastSeq?: bigint): Promise<void> {
    if (this.active.get(subscription.target.toString()) !== subscription) return
    await this.store.save(subscription, lastSeq ?? this.validation.newestSeq(subscription.target))
  }
}
