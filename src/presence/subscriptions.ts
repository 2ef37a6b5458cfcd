/**
 * The watcher's side of CPIM subscriptions (draft-ietf-impp-pres §3.1):
 * subscribe → immediate response → immediate notify with the current state
 * → a notify on every change until the duration ends or it is cancelled.
 * Subscriptions are persisted and renewed with the presentity before its
 * grant lapses; one to an offline presentity waits for it in the gossip
 * shard and registers with it when it comes back.
 */
import { randomUUID } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import { Key, type Datastore } from 'interface-datastore'
import { fromString, toString } from 'uint8arrays'
import { openPresence, type PresenceRecord } from './record.js'
import { SubscribeRequest, SubscribeResponse } from './pb/protocol.js'
import { SUBSCRIBE_PROTOCOL, topicOf } from './protocol.js'
import { timeoutSignal, withStream } from '../utils/streams.js'
import type { Shards } from './shards.js'
import type { PresenceValidation } from './validation.js'
import type { IdentifyResult, Libp2pEvents, Logger, PeerId, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

const PREFIX = '/presence-mesh/presence/subscriptions'
const REQUEST_TIMEOUT_MS = 5_000
/** Renew when this share of the granted time is left */
const RENEW_AT_REMAINING = 0.2
/** Requests at a time when catching up after being cut off */
const RESYNC_CONCURRENCY = 4

export interface Subscription {
  target: PeerId
  transactionId: string
  /** When the watcher's requested duration ends (ms since the epoch) */
  until: number
  /** When the presentity's grant ends; 0 while not registered with it */
  grantedUntil: number
  createdAt: number
}

export interface SubscribeResult {
  status: 'success' | 'failure'
  transactionId: string
  /** Seconds granted */
  duration: number
  reason?: string
  /** The current state, when known */
  record?: PresenceRecord
}

export interface SubscriptionsComponents {
  datastore: Datastore
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
}

export interface SubscriptionsInit {
  /** Longest subscription a watcher may ask for, in seconds */
  maxDuration: number
  /** The newest record known for a presentity (DHT and gossip) */
  fetch(target: PeerId, signal: AbortSignal): Promise<Uint8Array | undefined>
  notify(subscription: Subscription, record: PresenceRecord | undefined): void
  ended(subscription: Subscription, reason: 'expired' | 'cancelled'): void
}

export class Subscriptions {
  private readonly components: SubscriptionsComponents
  private readonly init: SubscriptionsInit
  private readonly shards: Shards
  private readonly validation: PresenceValidation
  private readonly log: Logger
  private readonly active = new Map<string, Subscription>()
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()

  constructor (components: SubscriptionsComponents, init: SubscriptionsInit, shards: Shards, validation: PresenceValidation, log: Logger) {
    this.components = components
    this.init = init
    this.shards = shards
    this.validation = validation
    this.log = log
  }

  /** Resume persisted subscriptions: rejoin their shards and renew them */
  async start (): Promise<void> {
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    for await (const { key, value } of this.components.datastore.query({ prefix: PREFIX })) {
      let subscription: Subscription
      try {
        const stored = JSON.parse(toString(value))
        subscription = { ...stored, target: peerIdFromString(key.baseNamespace()) }
        if (stored.lastSeq != null) this.validation.remember(subscription.target, BigInt(stored.lastSeq), new Uint8Array())
      } catch (err) {
        this.log.error('dropping unreadable subscription %s - %e', key.toString(), err)
        await this.components.datastore.delete(key)
        continue
      }
      if (subscription.until <= Date.now()) {
        await this.components.datastore.delete(key)
        continue
      }
      this.activate(subscription)
      void this.renew(subscription)
    }
  }

  stop (): void {
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
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
    let record = await this.currentState(target, timeoutSignal(REQUEST_TIMEOUT_MS, signal))
    if (duration === 0) {
      // CPIM: duration 0 polls — one response, one notify — and cancels an active subscription
      if (existing != null) await this.cancel(target)
      const poll: Subscription = { target, transactionId, until: Date.now(), grantedUntil: 0, createdAt: Date.now() }
      queueMicrotask(() => this.init.notify(poll, record))
      return { status: 'success', transactionId, duration: 0, record }
    }

    const subscription: Subscription = { target, transactionId, until: Date.now() + duration * 1000, grantedUntil: 0, createdAt: Date.now() }
    const reachable = record?.basic === 'open' || this.components.connectionManager.getConnections(target).length > 0
    if (reachable) {
      const response = await this.request(subscription, duration, signal).catch(err => {
        this.log('could not reach %p to subscribe, waiting for it - %e', target, err)
        return undefined
      })
      if (response?.status === SubscribeResponse.Status.STATUS_FAILED) {
        return { status: 'failure', transactionId, duration: 0, reason: response.reason, record }
      }
      record = await this.newer(target, record, response?.record)
      if (response != null) subscription.grantedUntil = Date.now() + response.duration * 1000
    }
    this.activate(subscription)
    await this.save(subscription)
    const granted = subscription.grantedUntil > 0 ? Math.round((subscription.grantedUntil - Date.now()) / 1000) : duration
    // response first, notify right after it (the caller gets the response as this resolves)
    queueMicrotask(() => this.init.notify(subscription, record))
    return { status: 'success', transactionId, duration: granted, record }
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
   * gossip sent meanwhile is lost. Ask every presentity we are registered
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

  /** A newer record arrived from gossip */
  onRecord (record: PresenceRecord): void {
    const subscription = this.active.get(record.presentity.toString())
    if (subscription == null) return
    this.save(subscription, record.seq).catch(err => this.log.error('saving subscription failed - %e', err))
    this.init.notify(subscription, record)
    // the presentity is back: register with it so it knows its watcher
    if (record.basic === 'open' && subscription.grantedUntil < Date.now()) void this.renew(subscription)
  }

  /**
   * A presentity we wait for connected (it came back, or the shard lookup
   * found it): register now; the response brings its current record, so a
   * start-up announcement that gossip delivered to nobody is not missed.
   */
  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const subscription = this.active.get(event.detail.peerId.toString())
    if (subscription != null && subscription.grantedUntil < Date.now() && event.detail.protocols.includes(SUBSCRIBE_PROTOCOL)) {
      void this.renew(subscription)
    }
  }

  private activate (subscription: Subscription): void {
    this.active.set(subscription.target.toString(), subscription)
    this.shards.join(topicOf(subscription.target))
    this.schedule(subscription)
  }

  private schedule (subscription: Subscription): void {
    const key = subscription.target.toString()
    clearTimeout(this.timers.get(key))
    const now = Date.now()
    const grant = subscription.grantedUntil - now
    const renewAt = grant > 0 ? now + grant * (1 - RENEW_AT_REMAINING) : Infinity
    const next = Math.min(renewAt, subscription.until)
    const timer = setTimeout(() => {
      if (Date.now() >= subscription.until) void this.end(subscription, 'expired')
      else void this.renew(subscription)
    }, Math.max(0, next - now))
    timer.unref?.()
    this.timers.set(key, timer)
  }

  private async renew (subscription: Subscription): Promise<void> {
    const remaining = Math.ceil((subscription.until - Date.now()) / 1000)
    if (remaining <= 0) return
    try {
      const response = await this.request(subscription, remaining)
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
      subscription.grantedUntil = 0
    }
    if (this.active.get(subscription.target.toString()) === subscription) {
      this.schedule(subscription)
      await this.save(subscription)
    }
  }

  private async end (subscription: Subscription, reason: 'expired' | 'cancelled'): Promise<void> {
    const key = subscription.target.toString()
    if (this.active.get(key) !== subscription) return
    this.active.delete(key)
    clearTimeout(this.timers.get(key))
    this.timers.delete(key)
    this.shards.leave(topicOf(subscription.target))
    await this.components.datastore.delete(new Key(`${PREFIX}/${key}`))
    this.init.ended(subscription, reason)
  }

  private async request (subscription: Subscription, duration: number, signal?: AbortSignal): Promise<SubscribeResponse> {
    const options = { signal: timeoutSignal(REQUEST_TIMEOUT_MS, signal) }
    const stream = await this.components.connectionManager.openStream(subscription.target, SUBSCRIBE_PROTOCOL, { ...options, runOnLimitedConnection: true })
    return withStream(stream, options.signal, async () => {
      const pb = pbStream(stream, { maxDataLength: 16 * 1024 })
      await pb.write({ transactionId: subscription.transactionId, duration }, SubscribeRequest, options)
      return pb.read(SubscribeResponse, options)
    })
  }

  private async currentState (target: PeerId, signal: AbortSignal): Promise<PresenceRecord | undefined> {
    const bytes = await this.init.fetch(target, signal).catch(() => undefined)
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
    const { transactionId, until, grantedUntil, createdAt } = subscription
    await this.components.datastore.put(new Key(`${PREFIX}/${subscription.target.toString()}`),
      fromString(JSON.stringify({ transactionId, until, grantedUntil, createdAt, lastSeq: seq?.toString() })))
  }
}
