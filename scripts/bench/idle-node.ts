/**
 * The node whose idle cost is measured, alone in its process so that the
 * process's CPU, memory and sockets are its own (idle-probe.ts counts them).
 *
 *   node dist/scripts/bench/idle-node.js --mode ours --home DIR --bootstrap MA
 *   node dist/scripts/bench/idle-node.js --mode plain --home DIR --bootstrap MA
 *   node dist/scripts/bench/idle-node.js --mode ours --home DIR --relay
 *
 * The scale simulation (scale.ts) measures its desktop node and its relay
 * (`--relay`: a community relay) with it too, and has the desktop node change
 * its availability (`publish`) and count the changes it is told of (`notifies`).
 *
 * `ours` is createNode() with a home on disk, what `pmesh start` runs (less
 * its control API, which is silent while nobody calls it). `plain` is the
 * same libp2p, built by the same options builder (src/node/libp2p-options.ts)
 * from the same settings, with a LevelDB datastore in DIR as ours has, but
 * without the presence, messaging and mailbox services. Prints one JSON line
 * once it listens, then obeys its parent over IPC, and stops when that channel closes.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { LevelDatastore } from 'datastore-level'
import { mergeSettings } from '../../src/node/config.js'
import { createNode } from '../../src/node/create-node.js'
import { createMeshLibp2p } from '../../src/node/libp2p-options.js'
import { inBatches } from '../mesh/procs.js'
import { ONE_HOST_CONNECTIONS, Probe } from './idle-probe.js'
import { stopWithParent } from './raw-libp2p.js'
import type { Libp2p } from '@libp2p/interface'

export type IdleCommand =
  | { op: 'subscribe', targets: string[], duration: number }
  /** Each entry: one peer's listen addresses */
  | { op: 'dial', peers: string[][] }
  /** Dial `addr` until connected: every node here is 127.0.0.1, and libp2p refuses more than 5 inbound connections a second from one host */
  | { op: 'connect', addr: string }
  | { op: 'peers' }
  | { op: 'snapshot' }
  | { op: 'publish', availability: 'available' | 'away' | 'busy' }
  /** Notifications received so far (every subscription's, the first one after subscribing included) */
  | { op: 'notifies' }

/** Subscriptions made at once: each starts with a DHT lookup */
const SUBSCRIBE_CONCURRENCY = 16
const LOOPBACK = ['/ip4/127.0.0.1/tcp/0']
const CONNECT_ATTEMPTS = 30

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'ours' },
    home: { type: 'string' },
    bootstrap: { type: 'string', multiple: true, default: [] },
    relay: { type: 'boolean', default: false },
    /** ms (createNode's pingTimeout): the scale simulation's clients share loops that answer late */
    'ping-timeout': { type: 'string' },
    /** Over the default 300 (config.json's `connections.maxConnections`): a relay that every node of a large simulation uses as a DHT server */
    'max-connections': { type: 'string' }
  }
})

// before the node exists: every socket it opens is counted
const probe = new Probe()
let libp2p: Libp2p
let subscribe: ((target: string, duration: number) => Promise<boolean>) | undefined
let publish: ((availability: 'available' | 'away' | 'busy') => Promise<unknown>) | undefined
let notifies = 0
let stop: () => Promise<void>

if (values.mode === 'ours') {
  const node = await createNode({ home: values.home, listen: LOOPBACK, bootstrap: values.bootstrap, relay: values.relay, connections: ONE_HOST_CONNECTIONS, pingTimeout: values['ping-timeout'] == null ? undefined : Number(values['ping-timeout']), maxConnections: values['max-connections'] == null ? undefined : Number(values['max-connections']) })
  libp2p = node.libp2p
  node.libp2p.services.presence.addEventListener('notify', () => { notifies++ })
  publish = async availability => node.libp2p.services.presence.publish({ basic: 'open', availability })
  subscribe = async (target, duration) => {
    const result = await node.libp2p.services.presence.subscribe(peerIdFromString(target), { duration })
    return result.status === 'success'
  }
  stop = async () => node.stop()
} else {
  if (values.home == null) throw new Error('--home DIR: the plain node keeps its LevelDB there, as ours does')
  await mkdir(values.home, { recursive: true, mode: 0o700 })
  const datastore = new LevelDatastore(join(values.home, 'datastore'))
  await datastore.open()
  // what ours runs with (createNode() above), less the presence-mesh services
  libp2p = await createMeshLibp2p(mergeSettings({ listen: LOOPBACK, bootstrap: values.bootstrap, connections: ONE_HOST_CONNECTIONS }), {
    privateKey: await generateKeyPair('Ed25519'),
    datastore
  })
  await libp2p.start()
  stop = async () => {
    await libp2p.stop()
    await datastore.close()
  }
}
probe.attach(libp2p)

async function run (command: IdleCommand): Promise<unknown> {
  switch (command.op) {
    case 'subscribe': {
      if (subscribe == null) throw new Error('a plain node has no presence to subscribe with')
      const ok = await inBatches(command.targets, SUBSCRIBE_CONCURRENCY, async target => subscribe!(target, command.duration).catch(() => false))
      return ok.filter(Boolean).length
    }
    case 'dial': {
      const done = await Promise.all(command.peers.map(async addrs =>
        libp2p.dial(addrs.map(a => multiaddr(a)), { signal: AbortSignal.timeout(10_000) }).then(() => true, () => false)))
      return done.filter(Boolean).length
    }
    case 'connect':
      for (let attempt = 1; ; attempt++) {
        try {
          await libp2p.dial(multiaddr(command.addr), { signal: AbortSignal.timeout(5_000) })
          return attempt
        } catch (err) {
          if (attempt >= CONNECT_ATTEMPTS) throw err
          await new Promise(resolve => setTimeout(resolve, 1_000))
        }
      }
    case 'peers':
      // listen addresses, not the connection's: an inbound connection's remote port cannot be dialled
      return Promise.all([...new Set(libp2p.getConnections().map(c => c.remotePeer.toString()))].map(async id => {
        const peer = await libp2p.peerStore.get(peerIdFromString(id)).catch(() => undefined)
        return (peer?.addresses ?? []).map(({ multiaddr: ma }) => ma.encapsulate(`/p2p/${id}`).toString())
      }))
    case 'snapshot':
      return probe.snapshot()
    case 'publish':
      if (publish == null) throw new Error('a plain node has no presence to publish')
      await publish(command.availability)
      return true
    case 'notifies':
      return notifies
  }
}

process.on('message', (message: { id: number, command: IdleCommand }) => {
  run(message.command).then(
    result => process.send?.({ reply: message.id, result }),
    (err: Error) => process.send?.({ reply: message.id, error: err.message })
  )
})
stopWithParent(stop, 2_000)

console.log(JSON.stringify({ peerId: libp2p.peerId.toString(), addresses: libp2p.getMultiaddrs().map(ma => ma.toString()) }))
