/**
 * Clients of the relay-sizing bench: `--count` real presence-mesh nodes in
 * one process, each firewalled behind `--bootstrap` (the relay): each dials
 * it, takes a reservation, announces its presence and leaves its will there,
 * as a user's laptop behind NAT does. Several share a process because two
 * cores cannot run hundreds of node processes; each is still one client of
 * the relay, with its own identity and connection.
 *
 *   node dist/scripts/bench/relay-clients.js --count N --bootstrap MA
 *
 * Prints one JSON line ({ peerIds }) once every node has started, then
 * answers `{ op: 'reserved' }` over IPC (how many hold their reservation)
 * and stops every node when its parent goes.
 */
import { parseArgs } from 'node:util'
import { createNode, type PresenceMeshNode } from '../../src/node/create-node.js'
import { stopWithParent } from './raw-libp2p.js'

export type RelayClientsCommand = { op: 'reserved' }

const { values } = parseArgs({ options: { count: { type: 'string', default: '10' }, bootstrap: { type: 'string', multiple: true, default: [] } } })

/** Start-ups spread out: the relay accepts a handshake at a time per CPU, as it would from a real crowd */
const START_GAP_MS = 200

const nodes: PresenceMeshNode[] = []
for (let i = 0; i < Number(values.count); i++) {
  nodes.push(await createNode({ listen: [], firewalled: true, bootstrap: values.bootstrap }))
  await new Promise(resolve => setTimeout(resolve, START_GAP_MS))
}

const reserved = (): number => nodes.filter(node => node.libp2p.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit'))).length

process.on('message', (message: { id: number, command: RelayClientsCommand }) => {
  process.send?.({ reply: message.id, result: reserved() })
})
stopWithParent(async () => Promise.all(nodes.map(async node => node.stop())), 5_000)

console.log(JSON.stringify({ peerIds: nodes.map(node => node.peerId.toString()) }))
