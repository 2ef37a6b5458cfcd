/**
 * The presence service: ties our own record, direct pushes to our watchers,
 * the DHT, wills, watchers and subscriptions together as one libp2p service.
 */
import { TypedEventEmitter } from 'main-event'
import { AccessControl } from './access/control.js'
import { AccessRefusedError, InvalidPolicyError } from './access/errors.js'
import { signDelegation, verifyDelegation } from './delegation.js'
import { Keyring, type Revealed } from './access/keyring.js'
import { RecordLookups } from './lookups.js'
import { OwnPresence, type PresenceUpdate } from './own-presence.js'
import { PresenceNotFoundError } from './errors.js'
import { Pushes } from './push.js'
import { timeoutSignal } from '../utils/streams.js'
import { Subscriptions } from './subscriptions.js'
import type { SubscribeResult, Subscription } from './subscription-types.js'
import { PresenceValidation, readVerified, type Verdict } from './push-verdicts.js'
import { Watchers, type Watcher } from './watchers.js'
import { HangUp } from './hang-up.js'
import { Wills } from './wills.js'
import { WillHolders } from './will-holders.js'
import { GOODBYE_SLOT, PRESENCE_CAPABILITY } from './constants.js'
import { assertDhtWiring } from './wiring.js'
import { withDefaults } from './init-defaults.js'
import { DHT_PUT_TIMEOUT_MS, Publisher } from './publisher.js'
import { Reconnect } from './reconnect.js'
import { ReceivedRecords } from './received.js'
import type { Presence, PresenceComponents, PresenceEvents, PresenceInit } from './index.js'
import type { PresenceRecord } from './record.js'
import type { AccessPolicy } from './access/policy.js'
import type { ViewName } from './access/views.js'
import { LostTimes } from './lost-times.js'
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import type { AbortOptions, CounterGroup, IdentifyResult, Logger, PeerId, Startable } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const FETCH_TIMEOUT_MS = 10_000
/** A fetch asks the presentity for our view this long at most (it may be gone, leaving stale addresses) */
const ACCESS_QUERY_TIMEOUT_MS = 2_000

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
  private readonly publisher: Publisher
  private readonly reconnect: Reconnect
  private readonly received: ReceivedRecords
  private running = false

  constructor (components: PresenceComponents, init: PresenceInit = {}) {
    super()
    this.components = components
    this.validation = new PresenceValidation(this.registerMetrics())
    // first among the notify listeners: they see the loss it records
    this.addEventListener('notify', event => { this.lostTimes.observe(event.detail.target, event.detail.record) })
    this.init = withDefaults(init, components.dht.getMode() === 'server')
    this.log = components.logger.forComponent('presence-mesh:presence')
    this.access = new AccessControl(components.datastore, {
      republish: async () => { await this.republishOwn() },
      dropWatcher: async peer => this.watchersRegistry.drop(peer),
      transactionOf: peer => this.watchersRegistry.get(peer)?.transactionId,
      tell: async (peer, kind, transactionId) => this.watchersRegistry.tell(peer, kind, transactionId),
      defaultPolicy: this.init.defaultPolicy
    }, this.log.newScope('access'))
    this.keyring = new Keyring(components.datastore, this.log.newScope('keyring'))
    this.lookups = new RecordLookups(components, this.validation, this.log.newScope('lookups'))
    this.own = new OwnPresence(components, this.init.recordTtl, async state => this.access.present(state))
    this.pushes = new Pushes(components, {
      judge: async bytes => this.validation.judge(bytes, presentity => presentity.equals(this.components.peerId) || this.subs.get(presentity) != null),
      accepted: (record, bytes, from) => {
        this.hangUp?.pushedBy(from)
        this.received.onPushed(record, bytes, from)
      },
      malformed: reason => { this.validation.rejected(reason) }
    }, this.log.newScope('push'))
    this.wills = new Wills(components, {
      grace: this.init.willGrace,
      execute: async (bytes, presentity, watchers) => {
        // we may watch it ourselves: nobody pushes to us what we push
        this.received.deliverLocally(bytes)
        await this.publisher.spread(bytes, presentity, { to: watchers.filter(w => !w.equals(this.components.peerId)) })
      }
    }, this.log.newScope('wills'))
    this.holders = new WillHolders(components, {
      dialled: this.init.willsToDialled,
      checkInterval: this.init.willCheckInterval,
      current: () => this.own.record,
      will: async slot => this.own.will(slot),
      watchers: () => this.watchersRegistry.list().sort((a, b) => b.expiresAt - a.expiresAt).map(w => w.peerId),
      deposit: async (peer, will, watchers) => this.wills.deposit(peer, will, watchers),
      outbid: async floor => { await this.publisher.publish({}, {}, DHT_PUT_TIMEOUT_MS, floor) }
    }, this.log.newScope('will-holders'))
    if (this.init.hangUp) this.hangUp = new HangUp(components, this.wills, peer => this.holders.gaveWillTo(peer), this.log.newScope('hang-up'))
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
      fetch: async (target, signal, background) => target.equals(this.components.peerId) ? this.own.signed?.bytes : this.lookups.newest(target, signal, { background, requireAnswer: true }),
      notify: (subscription, record, access) => this.safeDispatchEvent('notify', { detail: { target: subscription.target, transactionId: subscription.transactionId, record, access } }),
      ended: (subscription, reason) => this.safeDispatchEvent('subscription:end', { detail: { target: subscription.target, transactionId: subscription.transactionId, reason } }),
      exchanged: target => this.hangUp?.after(target)
    }, this.validation, this.keyring, this.log.newScope('subscriptions'))
    const running = (): boolean => this.running
    this.publisher = new Publisher(components, {
      own: this.own,
      validation: this.validation,
      pushes: this.pushes,
      watchers: this.watchersRegistry,
      lookups: this.lookups,
      hangUp: this.hangUp,
      recordTtl: this.init.recordTtl,
      running,
      depositWills: () => { this.holders.depositAll() },
      changed: record => this.safeDispatchEvent('change', { detail: record })
    }, this.log)
    this.received = new ReceivedRecords(components, {
      own: this.own,
      validation: this.validation,
      pushes: this.pushes,
      publisher: this.publisher,
      holders: this.holders,
      subs: this.subs,
      running
    }, this.log)
    this.reconnect = new Reconnect(components, {
      running,
      current: () => this.own.record,
      republish: async () => this.publisher.publish({}),
      resync: async () => this.subs.resync()
    }, this.log)
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
    this.reconnect.start()
    if (this.init.idleTimeout > 0) this.hangUp?.sweepIdle(this.init.idleTimeout)
    this.running = true
  }

  async afterStart (): Promise<void> {
    // a DHT client reaches nobody before it has met a DHT server, and its bootstrap connection is
    // still coming up: announcing now would put our record nowhere
    if (this.components.dht.getMode() === 'client') await this.publisher.dhtServerMet()
    await this.subs.start()
    const previous = await this.own.load()
    // the wills of our last record, the goodbye the highest, are not news to us after a restart
    if (previous != null) this.validation.remember(this.components.peerId, previous.record.seq + BigInt(GOODBYE_SLOT), new Uint8Array())
    // signed and gossiped before start-up ends, so that a subscriber finds us at once; the DHT
    // put goes on after it: start-up waits for no put (issue 18)
    if (this.init.publishOnStart) {
      await this.publisher.publish({ basic: 'open' }, {}, DHT_PUT_TIMEOUT_MS, -1n, 0).catch(err => this.log.error('could not announce presence on start - %e', err))
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
    this.publisher.stopRepublishing()
    this.holders.stop()
    await this.publisher.goodbye()
  }

  async stop (): Promise<void> {
    this.running = false
    this.publisher.stop()
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.reconnect.stop()
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

  async publish (update: PresenceUpdate, options: AbortOptions = {}): Promise<PresenceRecord> {
    return this.publisher.publish(update, options)
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
    const record = await this.publisher.publishFor(current, delegation, update, options.signal)
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
    await this.publisher.publish({})
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

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    this.reconnect.onIdentify()
    this.publisher.onIdentify()
    if (!this.running) return
    const peer = event.detail.peerId
    this.holders.onIdentify(peer, event.detail.protocols)
    this.publisher.pushIfReturned(peer)
  }
}
