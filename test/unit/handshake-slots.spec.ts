/**
 * The bound on handshakes in flight from one address (src/node/handshake-slots.ts),
 * with stand-in connections: what takes a slot, what gives it back, and
 * which addresses count as one. test/adversarial/handshake-slots.spec.ts
 * shows it on a real node against silent sockets.
 */
import assert from 'node:assert/strict'
import { BlockList } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { addressGroup, handshakeSlots, ipv6Prefix64 } from '../../src/node/handshake-slots.js'
import type { ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface'

function connection (address: string): MultiaddrConnection {
  return Object.assign(new EventTarget(), { remoteAddr: multiaddr(address) }) as unknown as MultiaddrConnection
}

async function admitted (gater: ConnectionGater, maConn: MultiaddrConnection): Promise<boolean> {
  return await gater.denyInboundConnection?.(maConn) !== true
}

const PEER = {} as unknown as PeerId

describe('handshake slots per address', () => {
  it('admits the bound from one address, refuses the next, and still admits other addresses', async () => {
    const gater = handshakeSlots({ perAddress: 3 })
    for (let port = 1; port <= 3; port++) assert.ok(await admitted(gater, connection(`/ip4/203.0.113.7/tcp/${port}`)))
    assert.equal(await admitted(gater, connection('/ip4/203.0.113.7/tcp/4')), false)
    assert.ok(await admitted(gater, connection('/ip4/203.0.113.8/tcp/1')))
  })

  it('gives a slot back once, whether the connection was upgraded, closed, or both', async () => {
    const gater = handshakeSlots({ perAddress: 2 })
    const [first, second] = [connection('/ip4/198.51.100.1/tcp/1'), connection('/ip4/198.51.100.1/tcp/2')]
    assert.ok(await admitted(gater, first))
    assert.ok(await admitted(gater, second))
    assert.equal(await gater.denyInboundUpgradedConnection?.(PEER, first), false)
    // the upgraded connection closing later does not free a second slot
    first.dispatchEvent(new Event('close'))
    assert.ok(await admitted(gater, connection('/ip4/198.51.100.1/tcp/3')))
    assert.equal(await admitted(gater, connection('/ip4/198.51.100.1/tcp/4')), false)
    // a handshake that failed or timed out: libp2p aborts the connection
    second.dispatchEvent(new Event('close'))
    assert.ok(await admitted(gater, connection('/ip4/198.51.100.1/tcp/5')))
  })

  it('counts an IPv6 /64 as one address, and does not count relayed connections', async () => {
    const gater = handshakeSlots({ perAddress: 1 })
    assert.ok(await admitted(gater, connection('/ip6/2001:db8:1:2::1/tcp/1')))
    assert.equal(await admitted(gater, connection('/ip6/2001:db8:1:2:ffff::9/tcp/1')), false)
    assert.ok(await admitted(gater, connection('/ip6/2001:db8:1:3::1/tcp/1')))
    const relayed = '/ip4/192.0.2.1/tcp/1/p2p/12D3KooWRm8J3iL796zPFi2EtGGtUJn58AG67gcqzMFHZnnsTzqD/p2p-circuit'
    assert.ok(await admitted(gater, connection('/ip4/192.0.2.1/tcp/1')) && await admitted(gater, connection(relayed)) && await admitted(gater, connection(relayed)))
  })

  it('asks the inner gater first, and a connection it refuses takes no slot', async () => {
    let refuse = true
    const gater = handshakeSlots({ perAddress: 1, inner: { denyInboundConnection: () => refuse, denyInboundUpgradedConnection: () => true } })
    assert.equal(await admitted(gater, connection('/ip4/192.0.2.9/tcp/1')), false)
    refuse = false
    const maConn = connection('/ip4/192.0.2.9/tcp/2')
    assert.ok(await admitted(gater, maConn))
    assert.equal(await gater.denyInboundUpgradedConnection?.(PEER, maConn), true, 'the inner gater still decides after the upgrade')
  })

  it('groups IPv4 addresses alone and IPv4-mapped IPv6 addresses as their IPv4 address', () => {
    assert.equal(addressGroup(multiaddr('/ip4/127.0.0.2/tcp/9')), '127.0.0.2')
    assert.equal(ipv6Prefix64('::ffff:192.0.2.1'), '192.0.2.1')
    assert.equal(ipv6Prefix64('::ffff:c000:201'), '192.0.2.1')
    assert.equal(ipv6Prefix64('fe80::1%eth0'), 'fe80:0:0:0::/64')
  })

  it('names the /64 that holds any IPv6 address, in any written form (property)', () => {
    fc.assert(fc.property(fc.ipV6(), address => {
      const group = ipv6Prefix64(address)
      const blocks = new BlockList()
      if (group.endsWith('/64')) blocks.addSubnet(group.slice(0, -3), 64, 'ipv6')
      else blocks.addAddress(group, 'ipv4')
      // node's BlockList matches an IPv4-mapped address against IPv4 rules
      return blocks.check(address, 'ipv6')
    }), { numRuns: 2_000 })
  })
})
