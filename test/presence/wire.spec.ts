/**
 * The presence protocol's own messages (src/presence/pb/protocol.proto), as
 * a hostile peer may send them: any bytes decode to a well-formed message or
 * fail with an Error, never anything else, and what we send reads back
 * the same.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { RedeemResponse } from '../../src/contacts/pb/invite.js'
import { Notice, Push, SubscribeRequest, SubscribeResponse, Will } from '../../src/presence/pb/protocol.js'

/** Decoding arbitrary bytes either throws an Error or yields what `wellFormed` accepts */
function decodesOrThrows<T> (decode: (bytes: Uint8Array) => T, wellFormed: (value: T) => boolean): void {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), bytes => {
    let value: T
    try {
      value = decode(bytes)
    } catch (err) {
      assert.ok(err instanceof Error)
      return
    }
    assert.ok(wellFormed(value), `decoded to ${String(value)}`)
  }), { numRuns: 2_000 })
}

describe('presence wire messages', () => {
  it('a push reads back as sent, and any bytes decode to one or fail cleanly', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2_048 }), record => {
      assert.deepEqual(Push.decode(Push.encode({ record })), { record })
    }))
    decodesOrThrows(bytes => Push.decode(bytes), push => push.record instanceof Uint8Array)
  })

  it('a will or release, with or without its watcher list, reads back as sent, and any bytes decode to one or fail cleanly', () => {
    const watcherIds = fc.array(fc.uint8Array({ minLength: 1, maxLength: 66 }), { maxLength: 20 })
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2_048 }), fc.boolean(), watcherIds, fc.boolean(), (record, release, watchers, sameWatchers) => {
      assert.deepEqual(Will.decode(Will.encode({ record, release, watchers, sameWatchers })), { record, release, watchers, sameWatchers })
    }))
    decodesOrThrows(bytes => Will.decode(bytes), will => will.record instanceof Uint8Array && typeof will.release === 'boolean' && Array.isArray(will.watchers) && will.watchers.every(w => w instanceof Uint8Array) && typeof will.sameWatchers === 'boolean')
  })

  it('a subscribe request reads back as sent, and any bytes decode to one or fail cleanly', () => {
    fc.assert(fc.property(fc.string({ maxLength: 64 }), fc.nat({ max: 0xffffffff }), (transactionId, duration) => {
      assert.deepEqual(SubscribeRequest.decode(SubscribeRequest.encode({ transactionId, duration })), { transactionId, duration })
    }))
    decodesOrThrows(bytes => SubscribeRequest.decode(bytes), request => typeof request.transactionId === 'string' && Number.isInteger(request.duration))
  })

  it('a notice reads back as sent, and any bytes decode to one or fail cleanly', () => {
    const kinds = [Notice.Kind.KIND_APPROVED, Notice.Kind.KIND_CANCELLED, Notice.Kind.KIND_REFUSED]
    fc.assert(fc.property(fc.constantFrom(...kinds), fc.string({ maxLength: 64 }), fc.string({ maxLength: 200 }), (kind, transactionId, reason) => {
      assert.deepEqual(Notice.decode(Notice.encode({ kind, transactionId, reason })), { kind, transactionId, reason })
    }))
    decodesOrThrows(bytes => Notice.decode(bytes), notice => typeof notice.transactionId === 'string' && typeof notice.reason === 'string')
  })
})

describe('an answer without a status (0 is UNSPECIFIED)', () => {
  it('reads as nothing: an empty subscribe answer, notice or redeem answer is not a grant, an approval or an acceptance', () => {
    assert.equal(SubscribeResponse.decode(new Uint8Array()).status, SubscribeResponse.Status.STATUS_UNSPECIFIED)
    assert.equal(Notice.decode(new Uint8Array()).kind, Notice.Kind.KIND_UNSPECIFIED)
    assert.equal(RedeemResponse.decode(new Uint8Array()).status, RedeemResponse.Status.STATUS_UNSPECIFIED)
  })

})
