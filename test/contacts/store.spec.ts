import assert from 'node:assert/strict'
import { MemoryDatastore } from 'datastore-core'
import fc from 'fast-check'
import { Key } from 'interface-datastore'
import { fromString, toString } from 'uint8arrays'
import { ContactStore, parseContact } from '../../src/contacts/store.js'
import { CORRUPT_PREFIX } from '../../src/utils/stored-values.js'

describe('contact store', () => {
  it('sets a corrupt entry aside, logs it, and loads the others', async () => {
    const datastore = new MemoryDatastore()
    const errors: string[] = []
    const log = Object.assign(() => {}, { error: (...args: unknown[]) => errors.push(String(args[0])), trace: () => {}, enabled: false }) as any
    const store = new ContactStore(datastore, log)
    await store.saveContact({ id: 'peer-a', name: 'Alice', addedAt: 1, readUntil: 0, presence: { basic: 'open', availability: 'busy', note: null, updated: 5 } })
    await datastore.put(new Key('/presence-mesh/contacts/list/peer-b'), fromString('{"id": 3'))
    await datastore.put(new Key('/presence-mesh/contacts/list/peer-c'), fromString('{"id":"peer-c","name":7,"addedAt":1,"readUntil":0}'))
    const loaded = await store.loadContacts()
    assert.deepEqual(loaded.map(c => c.name), ['Alice'])
    assert.equal(errors.length, 2)
    const aside = []
    for await (const { value } of datastore.query({ prefix: CORRUPT_PREFIX })) aside.push(toString(value))
    assert.deepEqual(aside.sort(), ['{"id": 3', '{"id":"peer-c","name":7,"addedAt":1,"readUntil":0}'])
    // nothing is lost, nothing loads twice
    assert.deepEqual((await store.loadContacts()).map(c => c.name), ['Alice'])
  })

  it('parses any JSON value to an entry or a TypeError, never anything else', () => {
    fc.assert(fc.property(fc.jsonValue(), value => {
      try {
        parseContact(value)
      } catch (err) {
        assert.ok(err instanceof TypeError, String(err))
      }
    }), { numRuns: 500 })
  })
})
