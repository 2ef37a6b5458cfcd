/**
 * The libp2p options builder's ping timeout (src/node/libp2p-options.ts):
 * the scale simulation raises the least time before an unanswered ping
 * closes a connection, and a node that does not ask keeps libp2p's own.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { MemoryDatastore } from 'datastore-core'
import { mergeSettings } from '../../src/node/config.js'
import { libp2pOptions } from '../../src/node/libp2p-options.js'

describe('libp2p options: ping timeout', () => {
  it('passes a pingTimeout to the connection monitor as its least timeout, beside the ping interval', async () => {
    const options = libp2pOptions(mergeSettings(), { privateKey: await generateKeyPair('Ed25519'), datastore: new MemoryDatastore(), pingTimeout: 20_000 })
    assert.deepEqual(options.connectionMonitor, { pingInterval: 120_000, pingTimeout: { minTimeout: 20_000 } })
  })

  it('leaves libp2p its adaptive default when none is given', async () => {
    const options = libp2pOptions(mergeSettings(), { privateKey: await generateKeyPair('Ed25519'), datastore: new MemoryDatastore() })
    assert.deepEqual(options.connectionMonitor, { pingInterval: 120_000 })
  })
})
