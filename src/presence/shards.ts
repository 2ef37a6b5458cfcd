/**
 * Membership of the presence gossip shards: which shard topics this node is
 * in (its own, and those of the presentities it watches), the topic
 * validators, and finding other members of a shard through DHT provider
 * records so that a watcher and a presentity that never dialled each other
 * still end up in one gossip mesh.
 */
import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import { ALL_TOPICS, shardCid, shardOfTopic } from './protocol.js'
import { readVerified, type PresenceValidation, type Verdict } from './validation.js'
import type { PresenceRecord } from './record.js'
import { drain } from '../utils/streams.js'
import type { Logger, PeerId } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { KadDHT } from '@libp2p/kad-dht'

export interface ShardsComponents {
  peerId: PeerId
  pubsub: GossipSub
  dht: KadDHT
  connectionManager: ConnectionManager
}

export interface ShardsInit {
  /** Fewer topic peers than this triggers a provider lookup. Default: 1 */
  minTopicPeers?: number
  /** How often membership is checked. Default: 30 s */
  checkInterval?: number
  /** Called with each accepted record and its envelope bytes */
  onRecord(record: PresenceRecord, bytes: Uint8Array): void
}

const VERDICTS: Record<Verdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject
}
/** Peers dialled per lookup: enough to join the mesh, few enough to stay cheap */
const DIALS_PER_LOOKUP = 3
const LOOKUP_TIMEOUT_MS = 15_000
/**
 * A shard still short of peers after a lookup is looked up again later and
 * later (30 s doubling to 10 min): an idle node must not search the DHT on a
 * timer forever because a shard has no other members yet.
 */
const MAX_LOOKUP_BACKOFF_MS = 10 * 60_000

export class Shards {
  private readonly components: ShardsComponents
  private readonly init: ShardsInit
  private readonly validation: PresenceValidation
  private readonly log: Logger
  private readonly members = new Map<string, number>()
  /** The lookup in flight per topic, so that a fresher one can replace it */
  private readonly lookups = new Map<string, AbortController>()
  private readonly backoff = new Map<string, { next: number, delay: number }>()
  private timer?: ReturnType<typeof setInterval>
  private controller = new AbortController()

  constructor (components: ShardsComponents, init: ShardsInit, validation: PresenceValidation, log: Logger) {
    this.components = components
    this.init = init
    this.validation = validation
    this.log = log
  }

  start (): void {
    this.controller = new AbortController()
    for (const topic of ALL_TOPICS) {
      this.components.pubsub.topicValidators.set(topic, async (_peer, message) => this.validate(message))
    }
    this.components.pubsub.addEventListener('message', this.onMessage)
    this.timer = setInterval(() => this.checkMembership(), this.init.checkInterval ?? 30_000)
    this.timer.unref?.()
  }

  stop (): void {
    clearInterval(this.timer)
    this.controller.abort()
    this.components.pubsub.removeEventListener('message', this.onMessage)
    for (const topic of ALL_TOPICS) this.components.pubsub.topicValidators.delete(topic)
    this.members.clear()
  }

  /** Be in `topic`'s mesh; calls are counted, `leave` undoes one */
  join (topic: string): void {
    const count = this.members.get(topic) ?? 0
    this.members.set(topic, count + 1)
    if (count === 0) {
      this.components.pubsub.subscribe(topic)
      this.findMembers(topic)
    }
  }

  leave (topic: string): void {
    const count = this.members.get(topic) ?? 0
    if (count <= 1) {
      this.members.delete(topic)
      this.backoff.delete(topic)
      if (count === 1) this.components.pubsub.unsubscribe(topic)
    } else {
      this.members.set(topic, count - 1)
    }
  }

  get topics (): string[] {
    return [...this.members.keys()]
  }

  /**
   * Look for members of every shard we are in that has too few peers, now
   * rather than at the next check: after this node was cut off (it slept, or
   * its network went), its shard meshes are gone.
   */
  refresh (): void {
    for (const topic of this.members.keys()) {
      if (this.components.pubsub.getSubscribers(topic).length >= (this.init.minTopicPeers ?? 1)) continue
      this.backoff.delete(topic)
      // a lookup begun while our connections were dying (the timers that fire on waking) may hang
      // until its timeout: start afresh on the connections we have now
      this.lookups.get(topic)?.abort()
      this.lookups.delete(topic)
      this.findMembers(topic)
    }
  }

  async publish (topic: string, bytes: Uint8Array): Promise<void> {
    await this.components.pubsub.publish(topic, bytes)
  }

  private async validate (message: Message): Promise<TopicValidatorResult> {
    const judgement = await this.validation.judgeGossip(message.topic, message.data)
    if (judgement.verdict !== 'accept') this.log('%s presence gossip on %s: %s', judgement.verdict, message.topic, judgement.reason)
    return VERDICTS[judgement.verdict]
  }

  private readonly onMessage = (event: CustomEvent<Message>): void => {
    const { topic, data } = event.detail
    if (shardOfTopic(topic) === undefined) return
    // only messages the validator accepted arrive here: no need to verify again
    const record = readVerified(data)
    if (record != null) this.init.onRecord(record, data)
  }

  private checkMembership (): void {
    const now = Date.now()
    const interval = this.init.checkInterval ?? 30_000
    for (const topic of this.members.keys()) {
      if (this.components.pubsub.getSubscribers(topic).length >= (this.init.minTopicPeers ?? 1)) {
        this.backoff.delete(topic)
        continue
      }
      const state = this.backoff.get(topic) ?? { next: 0, delay: interval }
      if (now < state.next) continue
      this.backoff.set(topic, { next: now + state.delay, delay: Math.min(state.delay * 2, MAX_LOOKUP_BACKOFF_MS) })
      this.findMembers(topic)
    }
  }

  /**
   * Announce ourselves as a member of the shard and dial a few members we
   * are not connected to. Runs in the background; failures only cost us
   * the shortcut (gossip still arrives through whoever we are connected to).
   */
  private findMembers (topic: string): void {
    const shard = shardOfTopic(topic)
    if (shard === undefined || this.lookups.has(topic)) return
    const lookup = new AbortController()
    this.lookups.set(topic, lookup)
    const signal = AbortSignal.any([this.controller.signal, lookup.signal, AbortSignal.timeout(LOOKUP_TIMEOUT_MS)])
    const { dht, connectionManager, peerId } = this.components
    ;(async () => {
      const cid = await shardCid(shard)
      await drain(dht.provide(cid, { signal })).catch(err => this.log('could not announce shard %d - %e', shard, err))
      let dialled = 0
      for await (const event of dht.findProviders(cid, { signal })) {
        if (event.name !== 'PROVIDER') continue
        for (const provider of event.providers) {
          if (dialled >= DIALS_PER_LOOKUP) return
          if (provider.id.equals(peerId) || provider.multiaddrs.length === 0 || connectionManager.getConnections(provider.id).length > 0) continue
          const addresses = provider.multiaddrs.map(ma => ma.getComponents().some(c => c.name === 'p2p') ? ma : ma.encapsulate(`/p2p/${provider.id.toString()}`))
          await connectionManager.openConnection(addresses, { signal }).then(() => { dialled++ }, () => {})
        }
      }
    })().catch(err => {
      if (!signal.aborted) this.log('shard %d lookup failed - %e', shard, err)
    }).finally(() => {
      if (this.lookups.get(topic) === lookup) this.lookups.delete(topic)
    })
  }
}
