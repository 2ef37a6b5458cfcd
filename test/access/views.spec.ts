/**
 * Sealed views: any record sealed for a view opens, with the view's key, to
 * exactly what the view shows; anything else — another key, altered bytes,
 * a view moved into another record, arbitrary input — opens to nothing and
 * never throws.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { BLOCKED_VIEW, VIEW_NAMES, newViewKey, openView, project, sealView, type SealedViewName } from '../../src/presence/access/views.js'
import { allPresentities, comparable, makeKeys, recordArb, sampleRecord } from '../presence/helpers.js'
import type { PresenceRecord } from '../../src/presence/record.js'
import type { PeerId } from '@libp2p/interface'

const viewName = fc.constantFrom<SealedViewName>(...VIEW_NAMES, BLOCKED_VIEW)
const plain = (record: PresenceRecord): PresenceRecord => ({ ...record, views: [], restricted: false })

describe('sealed presence views', function () {
  this.timeout(30_000)
  let presentities: PeerId[]
  before(async () => { presentities = allPresentities(await makeKeys()) })

  it('opens any record sealed for any view to that view of it', () => {
    fc.assert(fc.property(recordArb(presentities).map(plain), viewName, (record, view) => {
      const key = newViewKey()
      const outer = { ...record, views: [sealView(record, view, key)] }
      const opened = openView(outer, key)
      assert.ok(opened != null)
      assert.deepEqual(comparable(opened), comparable(project(record, view)))
    }), { numRuns: 200 })
  })

  it('shows each named view only what it names', () => {
    const record = sampleRecord(presentities[0])
    assert.deepEqual(project(record, 'full').note, record.note)
    const availability = project(record, 'availability')
    assert.equal(availability.availability, 'busy')
    assert.equal(availability.note, undefined)
    assert.deepEqual(availability.contact, { emails: [], phones: [] })
    assert.deepEqual(availability.extensions, [])
    assert.equal(project(record, 'basic').availability, 'unknown')
    assert.equal(project(record, 'basic').basic, 'open')
    assert.equal(project(record, BLOCKED_VIEW).basic, 'closed')
  })

  it('opens nothing with another key, and never throws', () => {
    fc.assert(fc.property(recordArb(presentities).map(plain), viewName, (record, view) => {
      const key = newViewKey()
      const outer = { ...record, views: [sealView(record, view, key)] }
      assert.equal(openView(outer, newViewKey()), undefined)
      // same key id, other key: the id names, only the key opens
      assert.equal(openView(outer, { keyId: key.keyId, key: newViewKey().key }), undefined)
    }), { numRuns: 50 })
  })

  it('opens nothing once any byte of the sealed view is changed', () => {
    const record = plain(sampleRecord(presentities[0]))
    const key = newViewKey()
    const sealed = sealView(record, 'full', key)
    fc.assert(fc.property(fc.constantFrom('nonce' as const, 'ciphertext' as const), fc.nat(), fc.integer({ min: 1, max: 255 }), (field, at, flip) => {
      const bytes = sealed[field].slice()
      bytes[at % bytes.length] ^= flip
      assert.equal(openView({ ...record, views: [{ ...sealed, [field]: bytes }] }, key), undefined)
    }), { numRuns: 200 })
  })

  it('opens nothing when the view is moved into another record of the presentity', () => {
    const record = plain(sampleRecord(presentities[0]))
    const key = newViewKey()
    const sealed = sealView(record, 'full', key)
    assert.equal(openView({ ...record, seq: record.seq + 2n, views: [sealed] }, key), undefined)
    assert.equal(openView({ ...record, issuedAt: record.issuedAt + 1, views: [sealed] }, key), undefined)
    assert.equal(openView({ ...record, presentity: presentities[1], views: [sealed] }, key), undefined)
  })

  it('opens arbitrary sealed-view bytes to nothing, without throwing', () => {
    const record = plain(sampleRecord(presentities[0]))
    const key = newViewKey()
    fc.assert(fc.property(fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.uint8Array({ maxLength: 256 }), (nonce, ciphertext) => {
      assert.equal(openView({ ...record, views: [{ keyId: key.keyId, nonce, ciphertext }] }, key), undefined)
    }), { numRuns: 300 })
  })
})
