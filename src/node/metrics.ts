/**
 * Prometheus metrics of a node (`metrics` in config.json, `--metrics`):
 * libp2p's own, collected by @libp2p/prometheus-metrics, and ours, which the
 * services register through `components.metrics` (mailbox, stream limits)
 * or which are registered here from the node's public surface (presence
 * fan-out and pushes, notifies, relay reservations, DHT records). Loaded only when a node
 * has a metrics endpoint: prom-client is not light.
 *
 * @libp2p/prometheus-metrics keeps its metrics in a module-wide table: one
 * node per process has metrics (a `pmesh start` process). Each node gets its
 * own prom-client registry, so that what one scrape shows is that node's.
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
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
  const { presence, relay } = libp2p.services

  // presence fan-out: each record of ours is pushed to every registered watcher (src/presence/push.ts)
  const published = metrics.registerCounter('presence_mesh_presence_published_total', { help: 'Presence records of our own this node published (each pushed to its watchers)' })
  const fanout = metrics.registerCounter('presence_mesh_presence_fanout_peers_total', { help: 'Watchers registered when each of our records was published, summed (divide by published for the mean fan-out)' })
  presence.addEventListener('change', () => {
    published.increment()
    fanout.increment(presence.watchers().length)
  })
  metrics.registerMetricGroup('presence_mesh_presence_pushes_received', {
    label: 'verdict',
    help: 'Presence records pushed to this node, by verdict (accept, ignore, reject)',
    calculate: () => ({ ...presence.verdicts })
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
