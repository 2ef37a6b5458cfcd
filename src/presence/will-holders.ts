/**
 * Who holds our will, and what we do when one of them publishes it while we
 * live.
 *
 * A will is a pre-signed "closed": whoever holds it can make us look gone.
 * So it goes only to holders we chose — our bootstrap peers and the relays we
 * hold reservations on, the always-on nodes that stay connected to us and see
 * us die — never to a peer that merely connected. A node with neither (a mesh
 * of plain nodes joined by hand, the tests) leaves it with the DHT servers it
 * dialled itself.
 *
 * Each holder gets its own will (its own sequence number between two of our
 * records), so a will seen published names its holder. Seen while we live, we
 * outbid it once with a newer "open" (rate-bounded), and a holder that
 * published it while still connected to us gets no will again for an hour.
 *
 * With the will goes the list of our watchers, whom the holder pushes it to.
 * The list travels only when it changed since that holder's last will, and
 * at most once per WATCHERS_UPDATE_MS: a watcher that subscribed just before
 * we die may miss our will, and finds us closed in the DHT when it looks.
 */
import { BOOTSTRAP_TAG, DHT_PROTOCOL, RELAY_RESERVATION_TAG } from '../utils/network-names.js'
import { GOODBYE_SLOT, MAX_WILL_HOLDERS } from './constants.js'
import { validatePresenceRecord } from './dht-record.js'
import { presenceKey, WILL_PROTOCOL } from './protocol.js'
import { readVerified } from './push-verdicts.js'
import type { PresenceRecord } from './record.js'
import type { Libp2pEvents, Logger, PeerId, PeerStore, PeerUpdate, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { KadDHT } from '@libp2p/kad-dht'

export interface WillHoldersComponents {
  peerId: PeerId
  connectionManager: ConnectionManager
  peerStore: PeerStore
  dht: KadDHT
  events: TypedEventTarget<Libp2pEvents>
}

export interface WillHoldersInit {
  /** Also leave our will with DHT servers we dialled (for a node with no bootstrap peer or relay) */
  dialled: boolean
  /** Look for a will of ours in the DHT this often (ms); 0: never */
  checkInterval: number
  /** Our current record */
  current(): PresenceRecord | undefined
  /** The will of the current record in a slot */
  will(slot: number): Promise<{ seq: bigint, bytes: Uint8Array } | undefined>
  /** Our registered watchers, the ones a holder pushes our will to */
  watchers(): PeerId[]
  /** Hand a will to a holder, with our watchers (undefined: the list it holds still stands) */
  deposit(peer: PeerId, will: Uint8Array, watchers: PeerId[]): Promise<void>
  /** Publish our state again, above `floor` */
  outbid(floor: bigint): Promise<void>
}

/** What the peer store says of a peer that decides whether it may hold our will */
interface Standing { speaksWill: boolean, speaksDht: boolean, tagged: boolean }

/** Wills given out that we remember (sequence number → holder): a few records' worth */
const MAX_ISSUED = 256
/**
 * Before judging a holder whose copy was published, let our side of a
 * connection that died close: an honest holder publishes only once it lost
 * its connection to us, which we may see a moment later (we were asleep).
 */
const JUDGE_AFTER_MS = 2_000
/** A holder that published our will while we lived gets none for this long */
const DISTRUST_MS = 60 * 60_000
/** A holder whose connection had dropped is forgiven one publication in this long */
const FORGIVE_MS = 60 * 60_000
/** Republishing to outbid wills: a burst of this many, then one per OUTBID_REFILL_MS */
const OUTBID_BURST = 3
const OUTBID_REFILL_MS = 20_000
/** A DHT check asks this long at most, and stops after this many values */
const CHECK_TIMEOUT_MS = 10_000
const CHECK_VALUES = 3
/** A changed watcher list goes to the holders at most this often */
const WATCHERS_UPDATE_MS = 2_000

export class WillHolders {
  private readonly components: WillHoldersComponents
  private readonly init: WillHoldersInit
  private readonly log: Logger
  private readonly slots = new Map<string, number>()
  private readonly issued = new Map<bigint, { holder: PeerId, connections: string[] }>()
  /** Holders that published our will while we lived, and until when they get none */
  private readonly distrusted = new Map<string, number>()
  private readonly forgiven = new Map<string, number>()
  /** Holders whose copy was just published: no will until judged */
  private readonly suspended = new Set<string>()
  private handledUpTo = -1n
  private tokens = OUTBID_BURST
  private refilledAt = Date.now()
  private floor?: bigint
  private outbidTimer?: ReturnType<typeof setTimeout>
  private checkTimer?: ReturnType<typeof setTimeout>
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  /** The deposit under way to each holder, that the next one waits for */
  private readonly queued = new Map<string, Promise<void>>()
  private listUpdatedAt = 0
  private listTimer?: ReturnType<typeof setTimeout>
  private running = false
  /** The peer store's answer per connected peer until it changes: each change of ours asks about every one (a lock, a get, a decode each) */
  private readonly standings = new Map<string, Standing>()

  constructor (components: WillHoldersComponents, init: WillHoldersInit, log: Logger) {
    this.components = components
    this.init = init
    this.log = log
  }

  start (): void {
    this.running = true
    this.components.events.addEventListener('peer:update', this.forget)
    this.components.events.addEventListener('peer:disconnect', this.forget)
    this.scheduleCheck()
  }

  private readonly forget = (event: CustomEvent<PeerUpdate | PeerId>): void => {
    this.standings.delete(('peer' in event.detail ? event.detail.peer.id : event.detail).toString())
  }

  stop (): void {
    this.running = false
    this.components.events.removeEventListener('peer:update', this.forget)
    this.components.events.removeEventListener('peer:disconnect', this.forget)
    this.standings.clear()
    clearTimeout(this.outbidTimer)
    clearTimeout(this.checkTimer)
    clearTimeout(this.listTimer)
    this.listTimer = undefined
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    this.suspended.clear()
  }

  /** Whether we gave `peer` a will of ours (it kept a slot): it may hold one, and a close must be announced to it */
  gaveWillTo (peer: PeerId): boolean {
    return this.slots.has(peer.toString())
  }

  /** Hand the current record's wills to every connected holder, in the background */
  depositAll (): void {
    const peers = new Map(this.components.connectionManager.getConnections().map(c => [c.remotePeer.toString(), c.remotePeer]))
    for (const peer of peers.values()) this.depositTo(peer).catch(err => this.log('could not leave our will with %p - %e', peer, err))
  }

  /**
   * Our watchers changed: the holders get the new list with the current
   * will, now if the last update is WATCHERS_UPDATE_MS old, else then
   */
  watchersChanged (): void {
    if (this.listTimer != null || !this.running) return
    this.listTimer = setTimeout(() => {
      this.listTimer = undefined
      this.listUpdatedAt = Date.now()
      if (this.running) this.depositAll()
    }, Math.max(0, this.listUpdatedAt + WATCHERS_UPDATE_MS - Date.now()))
    this.listTimer.unref?.()
  }

  /** A peer was identified: a holder that just (re)connected gets the current will and the list */
  onIdentify (peer: PeerId, protocols: string[]): void {
    this.depositTo(peer, protocols).catch(err => this.log('could not leave our will with %p - %e', peer, err))
  }

  /** Whether we leave our will with `peer` (`protocols`: just identified, newer than the peer store's) */
  async chosen (peer: PeerId, protocols?: string[]): Promise<boolean> {
    const key = peer.toString()
    if (this.suspended.has(key) || this.isDistrusted(key)) return false
    let standing = protocols == null ? this.standings.get(key) : undefined
    if (standing == null) {
      const data = await this.components.peerStore.get(peer).catch(() => undefined)
      const speaks = protocols ?? data?.protocols ?? []
      const tags = data?.tags
      standing = { speaksWill: speaks.includes(WILL_PROTOCOL), speaksDht: speaks.includes(DHT_PROTOCOL), tagged: tags?.has(BOOTSTRAP_TAG) === true || tags?.has(RELAY_RESERVATION_TAG) === true }
      // kept while connected only (peer:disconnect forgets it): one entry per peer connected at most
      if (this.components.connectionManager.getConnections(peer).length > 0) this.standings.set(key, standing)
    }
    if (!standing.speaksWill) return false
    if (standing.tagged) return true
    return this.init.dialled && standing.speaksDht &&
      this.components.connectionManager.getConnections(peer).some(c => c.direction === 'outbound')
  }

  /**
   * A record of ours newer than our current one came in (a watcher echoed it, the DHT):
   * a holder published our will. While we live, outbid it — once per will,
   * at a bounded rate — and judge its holder.
   */
  seen (record: PresenceRecord): void {
    const current = this.init.current()
    if (!this.running || current?.basic !== 'open' || record.seq <= current.seq || record.seq <= this.handledUpTo) return
    this.handledUpTo = record.seq
    const issued = this.issued.get(record.seq)
    this.log('our will %d was published while we live (holder %p), outbidding it', record.seq, issued?.holder)
    if (issued != null) {
      this.suspended.add(issued.holder.toString())
      this.later(() => { this.judge(issued.holder, issued.connections) }, JUDGE_AFTER_MS)
    }
    this.floor = this.floor == null || record.seq > this.floor ? record.seq : this.floor
    this.outbid()
  }

  /** Look for a will of ours in the DHT: one a holder put only there, where no watcher sees it */
  async checkDht (): Promise<void> {
    const current = this.init.current()
    if (!this.running || current?.basic !== 'open' || !this.gaveWillsFor(current.seq)) return
    const key = presenceKey(this.components.peerId)
    const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS)
    let values = 0
    for await (const event of this.components.dht.get(key, { signal })) {
      if (event.name !== 'VALUE') continue
      const valid = await validatePresenceRecord(key, event.value).then(() => true, () => false)
      const record = valid ? readVerified(event.value) : undefined
      if (record != null) this.seen(record)
      if (++values >= CHECK_VALUES) break
    }
  }

  /**
   * Deposits to one holder go one after another, each with the state of its
   * moment: two in flight at once could arrive in the wrong order, leaving
   * the holder an older will or an older watcher list
   */
  private async depositTo (peer: PeerId, protocols?: string[]): Promise<void> {
    const key = peer.toString()
    const previous = this.queued.get(key) ?? Promise.resolve()
    const next = previous.then(async () => this.depositNow(peer, protocols))
    // the caller awaits `next` and sees its failure; the queue only waits for it to settle
    const settled = next.catch(() => {}).finally(() => {
      if (this.queued.get(key) === settled) this.queued.delete(key)
    })
    this.queued.set(key, settled)
    await next
  }

  private async depositNow (peer: PeerId, protocols?: string[]): Promise<void> {
    if (!this.running || !(await this.chosen(peer, protocols))) return
    const slot = this.slotOf(peer)
    const will = slot == null ? undefined : await this.init.will(slot)
    if (will == null) return
    const connections = this.components.connectionManager.getConnections(peer).map(c => c.id)
    this.issued.delete(will.seq)
    this.issued.set(will.seq, { holder: peer, connections })
    if (this.issued.size > MAX_ISSUED) this.issued.delete(this.issued.keys().next().value as bigint)
    // the whole list every time: a holder drops our will and list in more ways than we see (a
    // release either way, a connection it judged closed on purpose), and a "same list" it no
    // longer has would leave it a will for nobody
    await this.init.deposit(peer, will.bytes, this.init.watchers())
  }

  /** A holder's slot: kept while it holds one, else the lowest free, else one of a holder gone */
  private slotOf (peer: PeerId): number | undefined {
    const key = peer.toString()
    const held = this.slots.get(key)
    if (held != null) return held
    const used = new Set(this.slots.values())
    let slot: number | undefined
    for (let s = 1; s <= MAX_WILL_HOLDERS && slot == null; s++) if (!used.has(s)) slot = s
    if (slot == null) {
      const gone = [...this.slots].find(([other]) => this.components.connectionManager.getConnections().every(c => c.remotePeer.toString() !== other))
      if (gone == null) return undefined
      this.slots.delete(gone[0])
      slot = gone[1]
    }
    this.slots.set(key, slot)
    return slot
  }

  /**
   * An honest holder publishes only after losing its connection to us. One
   * whose connection from the deposit is still up did not lose it; one whose
   * connection dropped is forgiven once an hour (our network blipped).
   */
  private judge (holder: PeerId, connections: string[]): void {
    const key = holder.toString()
    this.suspended.delete(key)
    const stayed = this.components.connectionManager.getConnections(holder).some(c => connections.includes(c.id))
    const now = Date.now()
    if (!stayed && now - (this.forgiven.get(key) ?? -Infinity) >= FORGIVE_MS) {
      this.forgiven.set(key, now)
      // back already: it gets the current will
      if (this.components.connectionManager.getConnections(holder).length > 0) this.depositTo(holder).catch(err => this.log('could not leave our will with %p - %e', holder, err))
      return
    }
    this.log('%p published our will while we lived: no more wills for it', holder)
    this.distrusted.set(key, now + DISTRUST_MS)
    this.slots.delete(key)
    if (this.distrusted.size > MAX_ISSUED) this.distrusted.delete(this.distrusted.keys().next().value as string)
  }

  private isDistrusted (key: string): boolean {
    const until = this.distrusted.get(key)
    if (until == null) return false
    if (until > Date.now()) return true
    this.distrusted.delete(key)
    return false
  }

  /** Republish above the newest will seen, now if a token is left, else when one comes */
  private outbid (): void {
    const now = Date.now()
    const refills = Math.floor((now - this.refilledAt) / OUTBID_REFILL_MS)
    if (refills > 0) {
      this.tokens = Math.min(OUTBID_BURST, this.tokens + refills)
      this.refilledAt += refills * OUTBID_REFILL_MS
    }
    if (this.outbidTimer != null) return
    if (this.tokens < 1) {
      this.outbidTimer = setTimeout(() => {
        this.outbidTimer = undefined
        if (this.running) this.outbid()
      }, this.refilledAt + OUTBID_REFILL_MS - now)
      return
    }
    const floor = this.floor
    this.floor = undefined
    // a change of ours since may already be above it
    if (floor == null || floor <= (this.init.current()?.seq ?? -1n)) return
    this.tokens--
    this.init.outbid(floor).catch(err => this.log.error('outbidding our will failed - %e', err))
  }

  private gaveWillsFor (seq: bigint): boolean {
    for (const willSeq of this.issued.keys()) if (willSeq > seq && willSeq < seq + BigInt(GOODBYE_SLOT)) return true
    return false
  }

  private scheduleCheck (): void {
    if (this.init.checkInterval <= 0 || !this.running) return
    // spread over ±20 %: nodes started together do not all ask at once
    this.checkTimer = setTimeout(() => {
      this.checkDht()
        .catch(err => this.log('looking for our will in the DHT failed - %e', err))
        .finally(() => { this.scheduleCheck() })
    }, this.init.checkInterval * (0.8 + Math.random() * 0.4))
    this.checkTimer.unref?.()
  }

  private later (fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      if (this.running) fn()
    }, ms)
    this.timers.add(timer)
  }
}
