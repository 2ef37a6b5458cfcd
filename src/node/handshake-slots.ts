/**
 * Handshake slots per address. libp2p refuses every inbound connection while
 * `maxIncomingPending` of them are being upgraded, and one upgrade may last
 * the whole inbound upgrade timeout (10 s). So ten TCP sockets that connect
 * and send nothing, from one address, made a node refuse every dial for
 * 10 s, and again every 10 s, far under the per-address rate limit (design
 * record 008, "Handshake slots").
 *
 * This gater bounds the upgrades in flight from one address: an IPv4
 * address, or an IPv6 /64 (one subscriber's allocation, which holds more
 * addresses than anyone could try). Beyond the bound a new connection from
 * that address is refused at once and gives its slot back; the other slots
 * stay for everyone else. Relayed connections are not counted: they all come
 * from their relay's address, and the relay bounds them.
 */
import { getNetConfig, isNetworkAddress } from '@libp2p/utils'
import { isCircuit } from '../utils/network-names.js'
import type { ConnectionGater, Logger, MultiaddrConnection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface HandshakeSlotsInit {
  /** Upgrades in flight from one address at once */
  perAddress: number
  /** Checked first: a connection it refuses takes no slot (the firewall's gater) */
  inner?: ConnectionGater
  log?: Logger
}

export function handshakeSlots (init: HandshakeSlotsInit): ConnectionGater {
  const { perAddress, inner, log } = init
  const inFlight = new Map<string, number>()
  // each held slot's release, called once: when the connection is upgraded, or closes before
  const releases = new WeakMap<MultiaddrConnection, () => void>()

  const hold = (maConn: MultiaddrConnection, group: string): void => {
    inFlight.set(group, (inFlight.get(group) ?? 0) + 1)
    let held = true
    const release = (): void => {
      if (!held) return
      held = false
      maConn.removeEventListener('close', release)
      const left = (inFlight.get(group) ?? 1) - 1
      if (left > 0) inFlight.set(group, left)
      else inFlight.delete(group)
    }
    // a failed or timed-out upgrade aborts the connection, which closes it
    maConn.addEventListener('close', release)
    releases.set(maConn, release)
  }

  return {
    ...inner,
    denyInboundConnection: async (maConn: MultiaddrConnection): Promise<boolean> => {
      if (await inner?.denyInboundConnection?.(maConn) === true) return true
      const group = addressGroup(maConn.remoteAddr)
      if (group == null) return false
      if ((inFlight.get(group) ?? 0) >= perAddress) {
        log?.('refused a connection from %s: %d handshakes from its address already in flight', group, perAddress)
        return true
      }
      hold(maConn, group)
      return false
    },
    denyInboundUpgradedConnection: async (peer: PeerId, maConn: MultiaddrConnection): Promise<boolean> => {
      releases.get(maConn)?.()
      return await inner?.denyInboundUpgradedConnection?.(peer, maConn) ?? false
    }
  }
}

/** The IPv4 address, or the IPv6 /64, a direct connection comes from; none for a relayed one */
export function addressGroup (address: Multiaddr): string | undefined {
  if (isCircuit(address) || !isNetworkAddress(address)) return undefined
  const config = getNetConfig(address)
  if (config.type === 'ip4') return config.host
  if (config.type !== 'ip6') return undefined
  return ipv6Prefix64(config.host)
}

/** `2001:db8:1:2::/64` for any address in it; an IPv4-mapped address (`::ffff:1.2.3.4`) is its IPv4 address */
export function ipv6Prefix64 (host: string): string {
  const groups = ipv6Groups(host.split('%')[0])
  if (groups.slice(0, 5).every(group => group === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.')
  }
  return `${groups.slice(0, 4).map(group => group.toString(16)).join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address in any of its written forms */
function ipv6Groups (address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address)
  // a trailing dotted quad is the last two groups
  const text = dotted == null
    ? address
    : `${address.slice(0, dotted.index)}${((Number(dotted[1]) << 8) | Number(dotted[2])).toString(16)}:${((Number(dotted[3]) << 8) | Number(dotted[4])).toString(16)}`
  const [head, tail] = text.split('::')
  const parse = (part: string): number[] => part === '' ? [] : part.split(':').map(group => parseInt(group, 16))
  const front = parse(head)
  if (tail == null) return front
  const back = parse(tail)
  return [...front, ...new Array<number>(Math.max(0, 8 - front.length - back.length)).fill(0), ...back]
}
