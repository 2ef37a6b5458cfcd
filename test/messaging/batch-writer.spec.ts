/**
 * batch-writer.ts: idle() resolves only once every write made before it is
 * committed — what lets the sender be told an outcome before its history
 * write commits while a read of the history still sees it.
 */
import assert from 'node:assert/strict'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { BatchWriter } from '../../src/messaging/batch-writer.js'

/** A datastore whose batches commit `ms` late, as a slow disk does */
function slow (ms: number): MemoryDatastore {
  const datastore = new MemoryDatastore()
  const batch = datastore.batch.bind(datastore)
  datastore.batch = () => {
    const inner = batch()
    return {
      put: (key, value) => { inner.put(key, value) },
      delete: key => { inner.delete(key) },
      commit: async () => {
        await new Promise(resolve => setTimeout(resolve, ms))
        await inner.commit()
      }
    }
  }
  return datastore
}

describe('BatchWriter', () => {
  it('is idle only once every earlier write is committed, including those that joined a later batch', async () => {
    const datastore = slow(30)
    const writer = new BatchWriter(datastore)
    void writer.write(batch => { batch.put(new Key('/a'), Uint8Array.of(1)) })
    await new Promise(resolve => setTimeout(resolve, 5))
    // arrives while the first batch commits: it goes in the next one
    void writer.write(batch => { batch.put(new Key('/b'), Uint8Array.of(2)) })
    await writer.idle()
    assert.ok(await datastore.has(new Key('/a')))
    assert.ok(await datastore.has(new Key('/b')))
  })

  it('a deferred write waits a turn of the event loop, keeps its order, and goes at once with a write that is not deferred', async () => {
    const datastore = new MemoryDatastore()
    const writer = new BatchWriter(datastore)
    let built = false
    const deferred = writer.write(batch => {
      built = true
      batch.put(new Key('/k'), Uint8Array.of(1))
    }, { deferred: true })
    await Promise.resolve()
    await Promise.resolve()
    assert.equal(built, false, 'built in the same turn of the event loop')
    await deferred
    assert.ok(await datastore.has(new Key('/k')))
    // a put deferred, then a delete of the same key not deferred: both in one batch, in order
    void writer.write(batch => { batch.put(new Key('/j'), Uint8Array.of(1)) }, { deferred: true })
    await writer.write(batch => { batch.delete(new Key('/j')) })
    assert.equal(await datastore.has(new Key('/j')), false)
  })

  it('idle() does not wait for a deferred write to start on its own', async () => {
    const datastore = new MemoryDatastore()
    const writer = new BatchWriter(datastore)
    void writer.write(batch => { batch.put(new Key('/d'), Uint8Array.of(1)) }, { deferred: true })
    await writer.idle()
    assert.ok(await datastore.has(new Key('/d')))
  })

  it('is idle at once with nothing to write', async () => {
    const writer = new BatchWriter(slow(1_000))
    const started = Date.now()
    await writer.idle()
    assert.ok(Date.now() - started < 100)
  })
})
