/**
 * Prometheus metrics of a node (`metrics` in config.json, `--metrics`):
 * libp2p's own, collected by @libp2p/prometheus-metrics, and ours, which the
 * services register through `components.metrics` (mailbox, stream limits)
 * or which are registered here from the node's public surface (presence
 * gossip, notifies, relay reservations, DHT records). Loaded only when a node
 * has a metrics endpoint: prom-client is not light.
 *
 * @libp2p/prometheus-metrics keeps its metrics in a module-wide table: one
 * node per process has metrics (a `pmesh start` process). Each node gets its
 * own prom-client registry, so that what one scrape shows is that node's.
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import { shardOfTopic } from '../presence/protocol.js'
import { countDhtRecords, reservationsHeld } from './node-status.js'
import type { PresenceMeshNode } from './create-node.js'
import type { ComponentLogger, Metrics } from '@libp2p/interface'

export interface NodeMetrics {
  registry: Registry
  /** libp2p's `metrics` option */
  factory: (components: { logger: ComponentLogger }) => Metrics
}

export function createNodeMetrics (): NodeMetrics {
  const registry = new Registry()
  // process CPU, memory, event loop lag and GC beside libp2p's: what sizing a relay needs
  return { registry, factory: prometheusMetrics({ registry, collectDefaultMetrics: true }) }
}

/** The metrics registered from outside the services; call once, after libp2p is created */
export function registerNodeMetrics (node: PresenceMeshNode, metrics: Metrics): void {
  const { libp2p } = node
  const { pubsub, presence, relay } = libp2p.services

  // presence gossip: what we publish (our records, wills we carry) and to how many peers each went
  const published = metrics.registerCounter('presence_mesh_presence_published_total', { help: 'Presence messages this node published on the gossip shards' })
  const fanout = metrics.registerCounter('presence_mesh_presence_fanout_peers_total', { help: 'Peers the published presence messages were sent to, summed (divide by published for the mean fan-out)' })
  // wrapped here, not in src/presence: every presence publication goes through gossipsub's publish
  const publish = pubsub.publish.bind(pubsub)
  pubsub.publish = async (...args: Parameters<typeof publish>) => {
    const topic = args[0]
    const result = await publish(...args)
    if (shardOfTopic(topic) !== undefined) {
      published.increment()
      fanout.increment(result.recipients.length)
    }
    return result
  }
  const received = metrics.registerCounter('presence_mesh_presence_gossip_received_total', { help: 'Presence messages received on the gossip shards (before validation)' })
  pubsub.addEventListener('message', event => {
    if (shardOfTopic(event.detail.topic) !== undefined) received.increment()
  })
  const notifies = metrics.registerCounter('presence_mesh_presence_notifies_total', { help: 'CPIM notifies delivered to this node\'s subscriptions' })
  presence.addEventListener('notify', () => notifies.increment())

  metrics.registerMetricGroup('presence_mesh_relay_reservations', {
    label: 'side',
    help: 'Circuit relay reservations: held (on relays, for this node) and given (to peers, by this relay)',
    calculate: async () => ({ held: await reservationsHeld(libp2p), given: relay?.reservations.size ?? 0 })
  })
  metrics.registerMetric('presence_mesh_dht_records', {
    help: 'DHT records this node holds (its own included)',
    calculate: async () => countDhtRecords(node.datastore)
  })
}
