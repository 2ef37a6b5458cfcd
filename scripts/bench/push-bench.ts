/**
 * Presence notify latency with many watchers, all nodes in this one process
 * (a 2-core machine cannot run 100 node processes): a relay every node
 * bootstraps from, a presentity and N watchers, built with createNode(); the
 * presentity changes its availability and each watcher's notify is timed.
 * The baseline is the same topology of raw nodes (raw-libp2p.ts, the same
 * options builder without our services): the publisher opens a stream to
 * each subscriber and writes a payload of a signed record's size, as our
 * push does. Ours and raw run one after the other, never together, in
 * pairs of rounds (pushLatency).
 */
import { spawn } from 'node:child_process'
import { availableParallelism, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { createNode, type PresenceMeshNode } from '../../src/node/create-node.js'
import { PUSH_HANG_UP_DELAY_MS } from '../../src/presence/hang-up.js'
import { inBatches } from '../mesh/procs.js'
import { summarize } from '../mesh/stats.js'
import { ONE_HOST_CONNECTIONS } from './idle-probe.js'
import { createRawNode, payload, payloadId, pushAll, type RawNode } from './raw-libp2p.js'
import type { BenchContext, Pair } from './figures.js'
import type { Libp2p } from '@libp2p/interface'

/**
 * What a caller may watch of a round (push-counts.ts counts streams, bytes
 * and CPU with it): each node as it is made, and the warm-up and the timed
 * changes as they run
 */
export interface RoundProbe {
  node: (libp2p: Libp2p) => void
  phase: (name: 'warm-up' | 'changes' | 'done') => void
}

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0']
const NOTIFY_TIMEOUT_MS = 10_000
/** After subscribing: identify, the DHT's first queries and the subscribe exchanges settle */
const SETTLE_MS = 3_000
/** How long a change after rest waits for the hang-ups: ours come PUSH_HANG_UP_DELAY_MS after a push, then a look at the will */
const RESTED_MS = PUSH_HANG_UP_DELAY_MS + 10_000
const AVAILABILITIES = ['busy', 'away', 'available', 'idle'] as const

/** Arrival times (performance.now()) of sample `key` at each receiver */
class Arrivals {
  private readonly seen = new Map<string, number[]>()
  private waiters: Array<() => void> = []

  record (key: string): void {
    const times = this.seen.get(key) ?? []
    times.push(performance.now())
    this.seen.set(key, times)
    this.waiters.forEach(wake => { wake() })
  }

  /** Latencies from `t0` once `count` receivers have `key`, or at the timeout */
  async wait (key: string, count: number, t0: number): Promise<{ latencies: number[], missing: number }> {
    const deadline = Date.now() + NOTIFY_TIMEOUT_MS
    while ((this.seen.get(key)?.length ?? 0) < count && Date.now() < deadline) {
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, 100)
        this.waiters.push(() => { clearTimeout(timer); resolve() })
      })
      this.waiters = []
    }
    const times = this.seen.get(key) ?? []
    return { latencies: times.map(at => at - t0), missing: count - times.length }
  }
}

/**
 * `changes` timed samples after a warm-up: `trigger(id)` starts sample `id`
 * and names its key; `rest`, when given, runs (untimed) before each timed one
 */
async function sample (ctx: BenchContext, arrivals: Arrivals, count: number, changes: number, trigger: (id: number) => Promise<string>, probe?: RoundProbe, rest?: () => Promise<void>): Promise<number[]> {
  const latencies: number[] = []
  let missed = 0
  for (let id = 0; id <= changes; id++) {
    if (id > 0) await rest?.()
    probe?.phase(id === 0 ? 'warm-up' : 'changes')
    const t0 = performance.now()
    const got = await arrivals.wait(await trigger(id), count, t0)
    if (id === 0) continue
    latencies.push(...got.latencies)
    missed += got.missing
  }
  probe?.phase('done')
  ctx.log(`  ${latencies.length} notifies timed${missed > 0 ? `, ${missed} missed` : ''}`)
  return latencies
}

/**
 * Until `node` has no connection left to any of `peers` (a hang-up, ours or
 * the baseline's), at most RESTED_MS; says how many are still connected
 */
async function disconnected (node: Libp2p, peers: Libp2p[]): Promise<number> {
  const deadline = Date.now() + RESTED_MS
  const connected = (): number => peers.filter(peer => node.getConnections(peer.peerId).length > 0).length
  while (connected() > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
  return connected()
}

/**
 * `afterRest`: each timed change waits until the presentity and its
 * watchers have hung up on each other, as between two changes minutes
 * apart (design record 004: no connections to contacts at rest), so that
 * its pushes dial first
 */
export async function ours (ctx: BenchContext, watchers: number, changes: number, probe?: RoundProbe, afterRest = false): Promise<number[]> {
  const started: PresenceMeshNode[] = []
  try {
    const relay = await createNode({ listen: LOOPBACK, relay: true, connections: ONE_HOST_CONNECTIONS })
    started.push(relay)
    probe?.node(relay.libp2p)
    const bootstrap = [relay.libp2p.getMultiaddrs()[0].toString()]
    const p = await createNode({ listen: LOOPBACK, bootstrap, connections: ONE_HOST_CONNECTIONS })
    started.push(p)
    probe?.node(p.libp2p)
    const ws = await inBatches(Array.from({ length: watchers }, (_, i) => i), ctx.concurrency * 4, async () => {
      const node = await createNode({ listen: LOOPBACK, bootstrap, connections: ONE_HOST_CONNECTIONS, presence: { publishOnStart: false } })
      started.push(node)
      probe?.node(node.libp2p)
      return node
    })
    const arrivals = new Arrivals()
    for (const w of ws) {
      w.libp2p.services.presence.addEventListener('notify', event => {
        if (event.detail.record != null) arrivals.record(String(event.detail.record.seq))
      })
    }
    const refused = (await inBatches(ws, 16, async w => (await w.libp2p.services.presence.subscribe(p.peerId, { duration: 900 })).status)).filter(s => s !== 'success')
    if (refused.length > 0) ctx.log(`  !! ${refused.length} subscriptions not granted`)
    await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
    const rest = async (): Promise<void> => {
      const left = await disconnected(p.libp2p, ws.map(w => w.libp2p))
      if (left > 0) ctx.log(`  !! ${left} watchers still connected after ${RESTED_MS} ms`)
    }
    return await sample(ctx, arrivals, watchers, changes, async id => {
      const record = await p.libp2p.services.presence.publish({ availability: AVAILABILITIES[id % AVAILABILITIES.length] })
      return String(record.seq)
    }, probe, afterRest ? rest : undefined)
  } finally {
    await Promise.all(started.map(async n => n.stop().catch(() => {})))
  }
}

/** `afterRest`: the publisher closes its connections to the subscribers before each timed change, so that its pushes dial first */
export async function raw (ctx: BenchContext, watchers: number, changes: number, size: number, probe?: RoundProbe, afterRest = false): Promise<number[]> {
  const started: RawNode[] = []
  const arrivals = new Arrivals()
  try {
    const relay = await createRawNode({ bootstrap: [], relay: true })
    started.push(relay)
    probe?.node(relay.libp2p)
    const bootstrap = [relay.libp2p.getMultiaddrs()[0].toString()]
    const publisher = await createRawNode({ bootstrap })
    started.push(publisher)
    probe?.node(publisher.libp2p)
    const subs = await inBatches(Array.from({ length: watchers }, (_, i) => i), ctx.concurrency * 4, async () => {
      const node = await createRawNode({ bootstrap, onPush: data => { arrivals.record(String(payloadId(data))) } })
      started.push(node)
      probe?.node(node.libp2p)
      return node
    })
    // ours' watchers subscribed over a connection to the presentity: the publisher is connected to each
    await inBatches(subs, 16, async s => publisher.libp2p.dial(s.libp2p.getMultiaddrs()[0]))
    await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
    const peers = subs.map(s => s.libp2p.peerId.toString())
    const rest = async (): Promise<void> => {
      await Promise.all(subs.map(async s => publisher.libp2p.hangUp(s.libp2p.peerId)))
      const left = await disconnected(publisher.libp2p, subs.map(s => s.libp2p))
      if (left > 0) ctx.log(`  !! ${left} subscribers still connected after ${RESTED_MS} ms`)
    }
    return await sample(ctx, arrivals, watchers, changes, async id => {
      // not awaited: ours' publish returns after the pushes have started, not finished
      pushAll(publisher.libp2p, peers, payload(id, size)).catch(err => ctx.log(`  raw push failed: ${err.message}`))
      return String(id)
    }, probe, afterRest ? rest : undefined)
  } finally {
    await Promise.all(started.map(async n => n.stop().catch(() => {})))
  }
}

/** Pairs of rounds, each pair one round of ours and one of raw, next to each other in time */
const PAIRS = 4

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Notify latency when the watchers have hung up since the last change
 * (`afterRest` of ours and raw): one pair of rounds, ours then raw. Each of
 * ours' changes waits for the hang-ups (about PUSH_HANG_UP_DELAY_MS), so a
 * round takes `changes` × 10–12 s: few changes, and no second pair
 */
export async function pushAfterRest (ctx: BenchContext, watchers: number, changes: number, size: number): Promise<Pair> {
  ctx.log(`ours: relay, presentity and ${watchers} watchers in this process, each change after the hang-ups`)
  const o = await ours(ctx, watchers, changes, undefined, true)
  ctx.log(`raw: relay, publisher and ${watchers} subscribers in this process, connections closed before each change`)
  const r = await raw(ctx, watchers, changes, size, undefined, true)
  return { ours: summarize(o), raw: summarize(r) }
}

/** A busy loop gives up after this long on its own, should the bench die without killing it */
const BUSY_LIMIT_MS = 10 * 60_000

/**
 * Run `measure` while a busy loop runs on each core, in processes of their
 * own: the issue's "under load" made repeatable (a shared machine's own
 * load comes and goes). Every core is shared with a process that never
 * waits, ours and the baseline alike; the loops end with `measure`
 */
export async function underLoad<T> (ctx: BenchContext, measure: () => Promise<T>): Promise<T> {
  const loops = Array.from({ length: availableParallelism() }, () => {
    const child = spawn(process.execPath, ['-e', `const end = Date.now() + ${BUSY_LIMIT_MS}; while (Date.now() < end);`], { stdio: 'ignore' })
    ctx.cleanup.track(child)
    return child
  })
  try {
    const result = await measure()
    ctx.log(`  1-minute load average with the busy loops still running: ${loadavg()[0].toFixed(1)}`)
    return result
  } finally {
    await Promise.all(loops.map(async child => {
      if (child.exitCode != null || child.signalCode != null) return
      await new Promise(resolve => {
        child.once('exit', resolve)
        child.kill('SIGKILL')
      })
    }))
  }
}

/**
 * Notify latency to `watchers` watchers in one process, in PAIRS pairs of
 * rounds — ours then raw, then raw then ours, and so on — each with a share
 * of the changes. The machine's load drifts over a run (it is shared): a
 * pair's two rounds ran under about the same load, so each pair's ratio is
 * a fair comparison, and their median says more than the pooled figures,
 * whose rounds ran minutes apart. Both are logged; the pooled ones are
 * returned for the table
 */
export async function pushLatency (ctx: BenchContext, watchers: number, changes: number, size: number): Promise<Pair> {
  const share = Math.max(1, Math.ceil(changes / PAIRS))
  const o: number[] = []
  const r: number[] = []
  const ratios: Array<{ p50: number, p99: number }> = []
  for (let pair = 0; pair < PAIRS; pair++) {
    const round: { ours?: number[], raw?: number[] } = {}
    for (const side of pair % 2 === 0 ? ['ours', 'raw'] as const : ['raw', 'ours'] as const) {
      if (side === 'ours') {
        ctx.log(`ours: relay, presentity and ${watchers} watchers in this process`)
        round.ours = await ours(ctx, watchers, share)
      } else {
        ctx.log(`raw: relay, publisher and ${watchers} subscribers in this process, a stream to each`)
        round.raw = await raw(ctx, watchers, share, size)
      }
    }
    o.push(...round.ours ?? [])
    r.push(...round.raw ?? [])
    const [a, b] = [summarize(round.ours ?? []), summarize(round.raw ?? [])]
    if (a != null && b != null) ratios.push({ p50: a.p50 / b.p50, p99: a.p99 / b.p99 })
  }
  if (ratios.length > 0) {
    const list = (key: 'p50' | 'p99'): string => ratios.map(x => `×${x[key].toFixed(2)}`).join(', ')
    ctx.log(`  ${watchers} watchers, ours/raw per pair of rounds: p50 ${list('p50')} (median ×${median(ratios.map(x => x.p50)).toFixed(2)}); p99 ${list('p99')} (median ×${median(ratios.map(x => x.p99)).toFixed(2)})`)
  }
  return { ours: summarize(o), raw: summarize(r) }
}
