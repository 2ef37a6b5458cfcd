/**
 * A stranger filling a DHT server's disk: every record it puts is valid —
 * each signed by a fresh identity of its own — so only a bound on what the
 * server stores for others stops it. The server then refuses records under
 * new keys and still takes updates of the records it holds, its own first.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import { attackerNode, knowsServer, presenceKeyOf, putValue, signRecord, type Attacker } from './integrity-helpers.js'
import { DHT_DATASTORE_PREFIX } from '../../src/presence/index.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

async function recordsHeld (node: PresenceMeshNode): Promise<number> {
  let count = 0
  for await (const key of node.datastore.queryKeys({ prefix: `${DHT_DATASTORE_PREFIX}/record/` })) {
    void key
    count++
  }
  return count
}

describe('adversarial: a stranger filling a DHT server with valid records of fresh identities', function () {
  this.timeout(30_000)
  const nodes = nodesPerTest()
  let attacker: Attacker | undefined
  afterEach(async () => attacker?.stop())

  it('stores at most dht.maxRecords for others, and still takes updates and its own record', async () => {
    const server = await nodes.start({ dht: { maxRecords: 3 }, presence: { publishOnStart: false } })
    attacker = await attackerNode()
    await attacker.dial(server.libp2p.getMultiaddrs()[0])
    await waitFor(() => knowsServer(attacker!), 10_000, 'the server in the attacker\'s DHT routing table')

    const identities = await Promise.all(Array.from({ length: 5 }, async () => generateKeyPair('Ed25519')))
    const answers: string[] = []
    for (const key of identities) {
      const id = peerIdFromPrivateKey(key)
      const { stored } = await putValue(attacker, presenceKeyOf(id), await signRecord(key, { presentity: id, seq: 1n }))
      answers.push(stored.includes(server.peerId.toString()) ? 'stored' : 'refused')
    }
    assert.deepEqual(answers, ['stored', 'stored', 'stored', 'refused', 'refused'])
    assert.equal(await recordsHeld(server), 3)

    // a record it holds may always be updated: nobody who has a record here loses it
    const first = peerIdFromPrivateKey(identities[0])
    const { stored } = await putValue(attacker, presenceKeyOf(first), await signRecord(identities[0], { presentity: first, seq: 2n }))
    assert.ok(stored.includes(server.peerId.toString()), 'an update of a held record was refused')

    // the server's own record is never crowded out
    await server.libp2p.services.presence.publish({ availability: 'busy' })
    await waitFor(async () => (await recordsHeld(server)) === 4, 5_000, 'the server\'s own record stored')
    assert.equal((await server.libp2p.services.presence.fetch(server.peerId)).availability, 'busy')
  })
})
