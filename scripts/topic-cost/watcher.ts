/**
 * Worker thread running the watcher of one measure.ts scenario. Alone in its
 * thread, the watcher owns everything the thread reports: its CPU time
 * (process.threadCpuUsage), its timers (getActiveResourcesInfo is per thread)
 * and the TCP sockets diagnostics_channel announces here.
 */
import { subscribe } from 'node:diagnostics_channel'
import { setTimeout as sleep } from 'node:timers/promises'
import { parentPort, workerData } from 'node:worker_threads'
import { multiaddr } from '@multiformats/multiaddr'
import { now, type Change } from './change.js'
import { createBareNode } from './node.js'
import type { RPC } from '@libp2p/gossipsub/message'
import type { Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { Socket } from 'node:net'

export interface WatcherInit {
  /** Topics the watcher subscribes to */
  topics: string[]
  /** Design (b): only changes of these presentities are delivered */
  contacts?: string[]
  /** Multiaddrs (with /p2p/) of the peers to dial */
  peers: string[]
  warmupMs: number
  windowMs: number
}

/** Per-second rates over the idle window, plus state at its end */
export interface IdleStats {
  bytesIn: number
  bytesOut: number
  rpcIn: number
  rpcOut: number
  /** Control entries in + out: IHAVE, IWANT, GRAFT, PRUNE */
  ihave: number
  iwant: number
  graft: number
  prune: number
  /** Watcher thread CPU, ms per s */
  cpu: number
  /** Whole process (watcher and all peers) CPU, ms per s */
  processCpu: number
  /** Median duration of one gossipsub heartbeat (1 per s), µs: the per-topic work, less blurred by other load than CPU time */
  heartbeatUs: number
  timers: number
  /** Bytes in + out from start-up to the window: connecting, subscribing, grafting, warm-up */
  joinBytes: number
  connections: number
  meshedTopics: number
  meshLinks: number
}

export type WatcherReport =
  | { type: 'idle', stats: IdleStats }
  | { type: 'received', seq: number, ms: number }
  | { type: 'totals', bytesIn: number, bytesOut: number }

export type WatcherCommand = 'totals' | 'stop'

const init = workerData as WatcherInit
const port = parentPort
if (port == null) throw new Error('watcher.ts runs as a worker thread')

// subscribed before the node exists so that no socket is missed
const sockets = new Set<Socket>()
for (const name of ['net.client.socket', 'net.server.socket']) {
  subscribe(name, message => sockets.add((message as { socket: Socket }).socket))
}

const counts = { rpcIn: 0, rpcOut: 0, ihave: 0, iwant: 0, graft: 0, prune: 0 }
function countRpc (rpc: RPC, direction: 'rpcIn' | 'rpcOut', copies = 1): void {
  counts[direction] += copies
  const control = rpc.control
  if (control == null) return
  counts.ihave += control.ihave.length * copies
  counts.iwant += control.iwant.length * copies
  counts.graft += control.graft.length * copies
  counts.prune += control.prune.length * copies
}

/**
 * Parts of the gossipsub 17 class that its service interface leaves out: the
 * methods every RPC passes through (its own metrics would count the same,
 * but need a metrics registry, which createNode() does not pass), and the mesh.
 */
interface Internals {
  getMeshPeers(topic: string): string[]
  heartbeat(): Promise<void>
  sendRpc(id: string, rpc: RPC): boolean
  sendRpcInBatch(tosend: Set<string>, rpc: RPC): void
  handleReceivedRpc(from: PeerId, rpc: RPC): Promise<void>
}

const node = await createBareNode()
const pubsub = node.services.pubsub
const internals = pubsub as unknown as Internals
const { sendRpc, sendRpcInBatch, handleReceivedRpc, heartbeat } = internals

/** Durations (ms) of the heartbeats' synchronous part: all their work but the final GRAFT/PRUNE flush, none when idle */
const beats: number[] = []
internals.heartbeat = function () {
  // timing only the synchronous part keeps unrelated microtasks out
  const start = performance.now()
  const done = heartbeat.call(this)
  beats.push(performance.now() - start)
  return done
}
internals.sendRpc = function (id, rpc) {
  // counted after the call: sendRpc piggybacks pending control onto `rpc`
  const sent = sendRpc.call(this, id, rpc)
  if (sent) countRpc(rpc, 'rpcOut')
  return sent
}
internals.sendRpcInBatch = function (tosend, rpc) {
  sendRpcInBatch.call(this, tosend, rpc)
  countRpc(rpc, 'rpcOut', tosend.size)
}
internals.handleReceivedRpc = async function (from, rpc) {
  countRpc(rpc, 'rpcIn')
  return handleReceivedRpc.call(this, from, rpc)
}

const contacts = init.contacts == null ? undefined : new Set(init.contacts)
pubsub.addEventListener('message', (event: CustomEvent<Message>) => {
  const change = JSON.parse(new TextDecoder().decode(event.detail.data)) as Change
  // design (b): a shard carries non-contacts too, dropped here
  if (contacts != null && !contacts.has(change.contact)) return
  port.postMessage({ type: 'received', seq: change.seq, ms: now() - change.sentAt } satisfies WatcherReport)
})

for (const topic of init.topics) pubsub.subscribe(topic)
await Promise.all(init.peers.map(async addr => node.dial(multiaddr(addr))))

// meshes form within a few heartbeats (1 s each); don't wait forever if one doesn't
const meshDeadline = Date.now() + 15_000
while (init.topics.some(topic => internals.getMeshPeers(topic).length === 0) && Date.now() < meshDeadline) await sleep(250)
await sleep(init.warmupMs)

function totals (): { bytesIn: number, bytesOut: number } {
  let bytesIn = 0
  let bytesOut = 0
  for (const socket of sockets) {
    bytesIn += socket.bytesRead
    bytesOut += socket.bytesWritten
  }
  return { bytesIn, bytesOut }
}

function snapshot (): ReturnType<typeof totals> & { counts: typeof counts, beats: number, cpu: NodeJS.CpuUsage, processCpu: NodeJS.CpuUsage, at: number } {
  return { ...totals(), counts: { ...counts }, beats: beats.length, cpu: process.threadCpuUsage(), processCpu: process.cpuUsage(), at: performance.now() }
}

const start = snapshot()
await sleep(init.windowMs)
const end = snapshot()
const seconds = (end.at - start.at) / 1000
const perSecond = (a: number, b: number): number => (b - a) / seconds
const median = (xs: number[]): number => xs.sort((x, y) => x - y)[xs.length >> 1] ?? NaN
const cpuMsPerSecond = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number => (b.user + b.system - a.user - a.system) / 1000 / seconds
const stats: IdleStats = {
  bytesIn: perSecond(start.bytesIn, end.bytesIn),
  bytesOut: perSecond(start.bytesOut, end.bytesOut),
  rpcIn: perSecond(start.counts.rpcIn, end.counts.rpcIn),
  rpcOut: perSecond(start.counts.rpcOut, end.counts.rpcOut),
  ihave: perSecond(start.counts.ihave, end.counts.ihave),
  iwant: perSecond(start.counts.iwant, end.counts.iwant),
  graft: perSecond(start.counts.graft, end.counts.graft),
  prune: perSecond(start.counts.prune, end.counts.prune),
  cpu: cpuMsPerSecond(start.cpu, end.cpu),
  processCpu: cpuMsPerSecond(start.processCpu, end.processCpu),
  heartbeatUs: median(beats.slice(start.beats, end.beats)) * 1000,
  timers: process.getActiveResourcesInfo().filter(type => type === 'Timeout').length,
  joinBytes: start.bytesIn + start.bytesOut,
  connections: node.getConnections().length,
  meshedTopics: init.topics.filter(topic => internals.getMeshPeers(topic).length > 0).length,
  meshLinks: init.topics.reduce((sum, topic) => sum + internals.getMeshPeers(topic).length, 0)
}
port.postMessage({ type: 'idle', stats } satisfies WatcherReport)

// measure.ts now publishes changes, asking for byte totals around them
port.on('message', (command: WatcherCommand) => {
  if (command === 'totals') {
    port.postMessage({ type: 'totals', ...totals() } satisfies WatcherReport)
  } else {
    // exit ends only this thread, even if some libp2p handle lingers
    Promise.resolve(node.stop()).finally(() => process.exit(0))
  }
})
