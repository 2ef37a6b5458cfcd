/**
 * The presence service: ties our own record, direct pushes to our watchers,
 * the DHT, wills, watchers and subscriptions together as one libp2p service.
 */
import { TypedEventEmitter } from 'main-event'
import { AccessControl } from './access/control.js'
import { AccessRefusedError, InvalidPolicyError } from './access/errors.js'
import { delegatedRecord, signDelegation, verifyDelegation } from './delegation.js'
import { sealPresence } from './record.js'
import { Keyring, type Revealed } from './access/keyring.js'
import { RecordLookups } from './lookups.js'
import { OwnPresence, type PresenceUpdate } from './own-presence.js'
import { validatePresenceRecord } from './dht-record.js'
import { PresenceNotFoundError } from './errors.js'
import { presenceKey } from './protocol.js'
import { Pushes } from './push.js'
import { storedOn, timeoutSignal } from '../utils/streams.js'
import { Subscriptions, type SubscribeResult, type Subscription } from './subscriptions.js'
import { PresenceValidation, readVerified, type Verdict } from './push-verdicts.js'
import { Watchers, type Watcher } from './watchers.js'
import { HangUp } from './hang-up.js'
import { Wills } from './wills.js'
import { WillHolders } from './will-holders.js'
import { GOODBYE_SLOT, PRESENCE_CAPABILITY } from './constants.js'
import { assertDhtWiring } from './wiring.js'
import type { Presence, PresenceComponents, PresenceEvents, PresenceInit } from './index.js'
import type { PresenceRecord } from './record.js'
import type { AccessPolicy } from './access/policy.js'
import type { ViewName } from './access/views.js'
import { LostTimes } from './lost-times.js'
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import type { AbortOptions, CounterGroup, IdentifyResult, Logger, PeerId, Startable } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { SingleKadDHT } from '@libp2p/kad-dht'

const DEFAULT_RECORD_TTL = 60 * 60_000
const DEFAULT_WILL_GRACE = 2_000
/**
 * How often a presentity looks for its own will in the DHT, where a holder
 * may have put it without pushing it (no watcher echoes it to us then): one
 * DHT lookup per 10 minutes, the longest a live presentity looks closed to
 * fresh fetches that way
 */
const DEFAULT_WILL_CHECK_INTERVAL = 10 * 60_000
const DEFAULT_MAX_GRANTED_DURATION = 3600
/** RFC 2779 §2.2 asks for hundreds of subscribers per presentity; room for some thousands */
const DEFAULT_MAX_WATCHERS = 2_000
const DEFAULT_MAX_SUBSCRIPTION_DURATION = 30 * 24 * 60 * 60
const FETCH_TIMEOUT_MS = 10_000
/** A fetch asks the presentity for our view this long at most (it may be gone, leaving stale addresses) */
const ACCESS_QUERY_TIMEOUT_MS = 2_000
/** A stopping node gives its goodbye this long to reach the DHT (stop must finish within 2 s) */
const GOODBYE_DHT_TIMEOUT_MS = 1_000
/** …and first looks this long for a newer record of ours there (a delegate's) */
const GOODBYE_LOOKUP_TIMEOUT_MS = 400
const DHT_PUT_TIMEOUT_MS = 30_000
/**
 * How long publish() waits for the DHT put before returning (it goes on in
 * the background after): long enough that a fetch right after a change
 * usually sees it, short enough that a slow DHT does not hold the user up.
 */
const DHT_PUT_WAIT_MS = 3_000
/** After a peer is identified, before putting a record no DHT server took: kad-dht pings a new server before taking it */
const STORE_AGAIN_DELAY_MS = 1_000
/** How long a starting DHT client waits to meet a DHT server (its bootstrap peers) before announcing itself anyway */
const DHT_SERVER_WAIT_MS = 5_000
const DHT_SERVER_POLL_MS = 50
/** Address changes come in bursts (listeners, relay reservations): publish once they settle */
const ADDRESS_SETTLE_MS = 1_000
/**
 * How often the node checks that it was not suspended (a laptop's sleep,
 * SIGSTOP): a tick that comes SLEPT_MS late means the process did not run.
 * A local timer only: nothing goes on the wire.
 */
const WAKE_CHECK_MS = 5_000
const SLEPT_MS = 5_000
/** After waking, let the connections that died meanwhile close before catching up */
const WAKE_SETTLE_MS = 2_000
/**
 * A connection opened to push is kept this long after the last push: a
 * burst of changes (a note being typed, a status flapping) reuses it, and
 * no ping round (every pingInterval) falls in so short a time
 */
const PUSH_HANG_UP_DELAY_MS = 10_000
/**
 * The DHT put and the will deposits of a change start once its pushes are
 * done, or after this long: they are not on the way to any watcher, and in
 * one event loop their signing and validating would delay the pushes
 */
const PUSH_HEAD_START_MS = 250

interface SpreadOptions {
  /** Push to these peers; default: ours to our watchers, anyone else's to nobody */
  to?: PeerId[]
  dhtTimeout?: number
  signal?: AbortSignal
  /** Wait this long for the DHT put before returning */
  waitForDht?: number
  /** Run once the pushes have started */
  afterPush?: () => void
}

export class PresenceService extends TypedEventEmitter<PresenceEvents> implements Presence, Startable {
  private readonly components: PresenceComponents
  private readonly init: Required<PresenceInit>
  private readonly log: Logger
  private readonly own: OwnPresence
  private readonly validation: PresenceValidation
  private readonly lostTimes = new LostTimes()
  private readonly pushes: Pushes
  private readonly wills: Wills
  private readonly holders: WillHolders
  private readonly hangUp?: HangUp
  private readonly watchersRegistry: Watchers
  private readonly subs: Subscriptions
  private readonly access: AccessControl
  private readonly keyring: Keyring
  private readonly lookups: RecordLookups
  private republishTimer?: ReturnType<typeof setTimeout>
  private addressTimer?: ReturnType<typeof setTimeout>
  private wakeTimer?: ReturnType<typeof setInterval>
  private lastTick = 0
  /** DHT puts and pushes still running: a stop waits for them briefly */
  private readonly puts = new Set<Promise<void>>()
  /**
   * Our last record reached no DHT server (we published before meeting one:
   * a desktop node starts before its bootstrap connection is up, and only
   * servers hold records): put it again once a peer has been identified
   */
  private unstored?: Uint8Array
  private storeTimer?: ReturnType<typeof setTimeout>
  /** We lost every connection (slept, network gone): catch up when connected again */
  private cutOff = false
  private running = false

  constructor (components: PresenceComponents, init: PresenceInit = {}) {
    super()
    this.components = components
    this.validation = new PresenceValidation(this.registerMetrics())
    // first among the notify listeners: they see the loss it records
    this.addEventListener('notify', event => { this.lostTimes.observe(event.detail.target, event.detail.record) })
    this.init = {
      recordTtl: init.recordTtl ?? DEFAULT_RECORD_TTL,
      willGrace: init.willGrace ?? DEFAULT_WILL_GRACE,
      maxGrantedDuration: init.maxGrantedDuration ?? DEFAULT_MAX_GRANTED_DURATION,
      maxWatchers: init.maxWatchers ?? DEFAULT_MAX_WATCHERS,
      maxSubscriptionDuration: init.maxSubscriptionDuration ?? DEFAULT_MAX_SUBSCRIPTION_DURATION,
      publishOnStart: init.publishOnStart ?? true,
      hangUp: init.hangUp ?? true,
      willsToDialled: init.willsToDialled ?? true,
      willCheckInterval: init.willCheckInterval ?? DEFAULT_WILL_CHECK_INTERVAL,
      defaultPolicy: init.defaultPolicy ?? 'public'
    }
    this.log = components.logger.forComponent('presence-mesh:presence')
    this.access = new AccessControl(components.datastore, {
      republish: async () => { await this.republishOwn() },
      dropWatcher: async peer => this.watchersRegistry.drop(peer),
      transactionOf: peer => this.watchersRegistry.get(peer)?.transactionId,
      tell: async (peer, kind, transactionId) => this.watchersRegistry.tell(peer, kind, transactionId),
      defaultPolicy: this.init.defaultPolicy
    })
    this.keyring = new Keyring(components.datastore)
    this.lookups = new RecordLookups(components, this.validation, this.log.newScope('lookups'))
    this.own = new OwnPresence(components, this.init.recordTtl, async state => this.access.present(state))
    this.pushes = new Pushes(components, {
      judge: async bytes => this.validation.judge(bytes, presentity => presentity.equals(this.components.peerId) || this.subs.get(presentity) != null),
      accepted: (record, bytes, from) => { this.onPushed(record, bytes, from) },
      malformed: reason => { this.validation.rejected(reason) }
    }, this.log.newScope('push'))
    this.wills = new Wills(components, {
      grace: this.init.willGrace,
      execute: async (bytes, presentity, watchers) => {
        // we may watch it ourselves: nobody pushes to us what we push
        this.deliverLocally(bytes)
        await this.spread(bytes, presentity, { to: watchers.filter(w => !w.equals(this.components.peerId)) })
      }
    }, this.log.newScope('wills'))
    this.holders = new WillHolders(components, {
      dialled: this.init.willsToDialled,
      checkInterval: this.init.willCheckInterval,
      current: () => this.own.record,
      will: async slot => this.own.will(slot),
      watchers: () => this.watchersRegistry.list().sort((a, b) => b.expiresAt - a.expiresAt).map(w => w.peerId),
      deposit: async (peer, will, watchers) => this.wills.deposit(peer, will, watchers),
      outbid: async floor => { await this.publish({}, {}, DHT_PUT_TIMEOUT_MS, floor) }
    }, this.log.newScope('will-holders'))
    if (this.init.hangUp) this.hangUp = new HangUp(components, this.wills, this.log.newScope('hang-up'))
    this.watchersRegistry = new Watchers(components, {
      maxDuration: this.init.maxGrantedDuration,
      maxWatchers: this.init.maxWatchers,
      hasRule: peer => this.access.hasRule(peer),
      currentRecord: () => this.own.signed?.bytes,
      answer: async (peer, transactionId) => this.access.answer(peer, transactionId),
      onChange: (change, watcher) => {
        // it reached us: push to it again (the response brought it our current record)
        if (change === 'added' || change === 'renewed') this.pushes.reachable(watcher.peerId)
        if (change !== 'renewed') this.holders.watchersChanged()
        this.safeDispatchEvent('watcher', { detail: { peerId: watcher.peerId, change } })
      },
      onRequest: (peer, transactionId) => this.safeDispatchEvent('request', { detail: { peerId: peer, transactionId } })
    }, this.log.newScope('watchers'))
    this.subs = new Subscriptions(components, {
      maxDuration: this.init.maxSubscriptionDuration,
      fetch: async (target, signal, background) => target.equals(this.components.peerId) ? this.own.signed?.bytes : this.lookups.newest(target, signal, { background }),
      notify: (subscription, record, access) => this.safeDispatchEvent('notify', { detail: { target: subscription.target, transactionId: subscription.transactionId, record, access } }),
      ended: (subscription, reason) => this.safeDispatchEvent('subscription:end', { detail: { target: subscription.target, transactionId: subscription.transactionId, reason } }),
      exchanged: target => this.hangUp?.after(target)
    }, this.validation, this.keyring, this.log.newScope('subscriptions'))
  }

  /**
   * Our counters in the node's metrics (`components.metrics`), when it has
   * them: pushes received by verdict (returned, for the validation), notifies
   * delivered, and our records published with the watchers each went to
   */
  private registerMetrics (): CounterGroup<Verdict> | undefined {
    const metrics = this.components.metrics
    if (metrics == null) return undefined
    const notifies = metrics.registerCounter('presence_mesh_presence_notifies_total', { help: 'CPIM notifies delivered to this node\'s subscriptions' })
    const published = metrics.registerCounter('presence_mesh_presence_published_total', { help: 'Presence records of our own this node published (each pushed to its watchers)' })
    const fanout = metrics.registerCounter('presence_mesh_presence_fanout_peers_total', { help: 'Watchers registered when each of our records was published, summed (divide by published for the mean fan-out)' })
    this.addEventListener('notify', () => { notifies.increment() })
    this.addEventListener('change', () => {
      published.increment()
      fanout.increment(this.watchersRegistry.list().length)
    })
    return metrics.registerCounterGroup('presence_mesh_presence_pushes_received_total', { label: 'verdict', help: 'Presence records pushed to this node, by verdict (accept, ignore, reject)' }) as CounterGroup<Verdict>
  }

  readonly [Symbol.toStringTag] = '@presence-mesh/presence'
  readonly [serviceCapabilities] = [PRESENCE_CAPABILITY]
  // identify tells us a peer's protocols (who can take a push, a will) and its addresses
  readonly [serviceDependencies] = ['@libp2p/kad-dht', '@libp2p/identify']

  async start (): Promise<void> {
    assertDhtWiring(this.components.dht)
    await this.access.load()
    await this.keyring.load()
    await this.pushes.start()
    await this.wills.start()
    this.holders.start()
    await this.watchersRegistry.start()
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
    this.components.events.addEventListener('self:peer:update', this.onAddressChange)
    this.lastTick = Date.now()
    this.wakeTimer = setInterval(this.checkAwake, WAKE_CHECK_MS)
    this.wakeTimer.unref?.()
    this.running = true
  }

  async afterStart (): Promise<void> {
    // a DHT client reaches nobody before it has met a DHT server, and its bootstrap connection is
    // still coming up: announcing now would put our record nowhere
    if (this.components.dht.getMode() === 'client') await this.dhtServerMet(DHT_SERVER_WAIT_MS)
    await this.subs.start()
    const previous = await this.own.load()
    // the wills of our last record, the goodbye the highest, are not news to us after a restart
    if (previous != null) this.validation.remember(this.components.peerId, previous.record.seq + BigInt(GOODBYE_SLOT), new Uint8Array())
    // signed and gossiped before start-up ends, so that a subscriber finds us at once; the DHT
    // put goes on after it: start-up waits for no put (issue 18)
    if (this.init.publishOnStart) {
      await this.publish({ basic: 'open' }, {}, DHT_PUT_TIMEOUT_MS, -1n, 0).catch(err => this.log.error('could not announce presence on start - %e', err))
    }
  }

  /**
   * Say goodbye while the network and the DHT still run, so watchers see
   * "closed" at once. The goodbye is the will of the highest slot, above every copy
   * our holders have: theirs, published when the connection drops, are then
   * late and dropped without blame.
   */
  async beforeStop (): Promise<void> {
    this.running = false
    clearTimeout(this.republishTimer)
    this.holders.stop()
    // a delegate's record we did not adopt (its gossip missed us) outranks our will: go above it
    const seen = this.validation.newestSeq(this.components.peerId) ?? -1n
    const inDht = this.components.connectionManager.getConnections().length === 0 ? -1n : await this.lookups.newestSeqInDht(this.components.peerId, AbortSignal.timeout(GOODBYE_LOOKUP_TIMEOUT_MS))
    const goodbye = await this.own.goodbye(seen > inDht ? seen : inDht, this.components.addressManager.getAddresses()).catch(() => undefined)
    if (goodbye != null) {
      await this.spread(goodbye.bytes, this.components.peerId, { dhtTimeout: GOODBYE_DHT_TIMEOUT_MS })
        .catch(err => this.log.error('could not publish goodbye - %e', err))
    }
    if (this.components.connectionManager.getConnections().length > 0) {
      await Promise.race([Promise.allSettled(this.puts), new Promise(resolve => setTimeout(resolve, GOODBYE_DHT_TIMEOUT_MS))])
    }
  }

  async stop (): Promise<void> {
    this.running = false
    clearTimeout(this.republishTimer)
    clearTimeout(this.storeTimer)
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    this.components.events.removeEventListener('self:peer:update', this.onAddressChange)
    clearTimeout(this.addressTimer)
    clearInterval(this.wakeTimer)
    await this.watchersRegistry.stop()
    this.hangUp?.stop()
    this.holders.stop()
    await this.wills.stop()
    await this.pushes.stop()
  }

  lostAt (target: PeerId): number | undefined {
    return this.lostTimes.get(target)
  }

  get current (): PresenceRecord | undefined {
    return this.own.record
  }

  get verdicts (): Record<Verdict, number> {
    return { ...this.validation.counts }
  }

  async publish (update: PresenceUpdate, options: AbortOptions = {}, dhtTimeout = DHT_PUT_TIMEOUT_MS, floor = -1n, waitForDht = DHT_PUT_WAIT_MS): Promise<PresenceRecord> {
    const { record, bytes } = await this.own.next(update, this.components.addressManager.getAddresses(), floor)
    this.validation.remember(record.presentity, record.seq, bytes)
    // wills go with every record, closed ones too, so that no holder keeps a
    // will older than our newest record (publishing it would be a replay,
    // ignored by every watcher). They go out right after the pushes start, in
    // the background: the change is not held up by a slow holder (until the
    // new ones arrive, a holder has only the previous will — see "Out of contact")
    await this.spread(bytes, record.presentity, { dhtTimeout, signal: options.signal, waitForDht: Math.min(dhtTimeout, waitForDht), afterPush: () => { this.holders.depositAll() } })
    this.scheduleRepublish()
    this.safeDispatchEvent('change', { detail: record })
    return record
  }

  async fetch (target: PeerId, options: AbortOptions = {}): Promise<PresenceRecord> {
    const { record, access } = await this.lookup(target, options)
    if (access === 'refused') throw new AccessRefusedError(`${target.toString()} refused to let us see its presence`)
    return record
  }

  async lookup (target: PeerId, options: AbortOptions = {}): Promise<Revealed> {
    const record = await this.fetchSigned(target, options)
    if (target.equals(this.components.peerId)) return { record: this.own.record ?? record, access: 'granted' }
    return this.subs.access(target, record, timeoutSignal(ACCESS_QUERY_TIMEOUT_MS, options.signal))
  }

  async addresses (target: PeerId, options: AbortOptions & { askPresentity?: boolean } = {}): Promise<Multiaddr[]> {
    return (await this.fetchSigned(target, options, options.askPresentity ?? true)).addresses
  }

  policy (): AccessPolicy {
    return this.access.policy()
  }

  async setDefaultPolicy (policy: string): Promise<AccessPolicy> {
    return this.access.setDefault(policy)
  }

  async allow (watcher: PeerId, view: ViewName = 'full'): Promise<AccessPolicy> {
    return this.access.allow(watcher, view)
  }

  async deny (watcher: PeerId): Promise<AccessPolicy> {
    return this.access.deny(watcher)
  }

  async block (watcher: PeerId): Promise<AccessPolicy> {
    return this.access.block(watcher)
  }

  async revoke (watcher: PeerId): Promise<AccessPolicy> {
    return this.access.revoke(watcher)
  }

  async delegate (delegate: PeerId, expiresAt: number): Promise<Uint8Array> {
    // a delegate has no view keys: what it publishes would be plaintext, past whatever the policy hides
    if (this.access.policy().default !== 'public' || Object.keys(this.access.policy().rules).length > 0) {
      throw new InvalidPolicyError('Only a presentity whose presence is public, with no per-watcher rules, can delegate: a delegate cannot seal views')
    }
    return signDelegation(this.components.privateKey, delegate, expiresAt)
  }

  async publishFor (presentity: PeerId, delegation: Uint8Array, update: PresenceUpdate, options: AbortOptions = {}): Promise<PresenceRecord> {
    await verifyDelegation(delegation, presentity, this.components.peerId, Date.now())
    // its newest record gives the sequence number to beat and what the update leaves as it was
    const current = await this.fetchSigned(presentity, options)
    if (current.restricted === true || (current.views?.length ?? 0) > 0) {
      throw new InvalidPolicyError(`${presentity.toString()} hides its presence from some watchers; a delegate cannot publish for it`)
    }
    const record = delegatedRecord(current, update, delegation, Date.now(), this.init.recordTtl)
    const bytes = await sealPresence(this.components.privateKey, record)
    this.validation.remember(presentity, record.seq, bytes)
    // the presentity takes it as its own and pushes it to its watchers (onRecord)
    await this.spread(bytes, presentity, { to: [presentity], signal: options.signal, waitForDht: DHT_PUT_WAIT_MS })
    this.subs.onRecord(record)
    return record
  }

  /** The newest verified record of `target`, as published (sealed views unopened) */
  private async fetchSigned (target: PeerId, options: AbortOptions, askPresentity = true): Promise<PresenceRecord> {
    const bytes = target.equals(this.components.peerId)
      ? this.own.signed?.bytes
      : await this.lookups.newest(target, timeoutSignal(FETCH_TIMEOUT_MS, options.signal), { askPresentity })
    const record = bytes == null ? undefined : readVerified(bytes)
    if (record == null) throw new PresenceNotFoundError(`No presence record found for ${target.toString()}`)
    return record
  }

  /** Sign our state again with the current policy and keys, if we have published one */
  private async republishOwn (): Promise<void> {
    if (this.own.record == null) await this.own.load()
    if (this.own.record == null || !this.running) return
    await this.publish({})
  }

  async subscribe (target: PeerId, options: { duration: number } & AbortOptions): Promise<SubscribeResult> {
    return this.subs.subscribe(target, options.duration, options.signal)
  }

  async unsubscribe (target: PeerId): Promise<boolean> {
    return this.subs.cancel(target)
  }

  subscriptions (): Subscription[] {
    return this.subs.list()
  }

  watchers (): Watcher[] {
    return this.watchersRegistry.list()
  }

  /**
   * Push signed record bytes now — ours to our watchers, anyone else's to
   * `to` — and store them in the DHT, waiting up to `waitForDht` ms for that
   * and letting it finish in the background after (pushes and puts are
   * tracked so a stop can wait briefly).
   */
  private async spread (bytes: Uint8Array, presentity: PeerId, options: SpreadOptions = {}): Promise<void> {
    const { dhtTimeout = DHT_PUT_TIMEOUT_MS, signal, waitForDht = 0 } = options
    const key = presenceKey(presentity)
    // our own put skips kad-dht's validator: check first, never store what peers would refuse
    await validatePresenceRecord(key, bytes)
    const own = presentity.equals(this.components.peerId)
    const pushed = (own && options.to == null
      ? this.pushes.fanOut([...this.watchersRegistry.list().map(w => w.peerId), ...this.watchersRegistry.takeLapsed()], bytes, signal)
      : this.pushes.send(options.to ?? [], bytes, signal).then(() => {}))
      .finally(() => {
        this.puts.delete(pushed)
        if (this.running) for (const peer of this.pushedTo(own, options.to)) this.hangUp?.after(peer, 0, PUSH_HANG_UP_DELAY_MS)
      })
    this.puts.add(pushed)
    await Promise.race([pushed, new Promise(resolve => setTimeout(resolve, PUSH_HEAD_START_MS))])
    options.afterPush?.()
    // a DHT server keeps its own copy; a client's record is stored only if a server took it
    const client = this.components.dht.getMode() === 'client'
    const put = storedOn(this.components.dht.put(key, bytes, { signal: timeoutSignal(dhtTimeout, signal) }))
      .catch(err => {
        this.log('DHT put of %p presence incomplete - %e', presentity, err)
        return 0
      })
      .then(servers => {
        if (own && this.own.signed?.bytes === bytes) this.unstored = client && servers === 0 ? bytes : undefined
      })
      .finally(() => this.puts.delete(put))
    this.puts.add(put)
    // alone, a put cannot finish: do not make the caller wait for it
    const alone = this.components.connectionManager.getConnections().length === 0
    if (waitForDht > 0 && !alone) await Promise.race([put, new Promise(resolve => setTimeout(resolve, waitForDht))])
  }

  /** Whom a push went to, for hanging up once it is done */
  private pushedTo (own: boolean, to?: PeerId[]): PeerId[] {
    return to ?? (own ? this.watchersRegistry.list().map(w => w.peerId) : [])
  }

  /**
   * A record pushed to us. A "closed" of a presentity brought by someone else
   * is a will its holder pushed: we echo it to the presentity, so that a
   * live one learns of it and outbids it (will-holders.ts); a dead one costs
   * a refused dial.
   */
  private onPushed (record: PresenceRecord, bytes: Uint8Array, from: PeerId): void {
    const self = this.components.peerId
    if (!record.presentity.equals(self) && !from.equals(record.presentity) && record.basic === 'closed' && this.running) {
      this.pushes.send([record.presentity], bytes).catch(err => this.log('could not echo a will to %p - %e', record.presentity, err))
    }
    this.onRecord(record)
  }

  private deliverLocally (bytes: Uint8Array): void {
    const record = readVerified(bytes)
    if (record == null || record.seq <= (this.validation.newestSeq(record.presentity) ?? -1n)) return
    this.validation.remember(record.presentity, record.seq, bytes)
    this.onRecord(record)
  }

  private onRecord (record: PresenceRecord): void {
    if (record.presentity.equals(this.components.peerId)) {
      // a delegate (our other device) changed our presence: take it as ours, signed by us with a will to match
      if (this.running && record.delegation != null && record.seq > (this.own.record?.seq ?? -1n)) {
        const { basic, availability, note, contact, extensions } = record
        this.publish({ basic, availability, note: note ?? null, contact, extensions }, {}, DHT_PUT_TIMEOUT_MS, record.seq)
          .catch(err => this.log.error('adopting a delegate\'s change failed - %e', err))
        return
      }
      // a holder pushed our will though we are alive (a watcher echoed it): outbid it (once, rate-bounded) and judge the holder
      if (this.running) this.holders.seen(record)
      return
    }
    this.subs.onRecord(record)
  }

  /**
   * Our record carries our addresses (relay circuits included): when they
   * change, watchers and senders must learn the new ones.
   */
  private readonly onAddressChange = (): void => {
    clearTimeout(this.addressTimer)
    this.addressTimer = setTimeout(() => {
      const published = this.own.record
      if (!this.running || published?.basic !== 'open') return
      const now = this.components.addressManager.getAddresses().map(ma => ma.toString()).sort().join()
      if (now === published.addresses.map(ma => ma.toString()).sort().join()) return
      this.publish({}).catch(err => this.log.error('republish after an address change failed - %e', err))
    }, ADDRESS_SETTLE_MS)
    this.addressTimer.unref?.()
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    if (this.cutOff) this.catchUp()
    if (this.unstored != null) this.storeAgain()
    if (!this.running) return
    const peer = event.detail.peerId
    this.holders.onIdentify(peer, event.detail.protocols)
    // a watcher our pushes could not reach is connected again: it gets our current record now
    const signed = this.own.signed
    if (this.pushes.isUnreachable(peer) && this.watchersRegistry.get(peer) != null && signed != null) {
      this.pushes.reachable(peer)
      this.pushes.fanOut([peer], signed.bytes).catch(err => this.log('could not push to %p - %e', peer, err))
    }
  }

  /**
   * We were suspended: the neighbours may have given up on us and published
   * our will, even if a connection of ours survived (then no cut-off shows
   * it). Catch up once the connections that died meanwhile have closed.
   */
  private readonly checkAwake = (): void => {
    const now = Date.now()
    const gap = now - this.lastTick
    this.lastTick = now
    if (gap <= WAKE_CHECK_MS + SLEPT_MS) return
    this.log('woke up: no timer ran for %d ms', gap)
    setTimeout(() => {
      if (this.components.connectionManager.getConnections().length > 0) this.catchUp()
      else this.cutOff = true
    }, WAKE_SETTLE_MS).unref?.()
  }

  private readonly onDisconnect = (): void => {
    if (this.running && this.components.connectionManager.getConnections().length === 0) this.cutOff = true
  }

  /**
   * Connected again after losing every connection — the laptop slept, the
   * network went or the address changed. Meanwhile our holders may have
   * pushed our will, and pushes to us failed (the presentities skip us now).
   * Say we are open again (a newer record than the will), and renew with
   * everyone we watch: the renewals bring their current state.
   */
  private catchUp (): void {
    this.cutOff = false
    if (!this.running) return
    this.log('connected again after being cut off, catching up')
    if (this.own.record?.basic === 'open') this.publish({}).catch(err => this.log.error('republish after being cut off failed - %e', err))
    this.subs.resync().catch(err => this.log.error('catching up with subscriptions failed - %e', err))
  }

  /** Resolves once the DHT's routing table holds a server, or after `ms` */
  private async dhtServerMet (ms: number): Promise<void> {
    const routingTable = (this.components.dht as Partial<SingleKadDHT>).routingTable
    const deadline = Date.now() + ms
    while ((routingTable?.size ?? 1) === 0 && Date.now() < deadline && this.running) {
      await new Promise(resolve => setTimeout(resolve, DHT_SERVER_POLL_MS))
    }
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
      if (bytes == null || !this.running) return
      this.log('putting our record again: the last put reached no DHT server')
      this.spread(bytes, this.components.peerId, { to: [] }).catch(err => this.log('storing our record again failed - %e', err))
    }, STORE_AGAIN_DELAY_MS)
    this.storeTimer.unref?.()
  }

  private scheduleRepublish (): void {
    clearTimeout(this.republishTimer)
    if (!this.running) return
    this.republishTimer = setTimeout(() => {
      if (this.own.record?.basic !== 'open') return
      this.publish({}).catch(err => this.log.error('republish failed - %e', err))
    }, this.init.recordTtl / 2)
    this.republishTimer.unref?.()
  }
}
