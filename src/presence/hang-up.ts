/**
 * Hanging up: a watcher reaches a presentity to subscribe or renew, and a
 * presentity reaches a watcher to push a change, and then neither needs the
 * connection — the next change dials again — while each open connection
 * costs its pings for as long as it lasts. So the connection is closed a
 * moment after the exchange, whoever opened it (the DHT lookup before a
 * subscribe often has), unless something else needs it: the peer is kept
 * alive on purpose (a bootstrap node, a relay), we hold its will, or another
 * protocol is using it. A node's connections at rest then follow its infrastructure, not its
 * contact count; a burst of changes reuses one connection.
 *
 * The same rule closes, once it has been idle for a while, any connection
 * nobody plans to close (`sweepIdle`): one a DHT lookup, a random walk, a
 * message or a stranger opened. kad-dht asks many servers for each lookup
 * and leaves each connection open; a relay then held one from every node
 * that ever asked it (design record 015).
 *
 * The close is announced first (a will release) to a peer that holds our
 * will, so that it does not take it for a death: no probe dial, no will
 * published. Others (a watcher pushed to, a presentity renewed with) hold no
 * will of ours and we none of theirs (or we would keep the connection): a
 * release would cost each hang-up a stream of its own, about as many as the
 * push it follows, for nothing.
 */
import { KEEP_ALIVE } from '@libp2p/interface'
import { RELAY_CLIENT_TAG } from '../utils/network-names.js'
import type { Wills } from './wills.js'
import type { Connection, Logger, PeerId, PeerStore } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface HangUpComponents {
  connectionManager: ConnectionManager
  peerStore: PeerStore
}

/**
 * Streams that do not hold a connection open: this exchange's own and
 * libp2p's housekeeping. Any other open stream (a message being sent, a DHT
 * query, a relay circuit) means the connection is in use.
 */
const BACKGROUND_PROTOCOLS = [
  '/ipfs/ping/',
  '/ipfs/id/',
  '/presence-mesh/presence/'
]

/**
 * Wait this long after the exchange before deciding: a subscription back to
 * us (contacts watch each other) and the next change of a burst ride on the
 * same connection.
 */
const HANG_UP_DELAY_MS = 2_000

/**
 * A connection a change was pushed on is kept this long after the last push,
 * at both ends: a burst of changes (a note being typed, a status flapping)
 * reuses it, and no ping round (every pingInterval) falls in so short a time
 */
export const PUSH_HANG_UP_DELAY_MS = 10_000

/**
 * A connection whose streams are busy is looked at again every
 * HANG_UP_DELAY_MS, this many times (a minute): a node's first minute is full
 * of DHT traffic through every connection, in short requests with gaps
 * between them; a connection busy at every look is one worth keeping.
 */
const HANG_UP_ATTEMPTS = 30

/**
 * An idle connection is closed after between one and 1 + 1/SWEEPS_PER_IDLE
 * times the idle timeout: it is looked at this often per timeout
 */
const SWEEPS_PER_IDLE = 4

/** Whether a stream other than background ones (ping, identify, this exchange's) is open on `connection` */
function inUse (connection: Connection): string | undefined {
  const busy = connection.streams.find(s => !BACKGROUND_PROTOCOLS.some(p => s.protocol?.startsWith(p) === true))
  return busy == null ? undefined : busy.protocol ?? 'a stream being opened'
}

/** Why a connection stays; `passing` if the reason may soon be gone */
export interface Keep {
  reason: string
  passing: boolean
}

export class HangUp {
  private readonly components: HangUpComponents
  private readonly wills: Wills
  /** Whether `peer` may hold a will of ours (we gave it one): only then is a close announced */
  private readonly holdsOurs: (peer: PeerId) => boolean
  private readonly log: Logger
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()
  /** Since when each connected peer's connections have had no stream in use, as the sweeps saw them */
  private readonly idleSince = new Map<string, number>()
  private sweeper?: ReturnType<typeof setInterval>

  constructor (components: HangUpComponents, wills: Wills, holdsOurs: (peer: PeerId) => boolean, log: Logger) {
    this.components = components
    this.wills = wills
    this.holdsOurs = holdsOurs
    this.log = log
  }

  stop (): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
    clearInterval(this.sweeper)
    this.sweeper = undefined
    this.idleSince.clear()
  }

  /**
   * Close, unless needed, every connection whose streams have all been
   * background ones for `idleMs`, seen by looks SWEEPS_PER_IDLE times per
   * `idleMs`. A stream opened and closed between two looks goes unseen: a
   * connection used only that way is closed and dialled again when next needed.
   */
  sweepIdle (idleMs: number): void {
    this.sweeper = setInterval(() => {
      this.sweep(idleMs).catch(err => this.log.error('could not look for idle connections - %e', err))
    }, Math.max(1, Math.floor(idleMs / SWEEPS_PER_IDLE)))
    this.sweeper.unref?.()
  }

  /** An exchange with `peer` is over: close the connection `delay` ms later if nothing needs it then */
  after (peer: PeerId, attempt = 0, delay = HANG_UP_DELAY_MS): void {
    const key = peer.toString()
    clearTimeout(this.timers.get(key))
    const timer = setTimeout(() => {
      this.timers.delete(key)
      this.hangUp(peer, attempt).catch(err => this.log('could not hang up on %p - %e', peer, err))
    }, delay)
    timer.unref?.()
    this.timers.set(key, timer)
  }

  /**
   * A change was pushed to us by `peer`: a hang-up we planned (after
   * subscribing or renewing) waits until the burst is over, as the pusher's
   * does. Closing mid-burst made the pusher dial again for its next change
   */
  pushedBy (peer: PeerId): void {
    if (this.timers.has(peer.toString())) this.after(peer, 0, PUSH_HANG_UP_DELAY_MS)
  }

  /** Why the connection to `peer` must stay, or undefined if nothing needs it */
  async needed (peer: PeerId): Promise<Keep | undefined> {
    const { connectionManager, peerStore } = this.components
    const connections = connectionManager.getConnections(peer)
    if (connections.length === 0) return { reason: 'not connected', passing: false }
    const tags: string[] = await peerStore.get(peer).then(p => [...p.tags.keys()], () => [])
    if (tags.some(tag => tag.startsWith(KEEP_ALIVE))) return { reason: 'kept alive', passing: false }
    // its will holder (a relay, for its clients): hanging up would release the will, and a crash
    // in the next RELEASE_WINDOW_MS would pass for a close on purpose — a relay that pushed a
    // neighbour's will to its client hung up on that client 10 s later, whose SIGKILL then went unseen
    if (this.wills.holds(peer)) return { reason: 'we hold its will', passing: false }
    // a relay's client with a reservation here: its circuits come through this connection
    if (tags.includes(RELAY_CLIENT_TAG)) return { reason: 'it holds a reservation with us', passing: false }
    const busy = connections.map(inUse).find(protocol => protocol != null)
    if (busy != null) return { reason: `in use by ${busy}`, passing: true }
    return undefined
  }

  private async hangUp (peer: PeerId, attempt: number): Promise<void> {
    const keep = await this.closeUnlessNeeded(peer)
    // a stream in use (a DHT query through this peer, most often) ends soon: look again later
    if (keep?.passing === true && attempt + 1 < HANG_UP_ATTEMPTS) this.after(peer, attempt + 1)
  }

  /** Close the connections to `peer` unless something needs one; what keeps them, if anything */
  private async closeUnlessNeeded (peer: PeerId): Promise<Keep | undefined> {
    const keep = await this.needed(peer)
    if (keep != null) {
      this.log.trace('keeping the connection to %p: %s', peer, keep.reason)
      return keep
    }
    if (this.holdsOurs(peer)) {
      await this.wills.release(peer).catch(err => this.log('could not tell %p we are hanging up - %e', peer, err))
      // something may have started on it meanwhile (a message to send): then it stays, and the
      // wills the release dropped come back with the next record either side publishes
      const still = await this.needed(peer)
      if (still != null) return still
    }
    await this.components.connectionManager.closeConnections(peer)
    this.log('hung up on %p', peer)
    return undefined
  }

  private async sweep (idleMs: number): Promise<void> {
    const now = Date.now()
    const peers = new Map<string, { peer: PeerId, busy: boolean }>()
    for (const connection of this.components.connectionManager.getConnections()) {
      const key = connection.remotePeer.toString()
      const busy = (peers.get(key)?.busy ?? false) || inUse(connection) != null
      peers.set(key, { peer: connection.remotePeer, busy })
    }
    for (const key of this.idleSince.keys()) if (!peers.has(key)) this.idleSince.delete(key)
    for (const [key, { peer, busy }] of peers) {
      const since = this.idleSince.get(key)
      if (busy || since == null) {
        this.idleSince.set(key, now)
        continue
      }
      // not yet idle long enough, or a hang-up is planned and decides first
      if (now - since < idleMs || this.timers.has(key)) continue
      // kept or not, looked at again only after another idleMs (a relay's clients are kept)
      this.idleSince.set(key, now)
      await this.closeUnlessNeeded(peer).catch(err => { this.log('could not hang up on idle %p - %e', peer, err) })
    }
  }
}
