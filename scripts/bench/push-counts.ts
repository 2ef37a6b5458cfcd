/**
 * What one presence change costs the whole process, ours against raw, in
 * the in-process topology of push-bench.ts (relay, presentity, N watchers):
 * streams opened by protocol, connections, bytes written to sockets, DHT
 * puts and gets, datastore writes, peer-store reads and writes, timers,
 * events dispatched and CPU, counted over the warm-up change (the first
 * after subscribing) and over the timed changes, per change.
 *
 * `node dist/scripts/bench/push-counts.js [watchers=100] [changes=8]`
 *
 * The counters wrap prototypes and globals of this process only (nothing of
 * ours counts anything): a bench tool, not a figure of docs/BENCHMARKS.md.
 * Design record 016 says what the counts showed.
 */
import net from 'node:net'
import { MemoryDatastore } from 'datastore-core'
import { ours, raw, type RoundProbe } from './push-bench.js'
import { Cleanup } from '../mesh/procs.js'
import type { Libp2p } from '@libp2p/interface'

type Phase = 'warm-up' | 'changes'
type Counts = Map<string, number>

/** Counters for one round: `count` adds to the phase running, if any */
class RoundCounts {
  readonly phases = new Map<Phase, { counts: Counts, cpuMs: number, changes: number }>()
  private current?: { counts: Counts, cpu: NodeJS.CpuUsage, name: Phase }

  count (key: string, n = 1): void {
    const counts = this.current?.counts
    if (counts != null) counts.set(key, (counts.get(key) ?? 0) + n)
  }

  readonly probe: RoundProbe = {
    node: libp2p => { this.watch(libp2p) },
    phase: name => {
      if (name === this.current?.name) {
        const entry = this.phases.get(name)
        if (entry != null) entry.changes++
        return
      }
      this.close()
      if (name === 'done') return
      this.current = { counts: new Map(), cpu: process.cpuUsage(), name }
      this.phases.set(name, { counts: this.current.counts, cpuMs: 0, changes: 1 })
    }
  }

  private close (): void {
    if (this.current == null) return
    const used = process.cpuUsage(this.current.cpu)
    const entry = this.phases.get(this.current.name)
    if (entry != null) entry.cpuMs = (used.user + used.system) / 1000
    this.current = undefined
  }

  /** Streams each node opens, by protocol (each has its other end in this process too), connections, DHT calls */
  private watch (libp2p: Libp2p): void {
    const wrapped = new WeakSet<object>()
    const wrap = (connection: { newStream: (...args: any[]) => Promise<unknown> }): void => {
      if (wrapped.has(connection)) return
      wrapped.add(connection)
      const newStream = connection.newStream.bind(connection)
      connection.newStream = async (protocols: string | string[], options?: unknown) => {
        this.count(`stream ${[protocols].flat()[0]}`)
        return newStream(protocols, options)
      }
    }
    libp2p.getConnections().forEach(wrap)
    libp2p.addEventListener('connection:open', event => { this.count('connections opened (each end)'); wrap(event.detail) })
    const dht = (libp2p.services as Record<string, any>).dht
    for (const method of ['put', 'get', 'getClosestPeers', 'findPeer']) {
      const call = dht?.[method]?.bind(dht)
      if (call != null) dht[method] = (...args: unknown[]) => { this.count(`dht.${method}`); return call(...args) }
    }
  }
}

/** Wrap a method of `target` to count its calls (`bytes`: also sum its first argument's length) while `counts` is set */
function countCalls (target: any, method: string, key: string, counter: () => RoundCounts | undefined, bytes = false): () => void {
  const original = target[method]
  target[method] = function (this: unknown, ...args: any[]) {
    const counts = counter()
    counts?.count(key)
    if (bytes) counts?.count('bytes written to sockets', args[0]?.length ?? 0)
    return original.apply(this, args)
  }
  return () => { target[method] = original }
}

async function measure (side: 'ours' | 'raw', watchers: number, changes: number): Promise<RoundCounts> {
  const round = new RoundCounts()
  const restore: Array<() => void> = []
  const counter = (): RoundCounts => round
  restore.push(countCalls(net.Socket.prototype, 'write', 'socket writes', counter, true))
  for (const method of ['put', 'delete', 'batch']) restore.push(countCalls(MemoryDatastore.prototype, method, `datastore.${method}`, counter))
  restore.push(countCalls(globalThis, 'setTimeout', 'timers set', counter))
  const dispatch = EventTarget.prototype.dispatchEvent
  EventTarget.prototype.dispatchEvent = function (event: Event) { round.count('events dispatched'); return dispatch.call(this, event) }
  restore.push(() => { EventTarget.prototype.dispatchEvent = dispatch })
  let peerStorePatched = false
  const probe: RoundProbe = {
    ...round.probe,
    node: libp2p => {
      if (!peerStorePatched) {
        peerStorePatched = true
        const proto = Object.getPrototypeOf(libp2p.peerStore)
        for (const method of ['get', 'save', 'patch', 'merge', 'consumePeerRecord']) restore.push(countCalls(proto, method, `peerStore.${method}`, counter))
      }
      round.probe.node(libp2p)
    }
  }
  const ctx = { cleanup: new Cleanup(), log: () => {}, concurrency: 4 }
  try {
    if (side === 'ours') await ours(ctx, watchers, changes, probe)
    else await raw(ctx, watchers, changes, 400, probe)
  } finally {
    restore.reverse().forEach(undo => { undo() })
  }
  return round
}

async function main (): Promise<void> {
  const watchers = Number(process.argv[2] ?? 100)
  const changes = Number(process.argv[3] ?? 8)
  const rounds = { ours: await measure('ours', watchers, changes), raw: await measure('raw', watchers, changes) }
  for (const phase of ['warm-up', 'changes'] as const) {
    const [o, r] = [rounds.ours.phases.get(phase), rounds.raw.phases.get(phase)]
    if (o == null || r == null) continue
    console.log(`\n${watchers} watchers, ${phase === 'warm-up' ? 'the warm-up change' : `per timed change (${o.changes})`}: ours · raw`)
    const per = (entry: typeof o, key: string): number => (entry.counts.get(key) ?? 0) / entry.changes
    console.log(`  ${'CPU ms (whole process)'.padEnd(48)} ${(o.cpuMs / o.changes).toFixed(1).padStart(10)} ${(r.cpuMs / r.changes).toFixed(1).padStart(10)}`)
    const keys = [...new Set([...o.counts.keys(), ...r.counts.keys()])].sort()
    for (const key of keys) console.log(`  ${key.padEnd(48)} ${per(o, key).toFixed(1).padStart(10)} ${per(r, key).toFixed(1).padStart(10)}`)
  }
  console.log(`\nload ${(await import('node:os')).loadavg().map(l => l.toFixed(1)).join(' ')}`)
}

main().then(() => process.exit(0), err => {
  console.error(err)
  process.exit(1)
})
