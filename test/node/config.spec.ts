import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DEFAULT_SETTINGS, RELAY_PING_INTERVAL_S, mergeSettings, readConfigFile, servesDht, validateSettings } from '../../src/node/config.js'
import { InvalidConfigError } from '../../src/node/errors.js'
import { createNode } from '../../src/node/create-node.js'
import { tempDir } from '../helpers/temp.js'

describe('node settings', () => {
  it('layers defaults, then the config file, then flags', async () => {
    const dir = await tempDir()
    try {
      const path = join(dir.path, 'config.json')
      await writeFile(path, JSON.stringify({ listen: ['/ip4/127.0.0.1/tcp/4100'], relay: true, apiPort: 7000, pingInterval: 30 }))
      const file = await readConfigFile(path)
      const merged = mergeSettings(file, { apiPort: 7001 })
      assert.deepEqual(merged, { ...DEFAULT_SETTINGS, listen: ['/ip4/127.0.0.1/tcp/4100'], bootstrap: [], relay: true, apiPort: 7001, pingInterval: 30 })
      assert.deepEqual(mergeSettings(await readConfigFile(join(dir.path, 'missing.json'))), DEFAULT_SETTINGS)
    } finally {
      await dir.remove()
    }
  })

  it('rejects bad files and settings with the file and setting named', async () => {
    const dir = await tempDir()
    try {
      const path = join(dir.path, 'config.json')
      await writeFile(path, '{ nope')
      await assert.rejects(readConfigFile(path), (err: Error) => err instanceof InvalidConfigError && err.message.includes(path))
    } finally {
      await dir.remove()
    }
    assert.throws(() => validateSettings({ listen: ['not-a-multiaddr'] }, 'x'), /not a multiaddr/)
    assert.throws(() => validateSettings({ bootstrap: ['/ip4/127.0.0.1/tcp/1'] }, 'x'), /must end with \/p2p/)
    assert.throws(() => validateSettings({ apiPort: 70000 }, 'x'), /port number/)
    assert.throws(() => validateSettings({ pingInterval: 0 }, 'x'), /"pingInterval" must be a whole number of seconds/)
    assert.throws(() => validateSettings({ dht: { maxRecords: 0 } }, 'x'), /x: "dht": "maxRecords" must be a whole number of at least 1/)
    assert.throws(() => validateSettings({ presence: { maxWatchers: 1.5 } }, 'x'), /"presence": "maxWatchers" must be a whole number/)
    assert.throws(() => validateSettings({ presence: { recordTtl: 5 } }, 'x'), /"presence": unknown key "recordTtl" \(known: maxWatchers\)/)
    assert.throws(() => validateSettings({ inbox: [] }, 'x'), /"inbox" must be an object/)
    assert.throws(() => validateSettings({ relay: 'yes' }, 'x'), /true or false/)
    assert.throws(() => validateSettings({ firewalled: 1 }, 'x'), /"firewalled" must be true or false/)
    assert.throws(() => validateSettings({ dhtServer: 'yes' }, 'x'), /"dhtServer" must be true, false or "auto"/)
    assert.throws(() => validateSettings({ colour: 'blue' }, 'x'), /unknown setting "colour"/)
    assert.throws(() => validateSettings([], 'x'), /JSON object/)
  })

  it('takes mailbox limits from a section of config.json, each over its default, and names a bad one', async () => {
    const dir = await tempDir()
    try {
      const path = join(dir.path, 'config.json')
      await writeFile(path, JSON.stringify({ relay: true, mailbox: { boxItems: 50, senderShare: 0.25, ttlMs: 3_600_000 } }))
      const merged = mergeSettings(await readConfigFile(path), validateSettings({ mailbox: { totalBytes: 1 << 30 } }, 'flags'))
      assert.deepEqual(merged.mailbox, { boxItems: 50, senderShare: 0.25, ttlMs: 3_600_000, totalBytes: 1 << 30 })
      await writeFile(path, JSON.stringify({ mailbox: { boxItems: 0 } }))
      await assert.rejects(readConfigFile(path), (err: Error) => err instanceof InvalidConfigError && err.message.includes(path) && err.message.includes('"mailbox": "boxItems" must be a whole number'))
    } finally {
      await dir.remove()
    }
    assert.throws(() => validateSettings({ mailbox: { senderShare: 0 } }, 'x'), /"mailbox": "senderShare" must be a number from 0.001 to 1/)
    assert.throws(() => validateSettings({ mailbox: { strangersShare: 1.5 } }, 'x'), /"strangersShare" must be a number from 0 to 1/)
    assert.throws(() => validateSettings({ mailbox: { ttlMs: 10 } }, 'x'), /"ttlMs" must be a whole number from 1000 to/)
    assert.throws(() => validateSettings({ mailbox: { boxitems: 5 } }, 'x'), /unknown key "boxitems" \(known: boxItems, /)
    assert.throws(() => validateSettings({ mailbox: 5 }, 'x'), /"mailbox" must be an object/)
    assert.deepEqual(validateSettings({ mailbox: { strangersShare: 0 } }, 'x'), { mailbox: { strangersShare: 0 } }, 'a relay may keep mail for contacts only')
  })

  it('takes the message size and the budgets of messages in parts from "messaging", within their ranges', async () => {
    assert.deepEqual(validateSettings({ messaging: { maxBodySize: 4 * 1024 * 1024, partsPeerBytes: 8 * 1024 * 1024 } }, 'x'), { messaging: { maxBodySize: 4 * 1024 * 1024, partsPeerBytes: 8 * 1024 * 1024 } })
    assert.throws(() => validateSettings({ messaging: { maxBodySize: 100 } }, 'x'), /"messaging": "maxBodySize" must be a whole number from 1024 to 16777216/)
    assert.throws(() => validateSettings({ messaging: { maxBodySize: 32 * 1024 * 1024 } }, 'x'), /from 1024 to 16777216/)
    assert.throws(() => validateSettings({ messaging: { partsTimeoutMs: 10 } }, 'x'), /"partsTimeoutMs" must be a whole number of at least 1000/)
    // a body that could never fit the per-peer share stops the node at start
    await assert.rejects(createNode({ messaging: { maxBodySize: 16 * 1024 * 1024 } }), /partsPeerBytes must be at least maxBodySize/)
  })

  it('pings every 120 s, every 30 s on a relay (whose pings find sleeping nodes), unless told otherwise', () => {
    assert.equal(mergeSettings().pingInterval, 120)
    assert.equal(mergeSettings({ relay: true }).pingInterval, RELAY_PING_INTERVAL_S)
    assert.equal(mergeSettings({ pingInterval: 200 }, { relay: true }).pingInterval, 200, 'a configured interval wins')
    assert.equal(mergeSettings({ relay: true }, { pingInterval: 10 }).pingInterval, 10)
  })

  it('serves the DHT where the mesh bootstraps from, and asks it everywhere else', () => {
    const seed = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWGzS3ZLJz8HC5wJq7ZGCFFmaZyDQTbBqBh3RpSJQDFiQQ'
    const serves = (layer: Parameters<typeof validateSettings>[0]): boolean => servesDht(mergeSettings(validateSettings(layer, 'x')))
    assert.equal(serves({}), true, 'a node with no bootstrap peers is where others bootstrap from')
    assert.equal(serves({ bootstrap: [seed] }), false, 'a desktop node joining through a bootstrap peer asks')
    assert.equal(serves({ bootstrap: [seed], relay: true }), true, 'a community relay serves')
    assert.equal(serves({ bootstrap: [seed], dhtServer: true }), true, 'an always-on node may choose to serve')
    assert.equal(serves({ dhtServer: false }), false, 'and any node may choose to only ask')
    assert.equal(serves({ firewalled: true, dhtServer: true }), false, 'a node nobody can dial cannot serve')
    assert.equal(serves({ private: true, relay: true }), false)
  })
})
