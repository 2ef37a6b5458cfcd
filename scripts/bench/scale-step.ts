/**
 * One step of the scale simulation (scale.ts runs one process per step):
 * N presence-mesh nodes (createNode, in-memory datastores) in this one
 * process, over TCP on 127.0.0.1 — @libp2p/memory is not installed here.
 * Prints one JSON line (StepResult) and exits.
 *
 *   node dist/scripts/bench/scale-step.js --nodes N --max-connections C [--watchers W] [--changes K] [--start-budget S]
 *
 * Topology: one relay per 100 nodes (the community relays every node
 * connects to), each node bootstrapping from a single relay, so nobody is
 * handed the whole mesh; the DHT fills routing tables from there.
 */
import { readFile } from 'node:fs/promises'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { createNode, type PresenceMeshNode } from '../../src/node/create-node.js'
import { summarize, type Summary } from '../mesh/stats.js'

export interface StepResult {
  nodes: number
  started: number
  relays: number
  maxConnections: number
  startSeconds: number
  /** Open connections per node after settling */
  connections?: Summary
  isolated: number
  /** (RSS after − RSS before) / nodes, MiB */
  rssPerNodeMiB: number
  heapPerNodeMiB: number
  /** Idle window: CPU ms per second per node, bytes written to sockets per second per node */
  cpuMsPerSecPerNode: number
  bytesPerSecPerNode: number
  /** Idle window: event-loop delay p99 (ms) — every node shares this one loop — and connections closed per node per minute */
  loopDelayP99Ms: number
  closesPerNodePerMin: number
  subscribed: number
  watchers: number
  notify?: Summary
  missed: number
  error?: string
}

/** Many nodes share one event loop and one IP: libp2p's per-node defaults (10 pending inbound, 5 inbound/s per IP) reset their dials */
const CONNECTION_MANAGER = { maxIncomingPendingConnections: 1_000, inboundConnectionThreshold: 100_000, dialTimeout: 30_000, inboundUpgradeTimeout: 30_000 }
const NODES_PER_RELAY = 100
const START_BATCH = 10
/**
 * Start the next batch only once the shared event loop keeps up again (delay
 * p99 under this over half a second): a saturated loop times out handshakes
 * and pings, whose redials load it further, and it never recovers.
 */
const PACE_LOOP_DELAY_MS = 100
const SETTLE_MS = 10_000
const IDLE_WINDOW_MS = 10_000
const NOTIFY_TIMEOUT_MS = 5_000
/** Changes nobody saw, in a row, before the step stops waiting for more */
const GIVE_UP_AFTER = 3
const MIB = 1024 * 1024

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Bytes this process wrote through write-like syscalls (Linux): sockets, as the datastores are in memory */
async function writtenBytes (): Promise<number> {
  const io = await readFile('/proc/self/io', 'utf8')
  return Number(/^wchar:\s+(\d+)/m.exec(io)?.[1] ?? 0)
}

async function run (n: number, maxConnections: number, watcherCount: number, changes: number, startBudgetMs: number, result: StepResult): Promise<PresenceMeshNode[]> {
  const rss0 = process.memoryUsage().rss
  const heap0 = process.memoryUsage().heapUsed
  const relays = Math.max(1, Math.ceil(n / NODES_PER_RELAY))
  result.relays = relays
  const nodes: PresenceMeshNode[] = []
  const t0 = performance.now()
  const start = async (i: number): Promise<PresenceMeshNode> => createNode({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    relay: i < relays,
    bootstrap: i === 0 ? [] : [nodes[i < relays ? 0 : i % relays].libp2p.getMultiaddrs()[0].toString()],
    maxConnections,
    connectionManager: CONNECTION_MANAGER
  })
  for (let i = 0; i < relays; i++) nodes.push(await start(i))
  const pace = monitorEventLoopDelay({ resolution: 10 })
  pace.enable()
  for (let i = relays; i < n; i += START_BATCH) {
    do {
      if (performance.now() - t0 > startBudgetMs) throw new Error(`only ${nodes.length} of ${n} nodes started within ${startBudgetMs / 1000} s (event loop delay p99 ${Math.round(pace.percentile(99) / 1e6)} ms)`)
      pace.reset()
      await sleep(500)
    } while (pace.percentile(99) / 1e6 > PACE_LOOP_DELAY_MS)
    nodes.push(...await Promise.all(Array.from({ length: Math.min(START_BATCH, n - i) }, async (_, k) => start(i + k))))
    result.started = nodes.length
    if (nodes.length % 100 < START_BATCH) process.stderr.write(`  ${nodes.length}/${n} nodes started in ${Math.round((performance.now() - t0) / 1000)} s\n`)
  }
  pace.disable()
  result.started = nodes.length
  result.startSeconds = (performance.now() - t0) / 1000
  await sleep(SETTLE_MS)

  // idle cost: what the mesh costs while nothing happens
  let closes = 0
  for (const node of nodes) node.libp2p.addEventListener('connection:close', () => { closes++ })
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  const cpu0 = process.cpuUsage()
  const bytes0 = await writtenBytes()
  const w0 = performance.now()
  await sleep(IDLE_WINDOW_MS)
  const seconds = (performance.now() - w0) / 1000
  const cpu = process.cpuUsage(cpu0)
  delay.disable()
  result.loopDelayP99Ms = delay.percentile(99) / 1e6
  result.closesPerNodePerMin = closes / n / (seconds / 60)
  result.cpuMsPerSecPerNode = (cpu.user + cpu.system) / 1000 / seconds / n
  result.bytesPerSecPerNode = (await writtenBytes() - bytes0) / seconds / n
  const counts = nodes.map(node => node.libp2p.getConnections().length)
  result.connections = summarize(counts)
  result.isolated = counts.filter(c => c === 0).length
  const memory = process.memoryUsage()
  result.rssPerNodeMiB = (memory.rss - rss0) / n / MIB
  result.heapPerNodeMiB = (memory.heapUsed - heap0) / n / MIB

  // presence: a plain node, watched by plain nodes spread over the mesh
  const plain = nodes.slice(relays)
  const presentity = plain[0]
  const stride = Math.max(1, Math.floor((plain.length - 1) / watcherCount))
  const watchers = Array.from({ length: Math.min(watcherCount, plain.length - 1) }, (_, i) => plain[1 + i * stride])
  result.watchers = watchers.length
  const seen = watchers.map(() => new Map<bigint, number>())
  watchers.forEach((w, i) => w.libp2p.services.presence.addEventListener('notify', event => {
    const record = event.detail.record
    if (record != null && record.presentity.equals(presentity.peerId) && !seen[i].has(record.seq)) seen[i].set(record.seq, performance.now())
  }))
  const subscribed = await Promise.all(watchers.map(async w => w.libp2p.services.presence.subscribe(presentity.peerId, { duration: 900, signal: AbortSignal.timeout(30_000) })
    .then(r => r.status === 'success', () => false)))
  result.subscribed = subscribed.filter(Boolean).length
  await sleep(3_000)
  const latencies: number[] = []
  let unseen = 0
  const availabilities = ['busy', 'away', 'available'] as const
  // change 0 is a warm-up, as in the bench's presence figure
  for (let k = 0; k <= changes; k++) {
    const t = performance.now()
    const record = await presentity.libp2p.services.presence.publish({ basic: 'open', availability: availabilities[k % availabilities.length] })
    const deadline = t + NOTIFY_TIMEOUT_MS
    while (performance.now() < deadline && seen.some(m => !m.has(record.seq))) await sleep(20)
    if (k === 0) continue
    for (const m of seen) {
      const at = m.get(record.seq)
      if (at == null) result.missed++
      else latencies.push(at - t)
    }
    unseen = seen.every(m => !m.has(record.seq)) ? unseen + 1 : 0
    if (unseen >= GIVE_UP_AFTER) {
      result.error = `${unseen} changes in a row reached no watcher; stopped after ${k} of ${changes}`
      break
    }
  }
  result.notify = summarize(latencies)
  return nodes
}

async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string' },
      'max-connections': { type: 'string' },
      watchers: { type: 'string', default: '10' },
      changes: { type: 'string', default: '10' },
      'start-budget': { type: 'string', default: '150' }
    }
  })
  const n = Number(values.nodes)
  const maxConnections = Number(values['max-connections'])
  const result: StepResult = {
    nodes: n, started: 0, relays: 0, maxConnections, startSeconds: 0, isolated: 0, rssPerNodeMiB: 0, heapPerNodeMiB: 0,
    cpuMsPerSecPerNode: 0, bytesPerSecPerNode: 0, loopDelayP99Ms: 0, closesPerNodePerMin: 0, subscribed: 0, watchers: 0, missed: 0
  }
  let nodes: PresenceMeshNode[] = []
  try {
    nodes = await run(n, maxConnections, Number(values.watchers), Number(values.changes), Number(values['start-budget']) * 1000, result)
  } catch (err: any) {
    result.error = err.message
  }
  console.log(JSON.stringify(result))
  // stopping a thousand nodes one by one takes long and measures nothing: give it a few seconds, then exit
  await Promise.race([Promise.allSettled(nodes.map(async node => node.stop())), sleep(5_000)])
  process.exit(0)
}

await main()
