/**
 * The bulk of one step of the scale simulation (scale.ts runs one per
 * step): every node of the network but the two measured ones, all real
 * presence-mesh nodes (createNode, in-memory datastores) in this one
 * process, driven by its parent over IPC.
 *
 *   node dist/scripts/bench/scale-step.js --nodes M --relays R --bootstrap MA
 *
 * Nodes talk to each other over @libp2p/memory (no file descriptor per
 * connection: the open-file limit broke the TCP version at 300 nodes) and
 * listen on TCP too, for the measured nodes, which run in processes of their
 * own. A node dials a memory address first (loopback TCP is sorted last).
 * Relay 0 is the measured relay (`--bootstrap`); the R − 1 others live here
 * and join through it. Plain node i bootstraps from relay i mod R, so each
 * relay has about M / R clients, as a community's relays share its users.
 * Prints one JSON line ({ peerIds: the plain nodes' }) once every node runs.
 */
import { memory } from '@libp2p/memory'
import { peerIdFromString } from '@libp2p/peer-id'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { createNode, type PresenceMeshNode } from '../../src/node/create-node.js'
import { inBatches } from '../mesh/procs.js'
import { ONE_HOST_INBOUND_PER_S } from './idle-probe.js'
import { stopWithParent } from './raw-libp2p.js'
import { Churn, pickContacts, type ChurnCounts } from './scale-workload.js'

export type StepCommand =
  /** Each plain node subscribes to `contacts` others drawn at random; the first `probeWatchers` also to `probe` */
  | { op: 'subscribe', contacts: number, probe: string, probeWatchers: number, duration: number }
  /** Every plain node changes its availability every `intervalS` on average (uniform 0.5–1.5×) */
  | { op: 'churn', intervalS: number }
  | { op: 'snapshot' }

/** What the parent reads at the edges of the window */
export interface StepSnapshot extends ChurnCounts {
  at: number
  cpuUs: number
  rss: number
  /** Event-loop delay p99 since the previous snapshot, ms: every node here shares this one loop */
  loopDelayP99Ms: number
  /** Open connections per plain node, median */
  connectionsP50: number
}

/** Many nodes share one loop and one IP: libp2p's per-node defaults (10 pending inbound, 5 inbound/s per IP) reset their dials */
const CONNECTION_MANAGER = { maxIncomingPendingConnections: 1_000, inboundConnectionThreshold: ONE_HOST_INBOUND_PER_S, dialTimeout: 30_000, inboundUpgradeTimeout: 30_000 }
const START_BATCH = 10
/** Start or subscribe the next batch only once the shared loop keeps up again (delay p99 over half a second) */
const PACE_LOOP_DELAY_MS = 100
const SUBSCRIBE_CONCURRENCY = 100
const SUBSCRIBE_TIMEOUT_MS = 60_000

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

const { values } = parseArgs({ options: { nodes: { type: 'string' }, relays: { type: 'string', default: '1' }, bootstrap: { type: 'string' } } })
const total = Number(values.nodes)
const relayCount = Number(values.relays)
if (values.bootstrap == null || !Number.isInteger(total) || total < 1) throw new Error('--nodes N --bootstrap MA (the measured relay) are required')
const measuredRelay = values.bootstrap

const pace = monitorEventLoopDelay({ resolution: 10 })
pace.enable()
let busy = false
// the loop's delay over each half second: start-ups and subscriptions wait while it lags
const sampler = setInterval(() => {
  busy = pace.percentile(99) / 1e6 > PACE_LOOP_DELAY_MS
  pace.reset()
}, 500)
/** Wait until the loop keeps up (see PACE_LOOP_DELAY_MS) */
async function paced (): Promise<void> {
  do await sleep(500)
  while (busy)
}

const start = async (i: number, bootstrap: string[], relay: boolean): Promise<PresenceMeshNode> => createNode({
  listen: [`/memory/scale-${i}`, '/ip4/127.0.0.1/tcp/0'],
  transports: [memory()],
  relay,
  bootstrap,
  connectionManager: CONNECTION_MANAGER
})

const relays: PresenceMeshNode[] = []
for (let i = 1; i < relayCount; i++) relays.push(await start(i, [measuredRelay], true))
const relayAddress = (i: number): string => {
  if (i % relayCount === 0) return measuredRelay
  const relay = relays[(i % relayCount) - 1]
  return relay.libp2p.getMultiaddrs()[0].toString()
}
const plain: PresenceMeshNode[] = []
for (let i = 0; i < total - relays.length; i += START_BATCH) {
  await paced()
  plain.push(...await Promise.all(Array.from({ length: Math.min(START_BATCH, total - relays.length - i) }, async (_, k) => start(relayCount + i + k, [relayAddress(i + k)], false))))
  if (plain.length % 100 < START_BATCH) process.stderr.write(`  ${plain.length + relays.length}/${total} nodes started\n`)
}
const churn = new Churn(plain)

async function subscribeAll (command: Extract<StepCommand, { op: 'subscribe' }>): Promise<{ subscribed: number, failed: number }> {
  const graph = pickContacts(plain.length, command.contacts)
  const tasks: Array<[number, string]> = graph.flatMap((targets, w) => targets.map(t => [w, plain[t].peerId.toString()] as [number, string]))
  for (let w = 0; w < Math.min(command.probeWatchers, plain.length); w++) tasks.push([w, command.probe])
  let subscribed = 0
  let done = 0
  // mostly waiting (a DHT lookup, then the presentity's answer, 5 s each at most): many at once, while the loop keeps up
  await inBatches(tasks, SUBSCRIBE_CONCURRENCY, async ([w, target]) => {
    if (busy) await paced()
    const ok = await plain[w].libp2p.services.presence.subscribe(peerIdFromString(target), { duration: command.duration, signal: AbortSignal.timeout(SUBSCRIBE_TIMEOUT_MS) })
      .then(r => r.status === 'success', () => false)
    if (ok) {
      subscribed++
      churn.watch(target)
    }
    if (++done % 1000 === 0) process.stderr.write(`  ${done}/${tasks.length} subscriptions made\n`)
  })
  return { subscribed, failed: tasks.length - subscribed }
}

let cpuBase = process.cpuUsage()
const delay = monitorEventLoopDelay({ resolution: 10 })
delay.enable()

async function run (command: StepCommand): Promise<unknown> {
  switch (command.op) {
    case 'subscribe':
      return subscribeAll(command)
    case 'churn':
      clearInterval(sampler)
      pace.disable()
      churn.start(command.intervalS)
      cpuBase = process.cpuUsage()
      return true
    case 'snapshot': {
      const cpu = process.cpuUsage(cpuBase)
      const counts = plain.map(node => node.libp2p.getConnections().length).sort((a, b) => a - b)
      const snapshot: StepSnapshot = {
        at: performance.now(),
        cpuUs: cpu.user + cpu.system,
        rss: process.memoryUsage().rss,
        loopDelayP99Ms: delay.percentile(99) / 1e6,
        connectionsP50: counts[Math.floor(counts.length / 2)] ?? 0,
        ...churn.counts()
      }
      delay.reset()
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
// stopping a thousand nodes one by one measures nothing: a few seconds, then the process ends anyway
stopWithParent(async () => {
  churn.stop()
  await Promise.allSettled([...plain, ...relays].map(async node => node.stop()))
}, 5_000)

console.log(JSON.stringify({ peerIds: plain.map(node => node.peerId.toString()), relays: relays.length, startS: Math.round(performance.now() / 1000) }))
