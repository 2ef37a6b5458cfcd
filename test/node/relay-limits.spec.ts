/**
 * The operator's settings of a relay: announced addresses, the metrics
 * endpoint, the log format and every relay limit, from config.json, checked
 * with the file and key named, and in effect on a real relay.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mergeSettings, readConfigFile, validateSettings } from '../../src/node/config.js'
import { limitsInEffect } from '../../src/node/node-status.js'
import { nodesPerTest } from '../helpers/nodes.js'
import { tempDir, waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

const circuits = (node: PresenceMeshNode): string[] => node.libp2p.getMultiaddrs().map(ma => ma.toString()).filter(a => a.includes('/p2p-circuit'))

describe('relay settings in config.json', function () {
  this.timeout(90_000)
  const { start } = nodesPerTest()

  it('reads announce, metrics, logFormat and the relay and connection limits, each over its default', async () => {
    const dir = await tempDir()
    try {
      const path = join(dir.path, 'config.json')
      await writeFile(path, JSON.stringify({
        relay: true,
        announce: ['/ip4/198.51.100.4/tcp/4001'],
        metrics: '0.0.0.0:9464',
        logFormat: 'json',
        relayLimits: { maxReservations: 500, dataBytes: 1048576 },
        connections: { maxConnections: 2000 }
      }))
      const settings = mergeSettings(await readConfigFile(path))
      assert.deepEqual(settings.announce, ['/ip4/198.51.100.4/tcp/4001'])
      assert.equal(settings.metrics, '0.0.0.0:9464')
      assert.equal(settings.logFormat, 'json')
      const limits = limitsInEffect({ settings })
      assert.deepEqual(limits.relayLimits, { maxReservations: 500, reservationTtlMs: 7_200_000, durationMs: 1_800_000, dataBytes: 1048576 })
      assert.deepEqual(limits.connections, { maxConnections: 2000, maxIncomingPending: 64, maxIncomingPendingPerAddress: 8, inboundPerAddressPerSecond: 20 })
      assert.equal(limits.mailbox.boxItems, 200)
      assert.equal(limits.dht.maxRecords, 50_000)
    } finally {
      await dir.remove()
    }
  })

  it('refuses bad values with the setting and key named', () => {
    assert.equal(validateSettings({ metrics: 9464 }, 'x').metrics, '127.0.0.1:9464', 'a bare port stays on the machine')
    assert.equal(validateSettings({ metrics: '[::1]:9464' }, 'x').metrics, '[::1]:9464')
    assert.throws(() => validateSettings({ metrics: 'localhost' }, 'x'), /x: "metrics": "localhost" is not HOST:PORT/)
    assert.throws(() => validateSettings({ metrics: '127.0.0.1:99999' }, 'x'), /port number/)
    assert.throws(() => validateSettings({ announce: '/ip4/1.2.3.4/tcp/1' }, 'x'), /"announce" must be a list/)
    assert.throws(() => validateSettings({ announce: ['nope'] }, 'x'), /"announce": "nope" is not a multiaddr/)
    assert.throws(() => validateSettings({ logFormat: 'xml' }, 'x'), /"logFormat" must be "text" or "json"/)
    assert.throws(() => validateSettings({ relayLimits: { maxReservations: 0 } }, 'x'), /"relayLimits": "maxReservations" must be a whole number of at least 1/)
    assert.throws(() => validateSettings({ relayLimits: { durationMs: 10 } }, 'x'), /"durationMs" must be a whole number of at least 1000/)
    assert.throws(() => validateSettings({ relayLimits: { dataBytes: 100 } }, 'x'), /"dataBytes" must be a whole number of at least 65536/)
    assert.throws(() => validateSettings({ relayLimits: { circuits: 3 } }, 'x'), /unknown key "circuits"/)
    assert.throws(() => validateSettings({ connections: { maxConnections: 2 } }, 'x'), /"connections": "maxConnections" must be a whole number of at least 8/)
  })

  it('a relay holds no more reservations than relayLimits.maxReservations', async () => {
    const [full, open] = await Promise.all([start({ relay: true, relayLimits: { maxReservations: 1 } }), start({ relay: true })])
    const addressOf = (relay: PresenceMeshNode): string => relay.libp2p.getMultiaddrs()[0].toString()
    const first = await start({ firewalled: true, bootstrap: [addressOf(full)] })
    await waitFor(() => circuits(first).length > 0, 30_000, 'the first reservation')
    // a firewalled node wants reservations on two relays: it gets one on the open relay, none on the full one
    const second = await start({ firewalled: true, bootstrap: [addressOf(full), addressOf(open)] })
    await waitFor(() => circuits(second).some(a => a.includes(open.peerId.toString())), 30_000, 'a reservation on the open relay')
    // a measured window: nothing signals a reservation that does not happen, so give the full
    // relay's refusal time to stand (the search retries within seconds)
    await new Promise(resolve => setTimeout(resolve, 3_000))
    assert.ok(second.libp2p.getConnections(full.peerId).length > 0, 'connected to the full relay')
    assert.ok(!circuits(second).some(a => a.includes(`${full.peerId.toString()}/p2p-circuit`)), circuits(second).join(' '))
    assert.equal(full.libp2p.services.relay?.reservations.size, 1)
  })
})
