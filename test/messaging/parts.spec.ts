/**
 * Messages in parts (src/messaging/parts.ts) and the node-wide budget they
 * are put together under (src/utils/byte-budget.ts): any envelope cut into
 * Deliver frames comes back byte for byte, parts past the declared size are
 * refused, and no sequence of reservations exceeds a limit or leaks.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { equals } from 'uint8arrays/equals'
import { PART_SIZE } from '../../src/messaging/constants.js'
import { Assembly, splitEnvelope } from '../../src/messaging/parts.js'
import { Deliver } from '../../src/messaging/pb/message.js'
import { ByteBudget, type Reservation } from '../../src/utils/byte-budget.js'
import type { PeerId } from '@libp2p/interface'

const peers = async (n: number): Promise<PeerId[]> => Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))

describe('messages in parts', function () {
  this.timeout(30_000)

  it('any envelope cut into Deliver frames is put back together byte for byte', async () => {
    const [peer] = await peers(1)
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 * PART_SIZE + 7 }), fc.nat(255), (length, seed) => {
      const envelope = Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff)
      const frames = splitEnvelope(envelope).map(p => Deliver.decode(Deliver.encode({ envelope: p.envelope as Uint8Array<ArrayBuffer>, size: p.size })))
      assert.ok(frames.every(f => f.envelope.byteLength <= PART_SIZE))
      if (length <= PART_SIZE) {
        assert.deepEqual(frames.map(f => f.size), [0], 'a message that fits one part goes whole')
        assert.ok(equals(frames[0].envelope, envelope))
        return
      }
      assert.deepEqual(frames.map(f => f.size), [length, ...frames.slice(1).map(() => 0)], 'only the first part declares the size')
      const budget = new ByteBudget({ total: 4 * PART_SIZE, perPeer: 4 * PART_SIZE, strangers: 0, what: 'messages' })
      const reservation = budget.reserve(peer, frames[0].size, false)
      assert.ok(typeof reservation !== 'string', String(reservation))
      const assembly = new Assembly(0, reservation, 60_000, () => assert.fail('timed out'))
      for (const frame of frames) {
        assert.equal(assembly.complete(), false)
        assert.ok(assembly.add(frame.envelope))
      }
      assembly.stopTimer()
      assert.ok(assembly.complete())
      assert.ok(equals(assembly.bytes, envelope))
      assert.equal(assembly.add(new Uint8Array(1)), false, 'a part past the declared size is refused')
      reservation.release()
      assert.equal(budget.usage().bytes, 0)
    }), { numRuns: 60 })
  })

  it('a Deliver frame decodes from any bytes or fails with an error, never anything else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), bytes => {
      try {
        const frame = Deliver.decode(bytes)
        assert.ok(frame.envelope instanceof Uint8Array && Number.isInteger(frame.size))
      } catch (err: any) {
        assert.ok(err instanceof Error)
      }
    }), { numRuns: 500 })
  })

  it('gives up a message whose parts stop coming', async () => {
    const [peer] = await peers(1)
    const budget = new ByteBudget({ total: 1000, perPeer: 1000, strangers: 1000, what: 'messages' })
    const reservation = budget.reserve(peer, 500, true) as Reservation
    await new Promise<void>(resolve => { new Assembly(0, reservation, 50, resolve).add(new Uint8Array(10)) })
  })

  it('no sequence of reservations and releases exceeds a limit, and all released is all free', async () => {
    const ids = await peers(4)
    const limits = { total: 1000, perPeer: 400, strangers: 300 }
    const step = fc.record({ peer: fc.nat(3), bytes: fc.integer({ min: 1, max: 500 }), release: fc.nat(20) })
    fc.assert(fc.property(fc.array(step, { maxLength: 60 }), steps => {
      const budget = new ByteBudget({ ...limits, what: 'messages' })
      // peers 2 and 3 are strangers
      const held: Array<{ peer: number, r: Reservation }> = []
      for (const { peer, bytes, release } of steps) {
        if (release < held.length) {
          const [{ r }] = held.splice(release, 1)
          r.release()
          r.release()
        }
        const r = budget.reserve(ids[peer], bytes, peer >= 2)
        if (typeof r === 'string') {
          assert.match(r, /limit/)
          continue
        }
        held.push({ peer, r })
        const usage = budget.usage()
        const sum = (f: (h: { peer: number }) => boolean): number => held.filter(f).reduce((n, h) => n + h.r.bytes, 0)
        assert.equal(usage.bytes, sum(() => true))
        assert.ok(usage.bytes <= limits.total)
        assert.ok(usage.strangersBytes <= limits.strangers && usage.strangersBytes === sum(h => h.peer >= 2))
        for (let p = 0; p < 4; p++) assert.ok(sum(h => h.peer === p) <= limits.perPeer)
      }
      for (const { r } of held) r.release()
      assert.deepEqual(budget.usage(), { bytes: 0, strangersBytes: 0, peers: 0 })
    }), { numRuns: 300 })
  })
})
