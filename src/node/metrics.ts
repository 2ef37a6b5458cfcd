/**
 * Prometheus metrics of a node (`metrics` in config.json, `--metrics`):
 * libp2p's own, collected by @libp2p/prometheus-metrics, and ours, which the
 * services register through `components.metrics` (presence pushes and
 * notifies, message outcomes, mailbox, stream limits) or which are
 * registered here from the node's surface (relay reservations, DHT
 * records). Loaded only when a node has a metrics endpoint: prom-client is
 * not light.
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
  const { relay } = libp2p.services

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
