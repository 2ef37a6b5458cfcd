/**
 * One bulk process of one step of the scale simulation (scale.ts runs
 * several per step, at most ~50 nodes each): nodes of the network other
 * than the two measured ones, all real presence-mesh nodes (createNode,
 * in-memory datastores), driven by the parent over IPC.
 *
 *   node dist/scripts/bench/scale-step.js --first F --nodes M --relays R --bootstrap MA
 *        [--start-relays FROM:TO [--relay-connections C] | --relay-addrs A1,A2…] [--ping-timeout MS] [--profile DIR]
 *
 * Nodes of one process talk over @libp2p/memory (no file descriptor per
 * connection) and those of different processes over TCP: every node listens
 * on both and dials a memory address first (loopback TCP is sorted last); a
 * memory address of another process fails at once. Relay 0 is the measured
 * relay (`--bootstrap`). A relay process (--start-relays FROM:TO, M = 0) runs
 * relays FROM … TO − 1 and nothing else: a relay is the DHT server of every
 * record below 20 relays, and in a loop with 50 plain nodes it stalled them.
 * A plain process (--relay-addrs: relays 1 … R − 1) runs M plain nodes; plain
 * node g (global index, from F) bootstraps from relay g mod R, so each relay
 * has about N / R clients. Nodes start in waves of START_WAVE, each wave
 * once the previous one is connected to its relays and the loop keeps up.
 * Prints one JSON line once every node runs. With --profile, the window's
 * CPU profile and a heap snapshot at its end go to DIR (where a bulk node's
 * CPU and memory go, record 015): from inside, as V8 writes --cpu-prof only
 * at an exit the parent's SIGKILL may pre-empt.
 */
import { memory } from '@libp2p/memory'
import { peerIdFromString } from '@libp2p/peer-id'
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { writeHeapSnapshot } from 'node:v8'
import { createNode, type PresenceMeshNode } from '../../src/node/create-node.js'
import { inBatches, waitUntil } from '../mesh/procs.js'
import { refusedStreams } from './idle-probe.js'
import { stopWithParent } from './raw-libp2p.js'
import { Churn, type ChurnCounts } from './scale-workload.js'

export type StepCommand =
  /** Plain node i of this process subscribes to `targets[i]` (peer ids) */
  | { op: 'subscribe', targets: string[][], duration: number, ignore: string[], concurrency: number }
  /** Each presentity here: its watchers in the whole network (every process's successful subscriptions) */
  | { op: 'watchers', watchers: Record<string, number> }
  /** Every plain node changes its availability every `intervalS` on average (uniform 0.5–1.5×) */
  | { op: 'churn', intervalS: number }
  | { op: 'snapshot' }

/**
 * `subscribed` counts what subscribe() called success; of those, `granted` the presentity registered, and the others
 * waited for it: the lookup found `noRecord`, a `closed` record, or an open one whose presentity did not answer
 */
export interface SubscribeResult { subscribed: number, failed: number, watching: Record<string, number>, granted: number, noRecord: number, closed: number, retried: number }

/** What the parent reads at the edges of the window */
export interface StepSnapshot extends ChurnCounts {
  at: number
  cpuUs: number
  rss: number
  /** Event-loop delay since the previous snapshot, ms: every node here shares this one loop */
  loopDelayP99Ms: number
  loopDelayMaxMs: number
  /** Open connections per plain node, median */
  connectionsP50: number
  /** Since the churn began: a plain node lost its last connection (it catches up when it reconnects, src/presence/reconnect.ts) */
  cutOffs: number
  /** Since the churn began: this loop's 5 s tick came over 10 s apart, which every node here takes for a wake-up and catches up (reconnect.ts) */
  wakes: number
  /** Now: the plain nodes' subscriptions, and those the presentity granted and whose grant still runs */
  subscriptions: number
  granted: number
  /** Inbound streams the plain nodes' stream limits aborted since they started, per protocol */
  refused: Record<string, number>
  /** process.memoryUsage() now: V8's heap against native buffers (record 015: memory per bulk node) */
  memory: NodeJS.MemoryUsage
  /** Records judged by the plain nodes since they started (pushed or fetched), by verdict */
  verdicts: Record<string, number>
}

/**
 * Many nodes share one loop and one IP: a node's limits on handshakes (64 in flight, 8 from one
 * address, 20 new a second from one address) would reset their dials, and a loaded loop makes dials
 * and upgrades slow
 */
const CONNECTIONS = { maxIncomingPending: 1_000, maxIncomingPendingPerAddress: 1_000, inboundPerAddressPerSecond: 1_000 }
const CONNECTION_MANAGER = { dialTimeout: 30_000, inboundUpgradeTimeout: 30_000 }
const START_WAVE = 10
/** A wave whose nodes have not reached their relay by then has stalled: the step fails rather than measure a broken network */
const WAVE_CONNECT_MS = 120_000
const ALONE_AFTER_MS = 20_000
/** Start or subscribe the next batch only once the shared loop keeps up again (delay p99 over half a second) */
const PACE_LOOP_DELAY_MS = 100
const SUBSCRIBE_TIMEOUT_MS = 60_000

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

const { values } = parseArgs({
  options: {
    first: { type: 'string', default: '0' },
    nodes: { type: 'string' },
    relays: { type: 'string', default: '1' },
    bootstrap: { type: 'string' },
    'start-relays': { type: 'string' },
    'relay-addrs': { type: 'string', default: '' },
    'ping-timeout': { type: 'string' },
    'relay-connections': { type: 'string' },
    profile: { type: 'string' }
  }
})
const first = Number(values.first)
const total = Number(values.nodes)
const relayCount = Number(values.relays)
if (values.bootstrap == null || !Number.isInteger(total) || total < 0) throw new Error('--nodes N --bootstrap MA (the measured relay) are required')
const pingTimeout = values['ping-timeout'] == null ? undefined : Number(values['ping-timeout'])

const pace = monitorEventLoopDelay({ resolution: 10 })
pace.enable()
let busy = false
// the loop's delay over each half second: start-ups and subscriptions wait while it lags
const sampler = setInterval(() => {
  busy = pace.percentile(99) / 1e6 > PACE_LOOP_DELAY_MS
  pace.reset()
}, 500)
async function paced (): Promise<void> {
  do await sleep(500)
  while (busy)
}

const start = async (name: string, bootstrap: string[], relay: boolean): Promise<PresenceMeshNode> => createNode({
  listen: [`/memory/${name}`, '/ip4/127.0.0.1/tcp/0'],
  transports: [memory()],
  relay,
  bootstrap,
  connectionManager: CONNECTION_MANAGER,
  connections: CONNECTIONS,
  // a relay refuses every inbound connection past its ceiling, its own new clients too (record 015)
  maxConnections: relay && values['relay-connections'] != null ? Number(values['relay-connections']) : undefined,
  pingTimeout
})

const relays: PresenceMeshNode[] = []
const [relaysFrom, relaysTo] = (values['start-relays'] ?? '0:0').split(':').map(Number)
for (let i = relaysFrom; i < relaysTo; i++) relays.push(await start(`scale-relay-${i}`, [values.bootstrap], true))
const tcpAddress = (node: PresenceMeshNode): string => node.libp2p.getMultiaddrs().map(String).find(a => a.includes('/tcp/')) ?? ''
const relayAddrs = [values.bootstrap, ...values['relay-addrs'].split(',').filter(a => a !== '')]
if (total > 0 && relayAddrs.length !== relayCount) throw new Error(`${relayCount} relays but ${relayAddrs.length} addresses`)

const plain: PresenceMeshNode[] = []
/** Plain nodes not yet connected to their relay ALONE_AFTER_MS after they started (their keeper dials again) */
let alone = 0
const plainCount = total
for (let i = 0; i < plainCount; i += START_WAVE) {
  await paced()
  const wave = await Promise.all(Array.from({ length: Math.min(START_WAVE, plainCount - i) }, async (_, k) => {
    const g = first + i + k
    return start(`scale-${g}`, [relayAddrs[g % relayCount]], false)
  }))
  // a node reaches the others through its relay and the DHT: the next wave waits until this one is in
  // a node whose first dial to its relay failed dials it again (src/node/bootstrap-keeper.ts; at 1,000 nodes,
  // before the keeper, such nodes sat alone: record 015): those still alone after ALONE_AFTER_MS are counted
  const reached = (): boolean => wave.every(node => node.libp2p.getConnections().length > 0)
  await waitUntil(reached, ALONE_AFTER_MS, '').catch(() => {
    alone += wave.filter(node => node.libp2p.getConnections().length === 0).length
  })
  await waitUntil(reached, WAVE_CONNECT_MS, `nodes ${first + i}… to reach their relays`)
  plain.push(...wave)
}
// what makes this process's nodes catch up (republish, renew every subscription): counted to see whether it feeds a stall
const catchUps = { cutOffs: 0, wakes: 0 }
for (const node of plain) {
  node.libp2p.addEventListener('peer:disconnect', () => { if (node.libp2p.getConnections().length === 0) catchUps.cutOffs++ })
}
let lastTick = performance.now()
setInterval(() => {
  const now = performance.now()
  if (now - lastTick > 10_000) catchUps.wakes++
  lastTick = now
}, 5_000).unref()
let ignored = new Set<string>()
const churn = new Churn(plain, () => ignored)

type Outcome = 'granted' | 'noRecord' | 'closed' | 'unanswered' | 'failed'

/** One subscribe, and what became of it: registered by the presentity, or waiting for it (and why), or failed */
async function subscribeOnce (w: number, target: string, duration: number): Promise<Outcome> {
  const presence = plain[w].libp2p.services.presence
  const result = await presence.subscribe(peerIdFromString(target), { duration, signal: AbortSignal.timeout(SUBSCRIBE_TIMEOUT_MS) }).catch(() => undefined)
  if (result?.status !== 'success') return 'failed'
  if (presence.subscriptions().some(s => s.target.toString() === target && s.grantedUntil > 0)) return 'granted'
  return result.record == null ? 'noRecord' : result.record.basic === 'closed' ? 'closed' : 'unanswered'
}

/**
 * Every watcher subscribes to its contacts, `concurrency` at once in this process. A subscription
 * whose lookup found no record waits for its presentity to show up, and looks again only 15 minutes
 * later (src/presence/subscription-timers.ts): the burst of a whole network subscribing within a
 * minute, which no real network makes, left 1,035 of 5,940 so at 300 nodes. Those are made once more,
 * after the burst, and counted (`retried`)
 */
async function subscribeAll (command: Extract<StepCommand, { op: 'subscribe' }>): Promise<SubscribeResult> {
  ignored = new Set(command.ignore)
  const tasks: Array<[number, string]> = command.targets.flatMap((targets, w) => targets.map(t => [w, t] as [number, string]))
  const outcomes: Outcome[] = tasks.map(() => 'failed')
  const indices = tasks.map((_, i) => i)
  // mostly waiting (a DHT lookup, then the presentity's answer, 5 s each at most): many at once, while the loop keeps up
  await inBatches(indices, command.concurrency, async i => {
    if (busy) await paced()
    outcomes[i] = await subscribeOnce(tasks[i][0], tasks[i][1], command.duration)
  })
  const again = indices.filter(i => outcomes[i] !== 'granted' && outcomes[i] !== 'failed')
  await inBatches(again, command.concurrency, async i => {
    await plain[tasks[i][0]].libp2p.services.presence.unsubscribe(peerIdFromString(tasks[i][1]))
    outcomes[i] = await subscribeOnce(tasks[i][0], tasks[i][1], command.duration)
  })
  const watching: Record<string, number> = {}
  const count = { granted: 0, noRecord: 0, closed: 0, failed: 0 }
  outcomes.forEach((outcome, i) => {
    if (outcome !== 'failed') watching[tasks[i][1]] = (watching[tasks[i][1]] ?? 0) + 1
    if (outcome !== 'unanswered') count[outcome]++
  })
  return { subscribed: tasks.length - count.failed, watching, retried: again.length, ...count }
}

const addUp = (counts: Array<Record<string, number>>): Record<string, number> => {
  const sum: Record<string, number> = {}
  for (const c of counts) for (const [k, v] of Object.entries(c)) sum[k] = (sum[k] ?? 0) + v
  return sum
}

/** The window is between the parent's first two snapshots after the churn began: profile it, then snapshot the heap */
let snapshotsSinceChurn = 0
const profiler = new Session()
async function profileWindow (dir: string): Promise<void> {
  if (++snapshotsSinceChurn === 1) {
    profiler.connect()
    await profiler.post('Profiler.enable')
    await profiler.post('Profiler.start')
  } else if (snapshotsSinceChurn === 2) {
    const { profile } = await profiler.post('Profiler.stop')
    profiler.disconnect()
    await writeFile(join(dir, `bulk-${first}-${total}.cpuprofile`), JSON.stringify(profile))
    writeHeapSnapshot(join(dir, `bulk-${first}-${total}.heapsnapshot`))
  }
}

let cpuBase = process.cpuUsage()
const delay = monitorEventLoopDelay({ resolution: 10 })
delay.enable()

async function run (command: StepCommand): Promise<unknown> {
  switch (command.op) {
    case 'subscribe':
      return subscribeAll(command)
    case 'watchers':
      churn.setWatchers(command.watchers)
      return true
    case 'churn':
      clearInterval(sampler)
      pace.disable()
      churn.start(command.intervalS)
      cpuBase = process.cpuUsage()
      catchUps.cutOffs = 0
      catchUps.wakes = 0
      return true
    case 'snapshot': {
      const cpu = process.cpuUsage(cpuBase)
      const counts = plain.map(node => node.libp2p.getConnections().length).sort((a, b) => a - b)
      const subs = plain.flatMap(node => node.libp2p.services.presence.subscriptions())
      const verdicts = addUp(plain.map(node => node.libp2p.services.presence.verdicts))
      const snapshot: StepSnapshot = {
        at: performance.now(),
        cpuUs: cpu.user + cpu.system,
        rss: process.memoryUsage().rss,
        memory: process.memoryUsage(),
        refused: addUp(plain.map(node => refusedStreams(node.libp2p))),
        loopDelayP99Ms: delay.percentile(99) / 1e6,
        loopDelayMaxMs: delay.max / 1e6,
        connectionsP50: counts[Math.floor(counts.length / 2)] ?? 0,
        ...catchUps,
        subscriptions: subs.length,
        granted: subs.filter(s => s.grantedUntil > Date.now()).length,
        verdicts,
        ...churn.counts()
      }
      delay.reset()
      if (values.profile != null) await profileWindow(values.profile)
      return snapshot
    }
  }
}

process.on('message', (message: { id: number, command: StepCommand }) => {
  run(message.command).then(
    result => process.send?.({ reply: message.id, result }),
    (err: Error) => process.send?.({ reply: message.id, error: err.message })
  )
})
// stopping hundreds of nodes one by one measures nothing: a few seconds, then the process ends anyway
stopWithParent(async () => {
  churn.stop()
  await Promise.allSettled([...plain, ...relays].map(async node => node.stop()))
}, 5_000)

console.log(JSON.stringify({ peerIds: plain.map(node => node.peerId.toString()), relayAddrs: relays.map(tcpAddress), startS: Math.round(performance.now() / 1000), alone }))
