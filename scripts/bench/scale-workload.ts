/**
 * The scale simulation's workload, inside each bulk process (scale-step.ts):
 * who watches whom, and every user changing its availability every few
 * minutes, with the deliveries counted so that a step whose nodes could not
 * keep up says so instead of reporting a quiet network.
 *
 * Watchers and presentities may live in different bulk processes, so the
 * two ends are counted where they are and the parent adds them up: a change
 * made here counts its watchers in the whole network (`expected`, from the
 * parent), a notification arriving here counts where its watcher is
 * (`delivered`). Latency is the record's issuedAt to its arrival: every
 * process of the simulation shares the machine's clock.
 */
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { PeerId } from '@libp2p/interface'

/** Counters since the churn began; the parent takes differences between two snapshots */
export interface ChurnCounts {
  /** Changes made */
  changes: number
  /** Changes × the watchers each had in the whole network when it was made */
  expected: number
  /** Notifications of open records issued since the churn began that reached a watcher here */
  delivered: number
  /** Notifications of wills (closed records): a death seen wrongly, as when a relay loses a client of an overloaded loop */
  wills: number
  /** Record issued → the watcher's notify, ms, since the previous snapshot */
  latencies: number[]
  /** Changes × the watchers the presentity itself held when it made them (fewer than `expected`: subscriptions lost) */
  known: number
  /** Watchers each push fan-out of a presentity here skipped (marked unreachable before), tried, and failed twice */
  pushSkipped: number
  pushTried: number
  pushFailed: number
}

/** The presence service's push part, read by the bench only: whom a fan-out skipped or could not reach */
interface PushesView {
  fanOut: (watchers: PeerId[], ...rest: unknown[]) => Promise<void>
  isUnreachable: (peer: PeerId) => boolean
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
  /** Watchers in the whole network of each presentity here (the parent adds up every process's subscriptions) */
  private watchers = new Map<string, number>()
  private readonly seen = new Set<string>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private readonly totals = { changes: 0, expected: 0, delivered: 0, wills: 0, known: 0, pushSkipped: 0, pushTried: 0, pushFailed: 0 }
  private latencies: number[] = []
  /** Date.now() when the churn began: the records issued before (the first notify after subscribing) are not changes */
  private startedAt: number | undefined

  /** `ignore`: presentities whose changes are not this workload's (the measured desktop node's) */
  constructor (nodes: PresenceMeshNode[], ignore: () => Set<string>) {
    this.nodes = nodes
    for (const node of nodes) {
      const watcher = node.peerId.toString()
      node.libp2p.services.presence.addEventListener('notify', event => {
        const record = event.detail.record
        if (record == null || this.startedAt == null) return
        const presentity = record.presentity.toString()
        if (ignore().has(presentity)) return
        const unique = `${watcher} ${presentity} ${record.seq}`
        if (this.seen.has(unique)) return
        this.seen.add(unique)
        if (record.basic === 'closed') {
          this.totals.wills++
        } else if (record.issuedAt >= this.startedAt) {
          this.totals.delivered++
          this.latencies.push(Date.now() - record.issuedAt)
        }
      })
      this.countPushes(node)
    }
  }

  /** Where a change's pushes went: a lost notification is a subscription the presentity lost, a skip, a failed push, or lost at the watcher */
  private countPushes (node: PresenceMeshNode): void {
    const pushes = (node.libp2p.services.presence as unknown as { pushes: PushesView }).pushes
    const fanOut = pushes.fanOut.bind(pushes)
    pushes.fanOut = async (watchers, ...rest) => {
      if (this.startedAt == null) return fanOut(watchers, ...rest)
      const tried = watchers.filter(w => !pushes.isUnreachable(w))
      this.totals.pushSkipped += watchers.length - tried.length
      this.totals.pushTried += tried.length
      await fanOut(watchers, ...rest)
      this.totals.pushFailed += tried.filter(w => pushes.isUnreachable(w)).length
    }
  }

  setWatchers (watchers: Record<string, number>): void {
    this.watchers = new Map(Object.entries(watchers))
  }

  /** Every node changes at a random moment in the first interval, then every 0.5–1.5 intervals */
  start (intervalS: number): void {
    this.startedAt = Date.now()
    const next = (i: number, delayMs: number): void => {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        this.change(i)
        next(i, intervalS * 1000 * (0.5 + Math.random()))
      }, delayMs)
      this.timers.add(timer)
    }
    this.nodes.forEach((_, i) => next(i, Math.random() * intervalS * 1000))
  }

  stop (): void {
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
    this.totals.changes++
    this.totals.expected += this.watchers.get(node.peerId.toString()) ?? 0
    this.totals.known += node.libp2p.services.presence.watchers().length
    // a failed publish is seen as notifications missing: nothing to add here
    node.libp2p.services.presence.publish({ basic: 'open', availability: AVAILABILITIES[this.totals.changes % AVAILABILITIES.length] })
      .catch(() => {})
  }
}
