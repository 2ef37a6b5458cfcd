/**
 * The scale simulation's workload, inside the bulk process (scale-step.ts):
 * who watches whom, and every user changing its availability every few
 * minutes, with the deliveries counted so that a step whose nodes could not
 * keep up says so instead of reporting a quiet network.
 */
import { performance } from 'node:perf_hooks'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

/** Counters since the churn began; the parent takes differences between two snapshots */
export interface ChurnCounts {
  /** Changes made */
  changes: number
  /** Changes × the watchers each had in this process when it was made */
  expected: number
  /** Notifications of those changes that reached a watcher here */
  delivered: number
  /** Notifications of other records of the same presentities: a will published while its presentity lived (a death seen wrongly, as under an overloaded loop), and the record that outbid it */
  others: number
  /** publish() called → the watcher's notify, ms, since the previous snapshot */
  latencies: number[]
}

/** For each of `n` nodes, `c` others drawn at random (all others when there are fewer) */
export function pickContacts (n: number, c: number): number[][] {
  return Array.from({ length: n }, (_, w) => {
    if (n - 1 <= c) return Array.from({ length: n }, (_, t) => t).filter(t => t !== w)
    const chosen = new Set<number>()
    while (chosen.size < c) {
      const t = Math.floor(Math.random() * n)
      if (t !== w) chosen.add(t)
    }
    return [...chosen]
  })
}

const AVAILABILITIES = ['available', 'away', 'busy'] as const

export class Churn {
  private readonly nodes: PresenceMeshNode[]
  private readonly index = new Map<string, number>()
  private readonly watchers = new Map<string, number>()
  /** `presentity seq` of each change made here → when it was asked for: notifications are timed from it */
  private readonly publishedAt = new Map<string, number>()
  /** Notifications that came before publish() returned the change's sequence number: `presentity seq` → arrival times */
  private readonly early = new Map<string, number[]>()
  /** Presentities with a change under way (publish() not returned yet) → when it was asked for */
  private readonly inFlight = new Map<string, number>()
  private readonly seen = new Set<string>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private readonly totals = { changes: 0, expected: 0, delivered: 0, others: 0 }
  private latencies: number[] = []
  private running = false

  constructor (nodes: PresenceMeshNode[]) {
    this.nodes = nodes
    nodes.forEach((node, i) => {
      this.index.set(node.peerId.toString(), i)
      node.libp2p.services.presence.addEventListener('notify', event => {
        const record = event.detail.record
        if (record != null) this.onNotify(node.peerId.toString(), record.presentity.toString(), record.seq)
      })
    })
  }

  /** One more node of this process holds a subscription to `target` */
  watch (target: string): void {
    if (this.index.has(target)) this.watchers.set(target, (this.watchers.get(target) ?? 0) + 1)
  }

  /** Every node changes at a random moment in the first interval, then every 0.5–1.5 intervals */
  start (intervalS: number): void {
    this.running = true
    const next = (i: number, delayMs: number): void => {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        if (!this.running) return
        this.change(i)
        next(i, intervalS * 1000 * (0.5 + Math.random()))
      }, delayMs)
      this.timers.add(timer)
    }
    this.nodes.forEach((_, i) => next(i, Math.random() * intervalS * 1000))
  }

  stop (): void {
    this.running = false
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }

  counts (): ChurnCounts {
    const latencies = this.latencies
    this.latencies = []
    return { ...this.totals, latencies }
  }

  private change (i: number): void {
    const node = this.nodes[i]
    const id = node.peerId.toString()
    const at = performance.now()
    this.inFlight.set(id, at)
    this.totals.changes++
    this.totals.expected += this.watchers.get(id) ?? 0
    node.libp2p.services.presence.publish({ basic: 'open', availability: AVAILABILITIES[this.totals.changes % AVAILABILITIES.length] })
      .then(record => {
        const key = `${id} ${record.seq}`
        this.publishedAt.set(key, at)
        // pushes reach watchers in this process before publish() returns
        for (const arrived of this.early.get(key) ?? []) this.delivered(arrived - at)
        this.early.delete(key)
      }, () => {})
      .finally(() => {
        if (this.inFlight.get(id) === at) this.inFlight.delete(id)
        // what came early for another sequence number of this presentity was not this change's
        for (const key of this.early.keys()) {
          if (!key.startsWith(`${id} `)) continue
          this.totals.others += this.early.get(key)?.length ?? 0
          this.early.delete(key)
        }
      })
  }

  private delivered (ms: number): void {
    this.totals.delivered++
    this.latencies.push(ms)
  }

  private onNotify (watcher: string, presentity: string, seq: bigint): void {
    const unique = `${watcher} ${presentity} ${seq}`
    if (this.seen.has(unique)) return
    this.seen.add(unique)
    const key = `${presentity} ${seq}`
    const at = this.publishedAt.get(key)
    if (at != null) {
      this.delivered(performance.now() - at)
    } else if (this.inFlight.has(presentity)) {
      this.early.set(key, [...this.early.get(key) ?? [], performance.now()])
    } else if (this.publishedAt.size > 0 && this.index.has(presentity)) {
      // once the changes began, any other record of a presentity here is a will or what outbid it
      this.totals.others++
    }
  }
}
