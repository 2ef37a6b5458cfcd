/**
 * What a will holder spends on the wills it publishes. Anyone may leave a
 * will with a relay (a will names its own signer, nothing more), and a will
 * names up to MAX_WILL_WATCHERS peers to push it to: unbounded, a stranger
 * with a few identities could make a relay dial thousands of peers — each
 * dial of a peer it has no address for a DHT search — by connecting,
 * depositing and vanishing.
 *
 * So the holder pushes each will at once to the named watchers it is
 * connected to (its own clients: a firewalled watcher is always connected
 * to its relay; no dial, no search), and dials the others only within two
 * bounds: per will, and per minute across every will it publishes. A watcher
 * left out finds the presentity closed when it next looks (its renewal, a
 * fetch): the will went into the DHT too.
 */
import type { PeerId } from '@libp2p/interface'

/** Named watchers a holder dials for one will, at most (the most recently renewed come first in a will's list) */
export const WILL_DIALS_PER_WILL = 256
/** …and across all the wills it publishes, per minute (refilled continuously) */
export const WILL_DIALS_PER_MINUTE = 1_024
const MINUTE_MS = 60_000

export interface WillTargets {
  /** Whom to push the will to: the connected named watchers, and those it may dial */
  push: PeerId[]
  /** Named watchers left out: not connected, and past the dial budget */
  skipped: number
}

export class WillBudget {
  private tokens = WILL_DIALS_PER_MINUTE
  private refilledAt: number
  private readonly now: () => number

  constructor (now: () => number = Date.now) {
    this.now = now
    this.refilledAt = now()
  }

  /**
   * The watchers one will goes to: each named peer once, every connected
   * one, and unconnected ones in the order named while the budgets last
   */
  targets (named: PeerId[], connected: (peer: PeerId) => boolean): WillTargets {
    this.refill()
    const seen = new Set<string>()
    const push: PeerId[] = []
    let dials = 0
    let skipped = 0
    for (const peer of named) {
      const key = peer.toString()
      if (seen.has(key)) continue
      seen.add(key)
      if (connected(peer)) {
        push.push(peer)
      } else if (dials < WILL_DIALS_PER_WILL && this.tokens >= 1) {
        dials++
        this.tokens--
        push.push(peer)
      } else {
        skipped++
      }
    }
    return { push, skipped }
  }

  private refill (): void {
    const now = this.now()
    this.tokens = Math.min(WILL_DIALS_PER_MINUTE, this.tokens + (now - this.refilledAt) * WILL_DIALS_PER_MINUTE / MINUTE_MS)
    this.refilledAt = now
  }
}
