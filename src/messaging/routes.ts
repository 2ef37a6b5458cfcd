/**
 * Where a recipient can be reached, as one delivery learns it: a connection,
 * the peer store, and the addresses in its signed presence record — which
 * name its current relay when it is behind one. The record is looked up at
 * most once a delivery (a DHT lookup is the slow part of a failed send),
 * and its addresses join the peer store so the dialer tries the circuit.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { UNKNOWN_LOOKUP_MS } from './constants.js'
import { timeoutSignal } from '../utils/streams.js'
import type { MessagingComponents } from './index.js'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * `connected`/`known`: somewhere to dial; `addressless`: a stranger whose
 * presence record names no address (it is offline, or behind a relay it has
 * not reserved yet); `unknown`: nothing known of it anywhere
 */
export type Knowledge = 'connected' | 'known' | 'addressless' | 'unknown'

const P2P_CODE = 421

function isCircuit (ma: Multiaddr): boolean {
  return ma.getComponents().some(c => c.name === 'p2p-circuit')
}

export class Route {
  private readonly components: MessagingComponents
  private readonly peer: PeerId
  private readonly lookupTimeout: number
  private readonly signal?: AbortSignal
  /** Addresses of the recipient's presence record, once looked up; undefined when no record was found */
  private recordAddresses?: Promise<Multiaddr[] | undefined>

  /** `signal`: the delivery's, which ends a lookup when the sender gives up or the node stops */
  constructor (components: MessagingComponents, peer: PeerId, lookupTimeout: number, signal?: AbortSignal) {
    this.components = components
    this.peer = peer
    this.lookupTimeout = lookupTimeout
    this.signal = signal
  }

  /** A contact (or a peer we hold a subscription to) is someone we expect to come back */
  get isContact (): boolean {
    return this.components.contacts?.has(this.peer) ?? this.components.presence.subscriptions().some(s => s.target.equals(this.peer))
  }

  /**
   * What is known of the recipient. The DHT is asked only when nothing is
   * known locally, and for a stranger only briefly (UNKNOWN_LOOKUP_MS)
   */
  async learn (): Promise<Knowledge> {
    if (this.components.connectionManager.getConnections(this.peer).length > 0) return 'connected'
    const known = await this.components.peerStore.get(this.peer).then(p => p.addresses.length, () => 0)
    if (known > 0) return 'known'
    const addresses = await this.record(this.isContact ? this.lookupTimeout : Math.min(UNKNOWN_LOOKUP_MS, this.lookupTimeout))
    if (addresses == null || addresses.length === 0) {
      if (this.isContact) return 'known'
      return addresses == null ? 'unknown' : 'addressless'
    }
    await this.merge(addresses)
    return 'known'
  }

  /**
   * Its relayed addresses, from the peer store and its record (which names
   * its current relay), to dial on their own once a dial of all its
   * addresses failed: the dialer tries direct addresses first, and one
   * that swallows connections (a NAT, a firewall dropping packets) holds
   * the whole dial until it times out, so the circuit is never tried
   */
  async circuits (): Promise<Multiaddr[]> {
    const stored = (await this.components.peerStore.get(this.peer).then(p => p.addresses.map(a => a.multiaddr), () => [])).filter(isCircuit)
    // known already: the record lookup, which may itself wait on the address that failed, is skipped
    const found = stored.length > 0 ? stored : ((await this.record(this.lookupTimeout)) ?? []).filter(isCircuit)
    const all = found.map(ma => ma.decapsulateCode(P2P_CODE).encapsulate(`/p2p/${this.peer.toString()}`))
    return all.filter((ma, i) => all.findIndex(other => other.equals(ma)) === i)
  }

  /** The relays its record names: its mailboxes of choice */
  async relays (): Promise<PeerId[]> {
    const relays: PeerId[] = []
    for (const address of (await this.record(this.lookupTimeout)) ?? []) {
      const parts = address.getComponents()
      const circuit = parts.findIndex(c => c.name === 'p2p-circuit')
      const relay = circuit > 0 ? parts[circuit - 1] : undefined
      if (relay?.name === 'p2p' && relay.value != null) relays.push(peerIdFromString(relay.value))
    }
    return relays
  }

  private async record (timeout: number): Promise<Multiaddr[] | undefined> {
    // not asking the recipient itself: a dial to it has failed, or is about to be tried anyway. A lookup
    // that fails (not found, timed out, no DHT peers) finds no record
    this.recordAddresses ??= this.components.presence.addresses(this.peer, { signal: timeoutSignal(timeout, this.signal), askPresentity: false }).catch(() => undefined)
    return this.recordAddresses
  }

  private async merge (addresses: Multiaddr[]): Promise<void> {
    await this.components.peerStore.merge(this.peer, { multiaddrs: addresses.map(ma => ma.decapsulateCode(P2P_CODE)) })
  }
}
