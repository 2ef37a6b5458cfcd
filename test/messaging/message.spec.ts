import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import fc from 'fast-check'
import { goodTime } from '../helpers/protons.js'
import { fromString } from 'uint8arrays/from-string'
import { MESSAGE_DOMAIN } from '../../src/messaging/constants.js'
import { InvalidMessageError, InvalidMessageSignatureError, MessageTooLargeError } from '../../src/messaging/errors.js'
import { marshalMessage, openMessage, sealMessage, unmarshalMessage, type InstantMessage } from '../../src/messaging/message.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const NAMED = [InvalidMessageError, InvalidMessageSignatureError, MessageTooLargeError]

describe('signed message format', () => {
  let key: PrivateKey
  let other: PrivateKey
  let to: PeerId
  before(async () => {
    key = await generateKeyPair('Ed25519')
    other = await generateKeyPair('Ed25519')
    to = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  })
  const message = (overrides: Partial<InstantMessage> = {}): InstantMessage => ({
    from: peerIdFromPrivateKey(key), to, id: 'id-1', date: 1_800_000_000_000, contentType: 'text/plain; charset=utf-8', body: fromString('hi'), headers: [], ...overrides
  })

  it('round-trips through seal and open', async () => {
    const original = message({ subject: 's', headers: [{ name: 'X-Mood', value: 'good' }], inReplyTo: 'id-0' })
    const opened = await openMessage(await sealMessage(key, original))
    assert.deepEqual([opened.id, opened.subject, opened.headers, opened.inReplyTo, [...opened.body]], ['id-1', 's', [{ name: 'X-Mood', value: 'good' }], 'id-0', [...original.body]])
    assert.ok(opened.from.equals(original.from) && opened.to.equals(to))
  })

  it('rejects a message signed by someone other than its sender, a flipped byte, another domain and an oversized body', async () => {
    const payload = marshalMessage(message())
    const forged = await RecordEnvelope.seal({ domain: MESSAGE_DOMAIN, codec: fromString('/presence-mesh/im/1'), marshal: () => payload, equals: () => false }, other)
    await assert.rejects(openMessage(forged.marshal()), InvalidMessageSignatureError)
    const sealed = await sealMessage(key, message())
    for (let i = 0; i < sealed.length; i += 7) {
      const flipped = sealed.slice()
      flipped[i] ^= 0x80
      await assert.rejects(openMessage(flipped), (err: Error) => NAMED.some(E => err instanceof E))
    }
    const otherDomain = await RecordEnvelope.seal({ domain: 'libp2p-peer-record', codec: fromString('/presence-mesh/im/1'), marshal: () => payload, equals: () => false }, key)
    await assert.rejects(openMessage(otherDomain.marshal()), InvalidMessageSignatureError)
    await assert.rejects(sealMessage(key, message({ body: new Uint8Array(1024 * 1024 + 1) })), MessageTooLargeError)
    await assert.rejects(openMessage(await sealMessage(key, message({ body: new Uint8Array(2048) })), 1024), MessageTooLargeError)
  })

  it('round-trips arbitrary valid messages', async () => {
    // eslint-disable-next-line no-control-regex
    const line = fc.string({ maxLength: 40 }).filter(s => !/[\x00-\x1f\x7f]/.test(s))
    await fc.assert(fc.asyncProperty(fc.record({
      id: fc.stringMatching(/^[\x21-\x7e]{1,64}$/),
      date: goodTime(Number.MAX_SAFE_INTEGER),
      subject: fc.option(line, { nil: undefined }),
      body: fc.uint8Array({ maxLength: 1000 }),
      headers: fc.array(fc.record({ name: fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), value: line }), { maxLength: 4 })
    }), async input => {
      const original = message({ ...input, headers: input.headers.map(h => ({ name: h.name, value: h.value })) })
      const back = await openMessage(await sealMessage(key, original))
      assert.deepEqual([back.id, back.date, back.subject, [...back.body], back.headers], [original.id, original.date, original.subject, [...original.body], original.headers])
    }), { numRuns: 100 })
  })

  it('only ever throws the named errors on arbitrary bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async bytes => {
      for (const decode of [async () => openMessage(bytes), async () => unmarshalMessage(bytes)]) {
        await decode().then(() => {}, (err: Error) => assert.ok(NAMED.some(E => err instanceof E), `unexpected ${err.name}: ${err.message}`))
      }
    }), { numRuns: 1000 })
  })
})
