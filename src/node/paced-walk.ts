/**
 * A slower random walk of the DHT. libp2p's circuit-relay transport walks
 * the DHT for relays while it holds fewer reservations than it listens for,
 * taking random peers as fast as the DHT yields them and starting a new
 * query the moment one ends. In a community with fewer relays than that —
 * one relay and a firewalled node wanting two, or a relay that died — it
 * never finds enough and never stops: measured here, the firewalled node
 * used 59 % of a core and its relay 39 % for as long as it ran. Handing the
 * walker at most one peer per `paceMs` keeps the search going at a cost
 * nobody notices; a relay that appears is still found within seconds to
 * minutes, and relays already known (the peer store) are used at once, as
 * before.
 */
import type { AbortOptions, PeerInfo } from '@libp2p/interface'
import type { RandomWalk } from '@libp2p/interface-internal'

/** Default pace: one random peer every 5 s at most */
export const DEFAULT_WALK_PACE_MS = 5_000

export interface PacedWalkComponents {
  randomWalk: RandomWalk
}

class PacedRandomWalk implements RandomWalk {
  private readonly inner: RandomWalk
  private readonly paceMs: number

  constructor (inner: RandomWalk, paceMs: number) {
    this.inner = inner
    this.paceMs = paceMs
  }

  async * walk (options?: AbortOptions): AsyncGenerator<PeerInfo> {
    for await (const peer of this.inner.walk(options)) {
      yield peer
      // the walk is paused while we wait: the DHT query goes on only when we take the next peer
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.paceMs)
        options?.signal?.addEventListener('abort', () => {
          clearTimeout(timer)
          reject(options.signal?.reason)
        }, { once: true })
      })
    }
  }
}

/**
 * A libp2p service whose only work is replacing the node's random walk with
 * a paced one; it must be listed among the services (they are created after
 * the transports, which read the component only when they start walking).
 */
export function pacedRandomWalk (paceMs = DEFAULT_WALK_PACE_MS): (components: PacedWalkComponents) => object {
  return (components) => {
    components.randomWalk = new PacedRandomWalk(components.randomWalk, paceMs)
    return { [Symbol.toStringTag]: '@presence-mesh/paced-random-walk' }
  }
}
