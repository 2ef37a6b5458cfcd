/**
 * The node's own presence and its persistence, on an in-memory datastore:
 * what a restart reads back, and that a change whose write fails leaves
 * nothing half-written and no sequence number that a restart could sign again.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import { openPresence } from '../../../src/presence/record.js'
import { OwnPresence, type OwnPresenceComponents, type Presenter } from '../../../src/presence/own-presence.js'
import type { Batch, Key } from 'interface-datastore'

const TTL = 60 * 60_000

async function components (datastore: MemoryDatastore): Promise<OwnPresenceComponents> {
  const privateKey = await generateKeyPair('Ed25519')
  return { peerId: peerIdFromPrivateKey(privateKey), privateKey, datastore, logger: defaultLogger() }
}

/** Shows the record as it is: no access control */
const asIs: Presenter = async state => state

/** A datastore whose next commits fail, as a full disk would make them */
class FailingCommits extends MemoryDatastore {
  failing = false

  async put (key: Key, value: Uint8Array): Promise<Key> {
    if (this.failing) throw new Error('disk full')
    return await super.put(key, value)
  }

  batch (): Batch {
    const batch = super.batch()
    return {
      put: (key: Key, value: Uint8Array) => { batch.put(key, value) },
      delete: (key: Key) => { batch.delete(key) },
      commit: async () => {
        if (this.failing) throw new Error('disk full')
        await batch.commit()
      }
    }
  }
}

describe('own presence: what is kept for a restart', function () {
  this.timeout(10_000)

  it('a restart reads back the last record and signs the next one above it', async () => {
    const datastore = new MemoryDatastore()
    const parts = await components(datastore)
    const before = new OwnPresence(parts, TTL, asIs)
    await before.next({ availability: 'busy' }, [])
    const last = await before.next({ note: { text: 'in a meeting' } }, [])

    const after = new OwnPresence(parts, TTL, asIs)
    const loaded = await after.load()
    assert.equal(loaded?.record.seq, last.record.seq)
    assert.equal(loaded?.record.availability, 'busy')
    assert.equal(loaded?.record.note?.text, 'in a meeting')
    const next = await after.next({ availability: 'away' }, [])
    assert.ok(next.record.seq > last.record.seq, 'the sequence goes on above the last record')
    assert.equal(next.record.note?.text, 'in a meeting', 'fields left out keep their value across the restart')
    assert.equal((await openPresence(next.bytes)).record.seq, next.record.seq, 'the signed bytes carry the same seq')
  })

  it('a change whose write fails is not published, and a restart still reads the one before', async () => {
    const datastore = new FailingCommits()
    const parts = await components(datastore)
    const own = new OwnPresence(parts, TTL, asIs)
    const kept = await own.next({ availability: 'available' }, [])
    datastore.failing = true
    await assert.rejects(own.next({ availability: 'busy' }, []), /disk full/)
    assert.equal(own.signed?.record.seq, kept.record.seq, 'the node still holds the record that was stored')

    datastore.failing = false
    const restarted = await new OwnPresence(parts, TTL, asIs).load()
    assert.equal(restarted?.record.seq, kept.record.seq)
    assert.equal(restarted?.record.availability, 'available')
  })
})
