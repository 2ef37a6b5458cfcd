/**
 * The bench's measurements, each paired with its raw-libp2p baseline taken
 * in the same run on the same topology: ours on real `pmesh start`
 * processes (through their control API), the baseline on raw-node.ts
 * processes (through IPC). Both are timed in this process.
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { sealPresence, type PresenceRecord } from '../../src/presence/record.js'
import { Mesh, presentityOf, watchersOf } from '../mesh/mesh.js'
import { PMESH, rssBytes, startProc, stopChild, type Cleanup } from '../mesh/procs.js'
import { runScenario } from '../mesh/scenarios.js'
import { summarize, type Summary } from '../mesh/stats.js'
import { IpcProc, arrivals, startRawMesh } from './ipc.js'

export interface Pair { ours?: Summary, raw?: Summary }

export interface BenchContext {
  cleanup: Cleanup
  log: (line: string) => void
  /** Simultaneous process start-ups */
  concurrency: number
}

const NOTIFY_TIMEOUT_MS = 10_000
const MIB = 1024 * 1024

/**
 * Byte sizes of a signed presence record as it travels: open with one TCP
 * address (pushed), and the closed goodbye without addresses (what an
 * offline fetch reads from the DHT). The baseline sends values of these sizes.
 */
export async function recordSizes (): Promise<{ open: number, closed: number }> {
  const key = await generateKeyPair('Ed25519')
  const presentity = peerIdFromPrivateKey(key)
  const now = Date.now()
  const record: PresenceRecord = {
    presentity,
    basic: 'open',
    availability: 'busy',
    contact: { emails: [], phones: [] },
    addresses: [multiaddr(`/ip4/127.0.0.1/tcp/40000/p2p/${presentity.toString()}`)],
    seq: 20n,
    issuedAt: now,
    expiresAt: now + 3_600_000,
    extensions: []
  }
  const open = await sealPresence(key, record)
  const closed = await sealPresence(key, { ...record, basic: 'closed', addresses: [], seq: 21n })
  return { open: open.byteLength, closed: closed.byteLength }
}

/**
 * `changes` samples after a warm-up (id 0, not counted, as in the presence
 * scenario): `trigger` makes sample `id` happen and returns the key its
 * deliveries carry; latency = trigger called → delivery at each receiver.
 */
export async function sample (ctx: BenchContext, receivers: IpcProc[], changes: number, trigger: (id: number) => Promise<string>): Promise<Summary | undefined> {
  const latencies: number[] = []
  for (let id = 0; id <= changes; id++) {
    const t0 = performance.now()
    const got = await arrivals(receivers, await trigger(id), t0, NOTIFY_TIMEOUT_MS)
    if (id > 0) latencies.push(...got.latencies)
    const which = id === 0 ? 'warm-up (not counted)' : `sample ${id}/${changes}`
    ctx.log(`  ${which}: ${got.latencies.length} received in ≤ ${Math.round(Math.max(0, ...got.latencies))} ms${got.missing > 0 ? `, ${got.missing} missed` : ''}`)
  }
  return summarize(latencies)
}

async function rssOf (pids: Array<number | undefined>): Promise<Summary | undefined> {
  const sizes = await Promise.all(pids.map(rssBytes))
  return summarize(sizes.flatMap(b => b == null ? [] : [b / MIB]))
}

/**
 * The connection graph of ours' presence mesh while it was measured, by
 * node index (mesh.nodes): the raw baseline dials the same connections, so
 * its pushes find the same connections open.
 */
export interface MeshGraph {
  /** Node 0 is a community relay (in every shard, as a real mesh's relays are) */
  relaySeed: boolean
  presentity: number
  watchers: number[]
  /** Unordered pairs of connected nodes, i < j */
  edges: Array<[number, number]>
}

/** Each node's open connections, as pairs of node indexes */
async function connectionGraph (mesh: Mesh): Promise<Array<[number, number]>> {
  const index = new Map(mesh.nodes.map(n => [n.peerId, n.index]))
  const edges = new Set<string>()
  await Promise.all(mesh.nodes.map(async node => {
    const { peers } = await node.api('GET', '/v1/peers')
    for (const peer of peers as Array<{ peerId: string }>) {
      const other = index.get(peer.peerId)
      if (other != null && other !== node.index) edges.add(`${Math.min(node.index, other)}-${Math.max(node.index, other)}`)
    }
  }))
  return [...edges].map(e => e.split('-').map(Number) as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
}

/**
 * Presence on `watchers` watchers: notify latency, RSS per node, and (when
 * `fetchRounds` > 0) the offline fetch after the presentity stops. Node 0,
 * which every other node bootstraps from, is a community relay, as in a
 * real mesh (it holds the presentity's will).
 */
export async function oursMesh (ctx: BenchContext, watchers: number, changes: number, fetchRounds: number): Promise<{ latency?: Summary, fetch?: Summary, rss?: Summary, graph: MeshGraph }> {
  ctx.log(`ours: ${watchers + 2} pmesh processes (relay, presentity, ${watchers} watchers)`)
  const mesh = await Mesh.start(ctx.cleanup, { nodes: watchers + 2, relays: 1, firewalled: 0, log: () => {}, concurrency: ctx.concurrency })
  try {
    await mesh.ready()
    const presence = await runScenario('presence', { mesh, log: ctx.log, changes })
    if (presence.status !== 'ok') ctx.log(`  presence: ${presence.status} ${presence.notes.join('; ')}`)
    const graph: MeshGraph = { relaySeed: true, presentity: presentityOf(mesh).index, watchers: watchersOf(mesh).map(n => n.index), edges: await connectionGraph(mesh) }
    ctx.log(`  connection graph: ${graph.edges.length} connections among ${mesh.nodes.length} nodes, ${graph.edges.filter(([a, b]) => a === graph.presentity || b === graph.presentity).length} of them the presentity's`)
    const rss = await rssOf(mesh.nodes.map(n => n.proc?.child.pid))
    let fetch: Summary | undefined
    if (fetchRounds > 0) {
      const result = await runScenario('offline-fetch', { mesh, log: () => {}, changes, fetchRounds })
      if (result.status !== 'ok') ctx.log(`  offline fetch: ${result.status} ${result.notes.join('; ')}`)
      fetch = result.figures['GET /v1/presence/:uri of a stopped presentity']
    }
    return { latency: presence.figures['notify latency per watcher'], fetch, rss, graph }
  } finally {
    await Promise.all(mesh.nodes.map(async node => mesh.stop(node, 'SIGTERM')))
  }
}

/** The same on raw nodes wired as ours were (`graph`): a stream to each subscriber with the payload, kad-dht put, stop, get */
export async function rawMesh (ctx: BenchContext, graph: MeshGraph, changes: number, fetchRounds: number, sizes: { open: number, closed: number }): Promise<{ latency?: Summary, fetch?: Summary, rss?: Summary }> {
  ctx.log(`raw: ${graph.watchers.length + 2} plain libp2p processes (${graph.relaySeed ? 'relay' : 'bootstrap'}, publisher, ${graph.watchers.length} subscribers), ours' ${graph.edges.length} connections`)
  const mesh = await startRawMesh(ctx.cleanup, graph, ctx.concurrency, ctx.log)
  try {
    const latency = await sample(ctx, mesh.subscribers, changes, async id => {
      await mesh.publisher.call({ op: 'push', peers: mesh.subscribers.map(s => s.proc.info.peerId), id, size: sizes.open })
      return String(id)
    })
    const rss = await rssOf(mesh.all.map(n => n.proc.child.pid))
    let fetch: Summary | undefined
    if (fetchRounds > 0) {
      const key = mesh.publisher.proc.info.peerId
      await mesh.publisher.call({ op: 'put', key, size: sizes.closed })
      await mesh.publisher.stop()
      const times: number[] = []
      for (let round = 0; round < fetchRounds; round++) {
        for (const node of mesh.all.filter(n => n !== mesh.publisher)) {
          const t0 = performance.now()
          const size = await node.call<number>({ op: 'get', key })
          if (size > 0) times.push(performance.now() - t0)
        }
      }
      ctx.log(`  kad-dht get of the stopped publisher's value: ${times.length}/${fetchRounds * (mesh.all.length - 1)} found it`)
      fetch = summarize(times)
    }
    return { latency, fetch, rss }
  } finally {
    await Promise.all(mesh.all.map(async node => node.stop()))
  }
}

/**
 * Start-up: spawn → the first JSON line, for a fresh node alone and for one
 * joining a running node. Ours and raw alternate, so noise hits both alike.
 */
export async function startup (ctx: BenchContext, samples: number): Promise<{ alone: Pair, joining: Pair }> {
  const root = await ctx.cleanup.tempDir('pmesh-bench-')
  let home = 0
  const oursStart = async (extra: string[]): Promise<number> => {
    const proc = await startProc(ctx.cleanup, PMESH, ['start', '--home', join(root, `home-${home++}`), '--listen', '/ip4/127.0.0.1/tcp/0', '--json', ...extra])
    await stopChild(proc.child)
    return proc.startMs
  }
  const rawStart = async (extra: string[]): Promise<number> => {
    const node = await IpcProc.rawNode(ctx.cleanup, extra)
    await node.stop()
    return node.proc.startMs
  }
  const oursSeed = await startProc(ctx.cleanup, PMESH, ['start', '--home', join(root, 'seed'), '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
  const rawSeed = await IpcProc.rawNode(ctx.cleanup)
  const times = { oursAlone: [] as number[], rawAlone: [] as number[], oursJoin: [] as number[], rawJoin: [] as number[] }
  try {
    for (let i = 0; i < samples; i++) {
      times.oursAlone.push(await oursStart([]))
      times.rawAlone.push(await rawStart([]))
      times.oursJoin.push(await oursStart(['--bootstrap', oursSeed.info.addresses[0]]))
      times.rawJoin.push(await rawStart([rawSeed.address]))
      ctx.log(`  sample ${i + 1}/${samples}: alone ${Math.round(times.oursAlone[i])} vs ${Math.round(times.rawAlone[i])} ms, joining ${Math.round(times.oursJoin[i])} vs ${Math.round(times.rawJoin[i])} ms`)
    }
  } finally {
    await Promise.all([stopChild(oursSeed.child), rawSeed.stop()])
  }
  return {
    alone: { ours: summarize(times.oursAlone), raw: summarize(times.rawAlone) },
    joining: { ours: summarize(times.oursJoin), raw: summarize(times.rawJoin) }
  }
}
