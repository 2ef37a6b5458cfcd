/**
 * When each subscription acts next on its own: renew before the
 * presentity's grant lapses, look an unregistered presentity up again
 * (backing off), or end when the watcher's duration is over. One timer per
 * subscription; what it does when due is the state machine's
 * (subscriptions.ts).
 */
import type { Subscription } from './subscription-types.js'
import type { PresenceRecord } from './record.js'
import type { PeerId } from '@libp2p/interface'

/** Renew when this share of the granted time is left */
const RENEW_AT_REMAINING = 0.2
/**
 * An unregistered subscription looks its presentity up in the DHT after
 * this long, then after twice as long each time, up to LOOK_AGAIN_MAX_MS:
 * a DHT lookup per offline contact per hour at rest (≈ 3 KB), and a
 * presentity missed at subscribe time (a lookup that timed out) is found
 * within a minute
 */
const LOOK_AGAIN_MS = 60_000
const LOOK_AGAIN_MAX_MS = 60 * 60_000
/**
 * A lookup answered in time found the presentity closed, or no record at
 * all (DHT peers answered without one): it is away, not missed, and pushes to the watchers it knows
 * when it starts. The next look waits this long (then doubles): a
 * minute-by-minute first hour for every offline contact cost 1.1 kB/s at 100
 * contacts and 5.7 kB/s at 500 in the idle bench. A lookup that timed out,
 * or that no DHT peer answered (a relay restarting, refused streams), still
 * looks again after LOOK_AGAIN_MS
 */
const LOOK_AGAIN_ANSWERED_MS = 15 * 60_000
/**
 * The longest delay setTimeout keeps (2^31 - 1 ms, 24.8 days): a longer one
 * fires at once, which made a subscription of a month renew in a tight loop.
 * A later step is reached in hops of at most this.
 */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1

export type Due = 'end' | 'renew' | 'look again'

export class SubscriptionTimers {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()
  /** Per unregistered subscription, how long it waited last before looking again */
  private readonly lookAgainIn = new Map<string, number>()
  private readonly onDue: (subscription: Subscription, due: Due) => void

  constructor (onDue: (subscription: Subscription, due: Due) => void) {
    this.onDue = onDue
  }

  /** `at`: the step a hop of a wait longer than MAX_TIMER_DELAY_MS is on its way to */
  schedule (subscription: Subscription, at?: number): void {
    const key = subscription.target.toString()
    clearTimeout(this.timers.get(key))
    const now = Date.now()
    const grant = subscription.grantedUntil - now
    const registered = grant > 0
    if (registered) this.lookAgainIn.delete(key)
    const renewAt = registered ? now + grant * (1 - RENEW_AT_REMAINING) : now + this.lookAgainDelay(key)
    // a hop keeps its step: recomputed, 80 % of what is left then would renew a 60-day grant at 53 days
    const next = at ?? Math.min(renewAt, subscription.until)
    const delay = Math.max(0, next - now)
    const timer = setTimeout(() => {
      if (delay > MAX_TIMER_DELAY_MS) this.schedule(subscription, next)
      else if (Date.now() >= subscription.until) this.onDue(subscription, 'end')
      else if (subscription.grantedUntil > Date.now()) this.onDue(subscription, 'renew')
      else this.onDue(subscription, 'look again')
    }, Math.min(delay, MAX_TIMER_DELAY_MS))
    timer.unref?.()
    this.timers.set(key, timer)
  }

  /** An answered lookup says the presentity is away (a closed record without addresses, or none): the next look can wait (LOOK_AGAIN_ANSWERED_MS) */
  answeredAway (target: PeerId, record: PresenceRecord | undefined, answered: boolean): void {
    if (!answered || (record != null && (record.basic === 'open' || record.addresses.length > 0))) return
    const key = target.toString()
    this.lookAgainIn.set(key, Math.max(this.lookAgainIn.get(key) ?? 0, LOOK_AGAIN_ANSWERED_MS / 2))
  }

  /** The subscription ended: no timer, no back-off kept */
  clear (subscription: Subscription): void {
    const key = subscription.target.toString()
    clearTimeout(this.timers.get(key))
    this.timers.delete(key)
    this.lookAgainIn.delete(key)
  }

  clearAll (): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
    this.lookAgainIn.clear()
  }

  /** How long an unregistered subscription waits before looking again: LOOK_AGAIN_MS doubling to LOOK_AGAIN_MAX_MS, ±20 % */
  private lookAgainDelay (key: string): number {
    const delay = Math.min((this.lookAgainIn.get(key) ?? LOOK_AGAIN_MS / 2) * 2, LOOK_AGAIN_MAX_MS)
    this.lookAgainIn.set(key, delay)
    return delay * (0.8 + Math.random() * 0.4)
  }
}
