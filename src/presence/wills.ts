/**
 * Wills, the holder's side: a presence node hands the holders it chose (its
 * relays, src/presence/will-holders.ts) a pre-signed "closed" record and the
 * list of its watchers. A holder that loses its connection to the node, and
 * cannot get it back within a grace period, pushes that record to each
 * watcher and puts it into the DHT — so watchers see a node killed without a
 * goodbye as closed within seconds (RFC 2779 §3.2.4–5), with no heartbeat
 * traffic while all is well.
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import * as Digest from 'multiformats/hashes/digest'
import { openPresence } from './record.js'
import { Will } from './pb/protocol.js'
import { MAX_WILL_WATCHERS, WILL_FRAME_LIMIT, WILL_PROTOCOL, WILL_STREAMS_PER_CONNECTION } from './protocol.js'
import { openStreamTo, timeoutSignal, withStream } from '../utils/streams.js'
import { WillBudget } from './will-budget.js'
import type { Connection, Logger, PeerId, Stream, TypedEventTarget, Libp2pEvents } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export interface WillsComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
}

export interface WillsInit {
  /** Wait this long for a lost connection to come back before publishing. Default: 2000 ms */
  grace: number
  /** Publish a dead peer's will: push it to its watchers, put it into the DHT */
  execute(bytes: Uint8Array, presentity: PeerId, watchers: PeerId[]): Promise<void>
}

interface Held {
  presentity: PeerId
  bytes: Uint8Array
  watchers: PeerId[]
}

/** Wills held at most, so strangers cannot make us store without limit */
const MAX_WILLS = 1_000
/**
 * Watchers named by all the wills held, at most (≈ 40 bytes each): past it
 * the oldest wills go. A relay's own clients with 100 watchers each fit
 * 1,000 times over; strangers with full lists cannot take more than ≈ 8 MB
 */
const MAX_HELD_WATCHERS = 200_000
const WILL_TIMEOUT_MS = 5_000
/**
 * Before publishing a will, the holder dials the presentity once, this long
 * at most: a dead node's port refuses at once (detection stays ≈ grace), a
 * sleeping or unreachable one costs this much more, and a live one answers —
 * the connection was lost on the holder's side (it slept, its network
 * blipped, it closed the connection), and no false "closed" goes out.
 */
const PROBE_TIMEOUT_MS = 2_000
/**
 * A presentity found alive by a probe is not probed again for this long: a
 * connection closed on purpose (pruned at the connection ceiling, on either
 * side) would otherwise be redialled by each probe and closed again.
 */
const PROBE_COOLDOWN_MS = 60_000
/**
 * A connection released (see `release`) closes within this long: its close
 * then says nothing about the peer's health.
 */
const RELEASE_WINDOW_MS = 10_000
const RELEASE_TIMEOUT_MS = 2_000

export class Wills {
  private readonly components: WillsComponents
  private readonly init: WillsInit
  private readonly log: Logger
  private readonly held = new Map<string, Held>()
  private heldWatchers = 0
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>()
  /** When a probe last found each presentity alive */
  private readonly probedAlive = new Map<string, number>()
  /** Peers whose connection is being closed on purpose, by either side, and since when */
  private readonly released = new Map<string, number>()
  /** What publishing the wills we hold may cost in dials (a will's list is the depositor's word) */
  private readonly budget = new WillBudget()

  constructor (components: WillsComponents, init: WillsInit, log: Logger) {
    this.components = components
    this.init = init
    this.log = log
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(WILL_PROTOCOL, async (stream, connection) => this.receive(stream, connection), {
      maxInboundStreams: WILL_STREAMS_PER_CONNECTION,
      runOnLimitedConnection: true
    })
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
  }

  async stop (): Promise<void> {
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    await this.components.registrar.unhandle(WILL_PROTOCOL)
    for (const timer of this.pending.values()) clearTimeout(timer)
    this.pending.clear()
    this.held.clear()
    this.heldWatchers = 0
    this.probedAlive.clear()
    this.released.clear()
  }

  /** How many neighbours' wills this node holds */
  get size (): number {
    return this.held.size
  }

  /** Whether we hold `peer`'s will: we watch over it, and only our connection to it shows its death */
  holds (peer: PeerId): boolean {
    return this.held.has(peer.toString())
  }

  /** Hand our will to one holder, with the whole list of our watchers */
  async deposit (peer: PeerId, will: Uint8Array, watchers: PeerId[], signal?: AbortSignal): Promise<void> {
    const options = { signal: timeoutSignal(WILL_TIMEOUT_MS, signal) }
    const stream = await openStreamTo(this.components.connectionManager, peer, WILL_PROTOCOL, options)
    const list = watchers.slice(0, MAX_WILL_WATCHERS).map(w => w.toMultihash().bytes)
    await withStream(stream, options.signal, async () => {
      await pbStream(stream, { maxDataLength: WILL_FRAME_LIMIT }).write({ record: new Uint8Array(will), watchers: list, sameWatchers: false }, Will, options)
    })
  }

  /**
   * We are about to close our connection to `peer` on purpose: tell it so
   * (best effort), so that neither side takes the close for a death — no
   * probe, no will published. Each forgets the other's will: a neighbour
   * holds wills only while connected.
   */
  async release (peer: PeerId, signal?: AbortSignal): Promise<void> {
    this.forget(peer)
    const options = { signal: timeoutSignal(RELEASE_TIMEOUT_MS, signal) }
    const stream = await openStreamTo(this.components.connectionManager, peer, WILL_PROTOCOL, options)
    await withStream(stream, options.signal, async () => {
      await pbStream(stream).write({ record: new Uint8Array(), release: true }, Will, options)
    })
  }

  private forget (peer: PeerId): void {
    const key = peer.toString()
    this.drop(key)
    clearTimeout(this.pending.get(key))
    this.pending.delete(key)
    const now = Date.now()
    for (const [other, since] of this.released) if (now - since > RELEASE_WINDOW_MS) this.released.delete(other)
    this.released.set(key, now)
  }

  private async receive (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(WILL_TIMEOUT_MS)
    await withStream(stream, signal, async () => {
      const { record: bytes, release, watchers, sameWatchers } = await pbStream(stream, { maxDataLength: WILL_FRAME_LIMIT, maxBufferSize: WILL_FRAME_LIMIT + 8 })
        .read(Will, { signal, limits: { watchers: MAX_WILL_WATCHERS } })
      if (release === true) {
        this.forget(connection.remotePeer)
        return
      }
      const { record } = await openPresence(bytes)
      // only the presentity itself may leave its will, and a will is a goodbye
      if (!record.presentity.equals(connection.remotePeer) || record.basic !== 'closed') {
        throw new Error('Will is not a closed record of the peer that sent it')
      }
      const key = record.presentity.toString()
      // the list it gave before still stands (none if we never had one: it learns that when we reconnect)
      const list = sameWatchers === true ? this.held.get(key)?.watchers ?? [] : watchers.map(bytes => peerIdFromMultihash(Digest.decode(bytes)))
      this.drop(key)
      this.held.set(key, { presentity: record.presentity, bytes, watchers: list })
      this.heldWatchers += list.length
      while (this.held.size > MAX_WILLS || this.heldWatchers > MAX_HELD_WATCHERS) this.drop(this.held.keys().next().value as string)
    })
  }

  private drop (key: string): void {
    this.heldWatchers -= this.held.get(key)?.watchers.length ?? 0
    this.held.delete(key)
  }

  private readonly onDisconnect = (event: CustomEvent<PeerId>): void => {
    const key = event.detail.toString()
    // closed on purpose: a will that arrived while the connection was closing is dropped too
    if (Date.now() - (this.released.get(key) ?? -Infinity) < RELEASE_WINDOW_MS) {
      this.drop(key)
      return
    }
    const will = this.held.get(key)
    if (will == null || this.pending.has(key)) return
    this.pending.set(key, setTimeout(() => {
      this.pending.delete(key)
      this.maybeExecute(key, will).catch(err => this.log.error('publishing the will of %p failed - %e', will.presentity, err))
    }, this.init.grace))
  }

  private async maybeExecute (key: string, will: Held): Promise<void> {
    const { connectionManager } = this.components
    // it came back (it redialled us, or we it): it is alive
    if (connectionManager.getConnections(will.presentity).length > 0) return
    // we have no connection at all: we are the one who was cut off (asleep, offline),
    // we cannot tell who is alive, and nobody would hear the will anyway
    if (connectionManager.getConnections().length === 0) return
    if (Date.now() - (this.probedAlive.get(key) ?? -Infinity) < PROBE_COOLDOWN_MS) {
      // alive a moment ago and the connection closed again: closed on purpose, we stop watching over it
      this.drop(key)
      return
    }
    const alive = await connectionManager.openConnection(will.presentity, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(() => true, () => false)
    if (alive) {
      this.probedAlive.delete(key)
      this.probedAlive.set(key, Date.now())
      if (this.probedAlive.size > MAX_WILLS) this.probedAlive.delete(this.probedAlive.keys().next().value as string)
      return
    }
    if (this.held.get(key) !== will) return
    this.drop(key)
    const { push, skipped } = this.budget.targets(will.watchers, peer => connectionManager.getConnections(peer).length > 0)
    this.log('%p left without a goodbye, pushing its will to %d watchers (%d left to find it in the DHT)', will.presentity, push.length, skipped)
    await this.init.execute(will.bytes, will.presentity, push)
  }
}
