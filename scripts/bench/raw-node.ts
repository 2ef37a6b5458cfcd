/**
 * One baseline node (raw-libp2p.ts) in its own process, the counterpart of a
 * `pmesh start` process: prints one JSON line once it listens, then obeys
 * its parent over the fork IPC channel, and exits when that channel closes,
 * so it can never outlive the bench.
 *
 *   node dist/scripts/bench/raw-node.js [--bootstrap MA]…
 */
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { drain } from '../../src/utils/streams.js'
import { createRawNode, dhtKey, payload, payloadId, stopWithParent } from './raw-libp2p.js'

export type RawCommand =
  | { op: 'dial', addr: string }
  | { op: 'subscribe', topic: string }
  | { op: 'subscribers', topic: string }
  | { op: 'publish', topic: string, id: number, size: number }
  | { op: 'put', key: string, size: number }
  | { op: 'get', key: string }

/** Sent unasked when a gossip message arrives: `key` names the sample */
export interface Delivery { event: 'delivery', key: string }

const { values } = parseArgs({ options: { bootstrap: { type: 'string', multiple: true, default: [] } } })
const node = await createRawNode(values.bootstrap)

node.services.pubsub.addEventListener('message', event => {
  const delivery: Delivery = { event: 'delivery', key: String(payloadId(event.detail.data)) }
  process.send?.(delivery)
})

async function run (command: RawCommand): Promise<unknown> {
  switch (command.op) {
    case 'dial':
      await node.dial(multiaddr(command.addr), { signal: AbortSignal.timeout(10_000) })
      return true
    case 'subscribe':
      node.services.pubsub.subscribe(command.topic)
      return true
    case 'subscribers':
      return node.services.pubsub.getSubscribers(command.topic).length
    case 'publish':
      await node.services.pubsub.publish(command.topic, payload(command.id, command.size))
      return true
    case 'put':
      // drained like presence's own put: done when the query is
      await drain(node.services.dht.put(dhtKey(command.key), payload(0, command.size), { signal: AbortSignal.timeout(30_000) }))
      return true
    case 'get': {
      // drained like presence's fetch, which reads every answer to pick the newest
      let size = 0
      for await (const event of node.services.dht.get(dhtKey(command.key), { signal: AbortSignal.timeout(10_000) })) {
        if (event.name === 'VALUE') size = event.value.byteLength
      }
      return size
    }
  }
}

process.on('message', (message: { id: number, command: RawCommand }) => {
  run(message.command).then(
    result => process.send?.({ reply: message.id, result }),
    (err: Error) => process.send?.({ reply: message.id, error: err.message })
  )
})
// like pmesh start: never take more than 2 s to stop
stopWithParent(async () => node.stop(), 2_000)

console.log(JSON.stringify({ peerId: node.peerId.toString(), addresses: node.getMultiaddrs().map(ma => ma.toString()) }))
