/**
 * Keeps a node connected to its bootstrap peers (its relays, its community's
 * seed) for as long as it runs. libp2p alone does not: @libp2p/bootstrap
 * dials each once at start, and the reconnect queue dials a keep-alive peer
 * again only after a disconnect, five times over about 30 s, then removes
 * the peer's keep-alive tag. A node started while its relay was down, or
 * whose network was gone for a minute, stayed alone until restarted.
 *
 * Each bootstrap peer that is not connected is dialled again, backing off
 * from 1 s to a dial a minute, and gets its keep-alive tag back once it
 * answers, so that libp2p's reconnect queue takes the next disconnect first.
 */
import { BOOTSTRAP_TAG } from './constants.js'
import { addressPeerId } from '../utils/formats.js'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { ComponentLogger, Libp2pEvents, Logger, PeerId, PeerStore, Startable, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** The first look, after @libp2p/bootstrap's own dial at start */
const FIRST_LOOK_MS = 2_000
const MIN_RETRY_MS = 1_000
/** A bootstrap peer that stays away costs one dial a minute */
const MAX_RETRY_MS = 60_000
/** One dial, as long as libp2p's own default dial timeout */
const DIAL_TIMEOUT_MS = 5_000
/** The tag's value, as @libp2p/bootstrap gives it */
const TAG_VALUE = 50

export interface BootstrapKeeperComponents {
  peerId: PeerId
  connectionManager: ConnectionManager
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

interface Kept {
  peer: PeerId
  /** The next wait if this dial fails */
  backoff: number
  timer?: ReturnType<typeof setTimeout>
  dialling: boolean
}

export class BootstrapKeeper implements Startable {
  readonly [Symbol.toStringTag] = '@presence-mesh/bootstrap-keeper'
  private readonly components: BootstrapKeeperComponents
  private readonly log: Logger
  private readonly kept: Kept[]
  private readonly stopping = new AbortController()
  private running = false

  constructor (components: BootstrapKeeperComponents, addresses: string[]) {
    this.components = components
    this.log = components.logger.forComponent('presence-mesh:node:bootstrap-keeper')
    // a relay whose list names itself (a community's shared config) has nobody to dial there
    const ids = new Set(addresses.map(address => addressPeerId(multiaddr(address))).filter((id): id is string => id != null && id !== components.peerId.toString()))
    this.kept = [...ids].map(id => ({ peer: peerIdFromString(id), backoff: MIN_RETRY_MS, dialling: false }))
  }

  start (): void {
    this.running = true
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
  }

  afterStart (): void {
    for (const kept of this.kept) this.lookAfter(kept, FIRST_LOOK_MS)
  }

  stop (): void {
    this.running = false
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    this.stopping.abort()
    for (const kept of this.kept) clearTimeout(kept.timer)
  }

  private readonly onDisconnect = (event: CustomEvent<PeerId>): void => {
    const kept = this.kept.find(k => k.peer.equals(event.detail))
    // libp2p's reconnect queue dials a tagged peer at once; we look after its tries begin
    if (kept != null) this.lookAfter(kept, MIN_RETRY_MS)
  }

  private lookAfter (kept: Kept, delay: number): void {
    if (!this.running || kept.dialling) return
    clearTimeout(kept.timer)
    // ±20 %: the clients of a relay that restarts do not all dial it at the same instant
    kept.timer = setTimeout(() => { void this.check(kept) }, delay * (0.8 + Math.random() * 0.4))
    kept.timer.unref?.()
  }

  private async check (kept: Kept): Promise<void> {
    if (!this.running) return
    if (this.components.connectionManager.getConnections(kept.peer).length === 0 && !await this.dial(kept)) {
      if (!this.running) return
      this.lookAfter(kept, kept.backoff)
      kept.backoff = Math.min(kept.backoff * 2, MAX_RETRY_MS)
      return
    }
    kept.backoff = MIN_RETRY_MS
    await this.retag(kept.peer)
  }

  /** Whether a dial reached it */
  private async dial (kept: Kept): Promise<boolean> {
    kept.dialling = true
    try {
      await this.components.connectionManager.openConnection(kept.peer, { signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]) })
      this.log('connected to bootstrap peer %p again', kept.peer)
      return true
    } catch (err: any) {
      this.log('bootstrap peer %p did not answer, next dial in about %d s - %s', kept.peer, Math.round(kept.backoff / 1000), err.message)
      return false
    } finally {
      kept.dialling = false
    }
  }

  /** Give the keep-alive tag back if libp2p's reconnect queue took it after its tries */
  private async retag (peer: PeerId): Promise<void> {
    try {
      const stored = await this.components.peerStore.get(peer)
      if (!stored.tags.has(BOOTSTRAP_TAG)) await this.components.peerStore.merge(peer, { tags: { [BOOTSTRAP_TAG]: { value: TAG_VALUE } } })
    } catch (err: any) {
      if (this.running) this.log('could not tag bootstrap peer %p - %e', peer, err)
    }
  }
}

/** The keeper as a libp2p service, for the node's bootstrap addresses */
export function bootstrapKeeper (addresses: string[]): (components: BootstrapKeeperComponents) => BootstrapKeeper {
  return (components) => new BootstrapKeeper(components, addresses)
}
