/**
 * Idle cost, on one watcher, of the two gossip topic designs for presence:
 * (a) a topic per presentity, (b) S shard topics. See "Gossip topic design"
 * in docs/ARCHITECTURE.md.
 *
 *   node dist/scripts/topic-cost/measure.js [--seconds N] [--shards S]
 *
 * One process: 10 peer nodes (node.ts) in this thread, the watcher in a
 * worker thread (watcher.ts) so that its CPU, timers and sockets can be told
 * apart. Each scenario gets fresh nodes over TCP on 127.0.0.1.
 *
 * Bytes are the watcher's TCP socket counters (the wire: noise, yamux and
 * every protocol); RPCs and control entries are counted where gossipsub
 * sends and receives them. Idle means nothing is published: a warm-up after
 * the meshes form, then the window. Then PUBLISHES changes are published by peers
 * for publish→receive latency and the watcher's bytes per change.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { RPC } from '@libp2p/gossipsub/message'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { now, type Change } from './change.js'
import { createBareNode, type BareNode } from './node.js'
import type { IdleStats, WatcherCommand, WatcherInit, WatcherReport } from './watcher.js'
import type { PeerId } from '@libp2p/interface'

const PEERS = 10
const CONTACTS = 500
/** Design (a): subscribers of a presentity's topic among the peers (the presentity and two other watchers) */
const TOPIC_SUBSCRIBERS = 3
const WARMUP_MS = 5_000
const PUBLISHES = 20
const PUBLISH_GAP_MS = 100
/** Roughly a signed presence record with a short note */
const NOTE = 'x'.repeat(300)

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, shards: { type: 'string', default: '32' } } })
const windowMs = Number(values.seconds) * 1000
const shards = Number(values.shards)

const perPresentity = (id: string): string => `/presence-mesh/presence/1/${id}`
const shardTopic = (shard: number): string => `/presence-mesh/presence/1/shard/${shard}`
/** Same rule as shardOf() in src/presence/protocol.ts, with S as a parameter */
const shardOf = (id: PeerId): number => {
  const digest = id.toMultihash().digest
  return digest[digest.length - 1] % shards
}

interface Scenario {
  name: string
  /** Topics the watcher subscribes to */
  topics: string[]
  /** Topics each peer subscribes to */
  peerTopics: string[][]
  /** Where contact i's changes are published, and by which peer; none for the baseline */
  route?: (i: number) => { topic: string, peer: number }
  /** Design (b) filters by contact */
  contacts?: string[]
}

interface Result {
  name: string
  topics: number
  /** Bytes of the SUBSCRIBE RPC the watcher sends every newly connected gossipsub peer */
  hello: number
  idle: IdleStats
  /** Watcher bytes in + out per published change, idle background subtracted */
  perChange: number
  latencies: number[]
}

const ids = await Promise.all(Array.from({ length: CONTACTS }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
const names = ids.map(id => id.toString())
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

function perPresentityScenario (count: number): Scenario {
  const topics = names.slice(0, count).map(perPresentity)
  // topic i: peer i is the presentity, the next ones watch it too
  const peerTopics = range(PEERS).map(p => topics.filter((_, i) => (p - i % PEERS + PEERS) % PEERS < TOPIC_SUBSCRIBERS))
  return { name: `(a) ${count} topics`, topics, peerTopics, route: i => ({ topic: topics[i % count], peer: i % PEERS }) }
}

function shardedScenario (): Scenario {
  const topics = [...new Set(ids.map(shardOf))].sort((x, y) => x - y).map(shardTopic)
  // every peer is a watcher with hundreds of contacts too, so it is in every shard
  const peerTopics = range(PEERS).map(() => range(shards).map(shardTopic))
  return {
    name: `(b) S=${shards}, ${CONTACTS} contacts`,
    topics,
    peerTopics,
    contacts: names,
    route: i => ({ topic: shardTopic(shardOf(ids[i % CONTACTS])), peer: i % PEERS })
  }
}

async function run (scenario: Scenario): Promise<Result> {
  const peers: BareNode[] = []
  let worker: Worker | undefined
  try {
    for (const topics of scenario.peerTopics) {
      const peer = await createBareNode()
      peers.push(peer)
      for (const topic of topics) peer.services.pubsub.subscribe(topic)
    }
    const init: WatcherInit = {
      topics: scenario.topics,
      contacts: scenario.contacts,
      peers: peers.map(peer => peer.getMultiaddrs()[0].toString()),
      warmupMs: WARMUP_MS,
      windowMs
    }
    const started = new Worker(new URL('./watcher.js', import.meta.url), { workerData: init })
    worker = started
    const latencies = new Map<number, number>()
    let onTotals: ((bytes: number) => void) | undefined
    const idle = new Promise<IdleStats>((resolve, reject) => {
      started.on('error', reject)
      started.on('message', (report: WatcherReport) => {
        if (report.type === 'idle') resolve(report.stats)
        else if (report.type === 'totals') onTotals?.(report.bytesIn + report.bytesOut)
        else latencies.set(report.seq, report.ms)
      })
    })
    const traffic = async (): Promise<{ bytes: number, at: number }> => new Promise(resolve => {
      onTotals = bytes => resolve({ bytes, at: performance.now() })
      started.postMessage('totals' satisfies WatcherCommand)
    })
    const stats = await idle

    let perChange = NaN
    if (scenario.route != null) {
      const before = await traffic()
      for (let seq = 0; seq < PUBLISHES; seq++) {
        const contact = (seq * 37) % (scenario.contacts ?? scenario.topics).length
        const { topic, peer } = scenario.route(contact)
        const change: Change = { contact: names[contact], seq, sentAt: now() }
        await peers[peer].services.pubsub.publish(topic, new TextEncoder().encode(JSON.stringify({ ...change, note: NOTE })))
        await sleep(PUBLISH_GAP_MS)
      }
      // stragglers, and the IHAVE gossip that follows each message for a few heartbeats
      await sleep(3000)
      const after = await traffic()
      const background = (stats.bytesIn + stats.bytesOut) * (after.at - before.at) / 1000
      perChange = (after.bytes - before.bytes - background) / PUBLISHES
    }

    const hello = RPC.encode({ subscriptions: scenario.topics.map(topic => ({ subscribe: true, topic })), messages: [] }).length
    return { name: scenario.name, topics: scenario.topics.length, hello, idle: stats, perChange, latencies: [...latencies.values()] }
  } finally {
    if (worker != null) {
      const exited = new Promise(resolve => worker?.once('exit', resolve))
      worker.postMessage('stop' satisfies WatcherCommand)
      await Promise.race([exited, sleep(5000)])
      await worker.terminate()
    }
    await Promise.all(peers.map(async peer => peer.stop()))
  }
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN
  const sorted = [...xs].sort((x, y) => x - y)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const fixed = (x: number, digits = 0): string => Number.isNaN(x) ? '–' : x.toFixed(digits)
const ratio = (x: number, base: number): string => base > 0 ? `${(x / base).toFixed(2)}×` : '–'

const scenarios: Scenario[] = [
  { name: 'baseline (no topics)', topics: [], peerTopics: range(PEERS).map(() => []) },
  perPresentityScenario(100),
  perPresentityScenario(CONTACTS),
  shardedScenario()
]
const results: Result[] = []
for (const scenario of scenarios) {
  results.push(await run(scenario))
  console.error(`done: ${scenario.name}`)
}

const base = results[0].idle
console.log(`window ${windowMs / 1000} s after ${WARMUP_MS / 1000} s warm-up, ${PEERS} peers, Node ${process.versions.node}`)
console.log('| scenario | topics | meshed / mesh links | conns | in / out B/s | RPC in / out per s | IHAVE / IWANT / GRAFT / PRUNE per s | watcher CPU ms/s | process CPU ms/s | heartbeat µs | timers | join KB | SUBSCRIBE B per new peer | B per change | publish→receive p50 (max) ms, received | bytes, CPU vs baseline |')
console.log(`|${'---|'.repeat(16)}`)
for (const { name, topics, hello, idle, perChange, latencies } of results) {
  const cells = [
    name,
    topics,
    `${idle.meshedTopics} / ${idle.meshLinks}`,
    idle.connections,
    `${fixed(idle.bytesIn)} / ${fixed(idle.bytesOut)}`,
    `${fixed(idle.rpcIn, 2)} / ${fixed(idle.rpcOut, 2)}`,
    [idle.ihave, idle.iwant, idle.graft, idle.prune].map(x => fixed(x, 2)).join(' / '),
    fixed(idle.cpu, 1),
    fixed(idle.processCpu, 1),
    fixed(idle.heartbeatUs),
    idle.timers,
    fixed(idle.joinBytes / 1000),
    hello,
    fixed(perChange),
    latencies.length === 0 ? '–' : `${fixed(median(latencies), 1)} (${fixed(Math.max(...latencies), 1)}), ${latencies.length}/${PUBLISHES}`,
    `${ratio(idle.bytesIn + idle.bytesOut, base.bytesIn + base.bytesOut)}, ${ratio(idle.cpu, base.cpu)}`
  ]
  console.log(`| ${cells.join(' | ')} |`)
}
