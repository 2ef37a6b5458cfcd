/**
 * Direct push of presence records, as an XMPP server sends a presentity's
 * change once to each subscriber (RFC 6121 §4.2.2) and a Waku filter node
 * pushes to each light client that asked: the presentity opens a stream to
 * each registered watcher — on the connection it has, else it dials, through
 * the watcher's relay circuit when the watcher is firewalled — writes the
 * signed envelope the DHT holds, and closes. A node receives the records of
 * the presentities it watches and nothing else: cost follows contacts, not
 * the size of the network.
 *
 * The receiving side runs the verdicts of push-verdicts.ts, and a record of a
 * presentity it does not watch is dropped before its signature is checked.
 * A peer whose pushes keep failing validation is cut off.
 */
import { pbStream } from '@libp2p/utils'
import { Push } from './pb/protocol.js'
import { PUSH_FRAME_LIMIT, PUSH_PROTOCOL, PUSH_STREAMS_PER_CONNECTION } from './protocol.js'
import { isCircuit } from '../utils/network-names.js'
import { clearableTimeout, openConnectionTo, timeoutSignal, withStream } from '../utils/streams.js'
import type { Judgement } from './push-verdicts.js'
import type { PresenceRecord } from './record.js'
import type { Connection, Logger, PeerId, PeerStore, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export interface PushesComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  peerStore: PeerStore
}

export interface PushesInit {
  /** The verdict on pushed bytes (push-verdicts.ts), with whether we watch the presentity */
  judge(bytes: Uint8Array): Promise<Judgement>
  /** An accepted record, and who pushed it */
  accepted(record: PresenceRecord, bytes: Uint8Array, from: PeerId): void
  /** A push rejected before it could be judged (a frame over the limit, not a `Push`): counted with the verdicts */
  malformed(reason: string): void
}

/** One push, dial included: a watcher that takes longer is counted unreachable */
const PUSH_TIMEOUT_MS = 5_000
/** Pushes that need a dial in flight at once: dials to some thousands of watchers must not all start together */
const PUSH_CONCURRENCY = 64
/**
 * Pushes on connections we have, in flight at once: a stream each, no dial.
 * A second wave behind the first 64 cost the last watchers of a hundred a
 * whole round of stream opens and closes (the bench's 100-watcher p50)
 */
const CONNECTED_CONCURRENCY = 256
/**
 * Circuits dialled at once to push to watchers reachable only through a
 * relay. A relay takes a bounded number of circuits from one peer (16 hop
 * streams, src/node/stream-limits.ts), and each is held until the circuit
 * closes: half of that leaves room for our other circuits through it
 */
const RELAYED_DIALS = 8
/** How long a push waits for one of those at most */
const CIRCUIT_WAIT_MS = 30_000
const UNREACHABLE_MS = 30_000
const MAX_UNREACHABLE_MS = 30 * 60_000
/** Reading one pushed record */
const RECEIVE_TIMEOUT_MS = 5_000
/** Rejected pushes from one peer before it is cut off, and for how long */
const MAX_REJECTS = 8
const BAN_MS = 10 * 60_000
/** Peers remembered (reject counts, bans): strangers with fresh ids cannot grow the maps without bound */
const MAX_TRACKED = 1_024
/** What reading a push throws for bytes no honest sender writes (as opposed to a timeout or a reset) */
const MALFORMED = new Set(['InvalidDataLengthError', 'InvalidDataLengthLengthError', 'InvalidMessageLengthError', 'RangeError', 'Error'])

export class PushRejectedError extends Error {
  static readonly name = 'PushRejectedError'
  readonly name = 'PushRejectedError'
}

export class Pushes {
  private readonly components: PushesComponents
  private readonly init: PushesInit
  private readonly log: Logger
  private readonly rejects = new Map<string, number>()
  private readonly banned = new Map<string, number>()
  /**
   * Watchers a push could not reach, and until when they are skipped: until
   * they contact us again (a renewal, a new subscribe, a connection, which
   * also brings them our current record), or for UNREACHABLE_MS doubling up
   * to MAX_UNREACHABLE_MS — a watcher that is away costs no dial per change,
   * and one that failed once by chance (a timeout under load) is tried again
   */
  private readonly unreachable = new Map<string, { until: number, skip: number }>()
  private relayedDials = 0
  private readonly waitingForCircuit: Array<() => void> = []

  constructor (components: PushesComponents, init: PushesInit, log: Logger) {
    this.components = components
    this.init = init
    this.log = log
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(PUSH_PROTOCOL, async (stream, connection) => this.receive(stream, connection), {
      maxInboundStreams: PUSH_STREAMS_PER_CONNECTION,
      // a firewalled watcher is reached through its relay's circuit
      runOnLimitedConnection: true
    })
  }

  async stop (): Promise<void> {
    await this.components.registrar.unhandle(PUSH_PROTOCOL)
    this.rejects.clear()
    this.banned.clear()
    this.unreachable.clear()
  }

  /**
   * Push our record to our watchers, skipping those marked unreachable and
   * marking those that fail twice. `connectedDone` is called once the pushes on
   * connections we have are done, while dials may go on
   */
  async fanOut (watchers: PeerId[], bytes: Uint8Array, signal?: AbortSignal, connectedDone?: () => void): Promise<void> {
    let failed = await this.send(watchers.filter(peer => !this.isUnreachable(peer)), bytes, signal, connectedDone)
    // One more try for those that failed, before any is taken for away: a push times out on our
    // clock, and when our event loop is starved (a loaded machine) the pushes then in flight time
    // out together, watchers that are there marked unreachable and skipped for the changes after
    // (at load 10, pushes through new circuits timed out after their dial alone took 2.7 s)
    if (failed.length > 0 && signal?.aborted !== true) failed = await this.send(failed, bytes, signal)
    const now = Date.now()
    for (const peer of failed) {
      const skip = Math.min(2 * (this.unreachable.get(peer.toString())?.skip ?? UNREACHABLE_MS / 2), MAX_UNREACHABLE_MS)
      this.unreachable.set(peer.toString(), { until: now + skip, skip })
    }
    if (failed.length > 0) this.log('%d watchers unreachable, skipped until they contact us or for a while', failed.length)
  }

  /** A watcher contacted us: push to it again */
  reachable (peer: PeerId): void {
    this.unreachable.delete(peer.toString())
  }

  isUnreachable (peer: PeerId): boolean {
    return (this.unreachable.get(peer.toString())?.until ?? 0) > Date.now()
  }

  /**
   * Push `bytes` to every peer, each bounded by PUSH_TIMEOUT_MS and
   * `signal`: those we are connected to all at once (up to
   * CONNECTED_CONCURRENCY, a stream each), the others PUSH_CONCURRENCY dials
   * at a time beside them (`connectedDone`: the former are done). Resolves
   * with the peers it could not reach; never rejects.
   */
  async send (peers: PeerId[], bytes: Uint8Array, signal?: AbortSignal, connectedDone?: () => void): Promise<PeerId[]> {
    const connected: PeerId[] = []
    const others: PeerId[] = []
    for (const peer of peers) (openConnectionTo(this.components.connectionManager, peer) != null ? connected : others).push(peer)
    const failed: PeerId[] = []
    const pool = async (queue: PeerId[], concurrency: number): Promise<void> => {
      const worker = async (): Promise<void> => {
        for (let peer = queue.shift(); peer != null; peer = queue.shift()) {
          if (signal?.aborted === true) {
            failed.push(peer)
            continue
          }
          await this.pushTo(peer, bytes, signal).catch(err => {
            this.log('could not push to %p - %e', peer, err)
            failed.push(peer)
          })
        }
      }
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker))
    }
    await Promise.all([pool(connected, CONNECTED_CONCURRENCY).then(connectedDone), pool(others, PUSH_CONCURRENCY)])
    return failed
  }

  /**
   * One push, tried twice. A connection that died unnoticed (we slept, its
   * network went) fails the stream: it is closed and the watcher dialled
   * afresh. A relayed connection may be replaced by a direct one (DCUtR)
   * while the stream opens on it: the second try takes the new one.
   */
  private async pushTo (peer: PeerId, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    // a relayed push waits for a circuit first; its own time starts once it has one
    const relayed = openConnectionTo(this.components.connectionManager, peer) == null && await this.onlyRelayed(peer)
    if (relayed) await this.circuitSlot(timeoutSignal(CIRCUIT_WAIT_MS, signal))
    // plain signals with timers cleared when done: an AbortSignal.timeout and a composite signal
    // per push showed in the fan-out's profile, for timeouts that almost never fire
    const deadline = clearableTimeout(PUSH_TIMEOUT_MS, signal)
    const before = this.components.connectionManager.getConnections(peer)
    const first = before.length > 0 ? clearableTimeout(PUSH_TIMEOUT_MS / 2, deadline.signal) : deadline
    try {
      try {
        await this.write(peer, bytes, first.signal)
      } catch (err) {
        if (deadline.signal.aborted) throw err
        await Promise.all(before.map(async c => c.close().catch(() => { c.abort(new Error('push failed on this connection')) })))
        await this.write(peer, bytes, deadline.signal)
      }
    } finally {
      first.clear()
      deadline.clear()
      if (relayed) this.releaseCircuitSlot()
    }
  }

  /**
   * One push on a connection we have (a relayed one too), else on one
   * dialled for it. A circuit dialled for a push is closed as soon as the
   * push is done or failed: a relay holds a hop stream for each circuit while it lasts,
   * and a fan-out to many watchers behind one relay needs them in turn.
   */
  private async write (peer: PeerId, bytes: Uint8Array, signal: AbortSignal): Promise<void> {
    const existing = openConnectionTo(this.components.connectionManager, peer)
    const connection = existing ?? await this.components.connectionManager.openConnection(peer, { signal })
    try {
      await this.writeOn(connection, bytes, signal)
    } finally {
      // a failed push gives its circuit back too: left to the hang-up (10 s), each held one of the
      // relay's hop streams for us, and the next pushes through that relay found them all taken
      if (existing == null && connection.limits != null) await connection.close({ signal }).catch(err => { connection.abort(err) })
    }
  }

  private async writeOn (connection: Connection, bytes: Uint8Array, signal: AbortSignal): Promise<void> {
    const stream = await connection.newStream(PUSH_PROTOCOL, { signal, runOnLimitedConnection: true })
    await withStream(stream, signal, async () => {
      await pbStream(stream).write({ record: new Uint8Array(bytes) }, Push, { signal })
    })
  }

  /** Whether every address we know for `peer` is a relay circuit: a dial to it takes a circuit */
  private async onlyRelayed (peer: PeerId): Promise<boolean> {
    const addresses = await this.components.peerStore.get(peer).then(p => p.addresses, () => [])
    return addresses.length > 0 && addresses.every(a => isCircuit(a.multiaddr))
  }

  private async circuitSlot (signal: AbortSignal): Promise<void> {
    while (this.relayedDials >= RELAYED_DIALS) {
      signal.throwIfAborted()
      await new Promise<void>(resolve => {
        const wake = (): void => {
          signal.removeEventListener('abort', wake)
          this.waitingForCircuit.splice(this.waitingForCircuit.indexOf(wake), 1)
          resolve()
        }
        this.waitingForCircuit.push(wake)
        signal.addEventListener('abort', wake, { once: true })
      })
    }
    this.relayedDials++
  }

  private releaseCircuitSlot (): void {
    this.relayedDials--
    this.waitingForCircuit[0]?.()
  }

  private async receive (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer
    const key = from.toString()
    if ((this.banned.get(key) ?? 0) > Date.now()) {
      stream.abort(new PushRejectedError('pushes from this peer are refused for a while'))
      return
    }
    // a plain timer, cleared once the record is in: as the sender's (pushTo), one per watcher per change
    const { signal, clear } = clearableTimeout(RECEIVE_TIMEOUT_MS)
    await withStream(stream, signal, async () => {
      const { record: bytes } = await pbStream(stream, { maxDataLength: PUSH_FRAME_LIMIT, maxBufferSize: PUSH_FRAME_LIMIT + 8 }).read(Push, { signal })
        .catch(err => {
          if (!signal.aborted && MALFORMED.has(err?.name)) {
            this.init.malformed(err.name)
            this.punish(from, connection, err.name)
          }
          throw err
        })
      const judgement = await this.init.judge(bytes)
      if (judgement.verdict === 'reject') {
        this.punish(from, connection, judgement.reason)
        throw new PushRejectedError(`rejected a pushed record: ${judgement.reason}`)
      }
      if (judgement.verdict === 'ignore') {
        this.log.trace('ignored a record pushed by %p: %s', from, judgement.reason)
        return
      }
      if (judgement.record != null) this.init.accepted(judgement.record, bytes, from)
    }).finally(clear)
  }

  /** Count a rejected push; past MAX_REJECTS, refuse the peer's pushes for a while and hang up */
  private punish (from: PeerId, connection: Connection, reason: string): void {
    const key = from.toString()
    const count = (this.rejects.get(key) ?? 0) + 1
    this.rejects.delete(key)
    this.rejects.set(key, count)
    if (this.rejects.size > MAX_TRACKED) this.rejects.delete(this.rejects.keys().next().value as string)
    this.log('%p pushed a record we reject (%s), %d so far', from, reason, count)
    if (count < MAX_REJECTS) return
    this.rejects.delete(key)
    this.banned.set(key, Date.now() + BAN_MS)
    if (this.banned.size > MAX_TRACKED) this.banned.delete(this.banned.keys().next().value as string)
    this.log('cutting %p off: %d rejected pushes', from, count)
    connection.close().catch(err => { connection.abort(err) })
  }
}
