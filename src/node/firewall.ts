/**
 * Connection rules for nodes that cannot or will not be dialled directly.
 *
 * - firewalled: no inbound direct connections (in production a NAT or a
 *   firewall does this; the gater makes a test or a cautious user behave the
 *   same); the node is reached through its relay reservations.
 * - private (RFC 2779 §5.1.17–18, §5.4.5): additionally, the node dials
 *   nobody directly but its relays, so no contact ever learns its IP address.
 */
import { addressPeerId } from '../utils/formats.js'
import { isCircuit } from '../utils/network-names.js'
import type { ConnectionGater, MultiaddrConnection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

// below the services, which read addresses too (src/utils/network-names.ts)
export { isCircuit }


export function firewallGater (options: { private: boolean, relays: string[] }): ConnectionGater {
  const relays = new Set(options.relays)
  return {
    denyInboundConnection: (maConn: MultiaddrConnection) => !isCircuit(maConn.remoteAddr),
    ...(options.private
      ? {
          // a relayed address is dialled through its relay, which we may dial directly
          denyDialMultiaddr: (ma: Multiaddr) => {
            if (isCircuit(ma)) return false
            const peer = addressPeerId(ma)
            return peer == null || !relays.has(peer)
          }
        }
      : {})
  }
}

/** Announce only relay circuit addresses: what a firewalled or private node can be reached at */
export function circuitAddressesOnly (addresses: Multiaddr[]): Multiaddr[] {
  return addresses.filter(isCircuit)
}
