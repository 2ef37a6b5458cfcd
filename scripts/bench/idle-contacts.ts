/**
 * Online contacts for the idle bench: `--count` real presence-mesh nodes in
 * one process (createNode(), each with its own identity, DHT and
 * presence service, in-memory datastore), bootstrapped from `--bootstrap`.
 * They announce "open" at start and then stay quiet, as a user's contacts
 * mostly do. Several nodes share a process because a 2-core machine cannot
 * run hundreds of node processes; each node is still one online contact.
 *
 *   node dist/scripts/bench/idle-contacts.js --count N [--bootstrap MA | --relay]
 *
 * With no --bootstrap, the first node is the bootstrap node of the run; with
 * --relay it is a community relay (`relay: true`: a DHT server, relaying, holding wills,
 * keeping mailboxes), as the bootstrap nodes of a real mesh are.
 * Prints one JSON line ({ peerIds, addresses: the first node's }) once every node listens, then obeys its
 * parent over IPC, and stops every node when that channel closes.
 */
import { parseArgs } from 'node:util'
import { peerIdFromString } from '@libp2p/peer-id'
import { createNode, type PresenceMeshNode } from '../../src/node/create-node.js'
import { ONE_HOST_CONNECTIONS } from './idle-probe.js'
import { stopWithParent } from './raw-libp2p.js'

export type ContactsCommand =
  /** The first `count` nodes subscribe to `target`: contacts watch each other */
  | { op: 'watch', target: string, count: number, duration: number }
  /** Every node cancels its subscription to `target` */
  | { op: 'unwatch', target: string }

const { values } = parseArgs({ options: { count: { type: 'string', default: '10' }, bootstrap: { type: 'string', multiple: true, default: [] }, relay: { type: 'boolean', default: false } } })

/** Start-ups spread out: every one dials the bootstrap node and walks the DHT */
const START_GAP_MS = 300

const nodes: PresenceMeshNode[] = []
for (let i = 0; i < Number(values.count); i++) {
  nodes.push(await createNode({ listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: values.bootstrap, relay: values.relay && i === 0, connections: ONE_HOST_CONNECTIONS }))
  await new Promise(resolve => setTimeout(resolve, START_GAP_MS))
}

async function run (command: ContactsCommand): Promise<number> {
  const target = peerIdFromString(command.target)
  if (command.op === 'watch') {
    const results = await Promise.all(nodes.slice(0, command.count).map(async node =>
      node.libp2p.services.presence.subscribe(target, { duration: command.duration }).then(r => r.status === 'success', () => false)))
    return results.filter(Boolean).length
  }
  const cancelled = await Promise.all(nodes.map(async node => node.libp2p.services.presence.unsubscribe(target).catch(() => false)))
  return cancelled.filter(Boolean).length
}

process.on('message', (message: { id: number, command: ContactsCommand }) => {
  run(message.command).then(
    result => process.send?.({ reply: message.id, result }),
    (err: Error) => process.send?.({ reply: message.id, error: err.message })
  )
})
stopWithParent(async () => Promise.all(nodes.map(async node => node.stop())), 5_000)

console.log(JSON.stringify({ peerIds: nodes.map(node => node.peerId.toString()), addresses: nodes[0]?.libp2p.getMultiaddrs().map(ma => ma.toString()) ?? [] }))
