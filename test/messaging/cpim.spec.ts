import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { fromString } from 'uint8arrays/from-string'
import { toString } from 'uint8arrays/to-string'
import { frameCpim, splitCpim } from '../../src/messaging/cpim-mime.js'
import { cpimToMessage, fromCpim, InvalidCpimError, toCpim, CPIM_NAMESPACE } from '../../src/messaging/cpim.js'
import type { InstantMessage } from '../../src/messaging/message.js'
import type { PeerId } from '@libp2p/interface'

const fixture = async (path: string): Promise<string> => readFile(new URL(`../../../test/fixtures/cpim/${path}`, import.meta.url), 'utf8')

describe('message/cpim', () => {
  let alice: PeerId
  let bob: PeerId
  before(async () => {
    alice = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    bob = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  })
  const message = (overrides: Partial<InstantMessage> = {}): InstantMessage => ({
    from: alice, to: bob, id: 'mwv-1', date: Date.UTC(2026, 10, 25, 8, 0, 0, 123), contentType: 'text/plain; charset=utf-8', body: fromString('hello'), headers: [], ...overrides
  })

  it('reads the RFC 3862 example', async () => {
    const parsed = fromCpim(await fixture('valid/liblinphone-2024-rfc3862-example-no-mime-wrapper.cpim'))
    assert.deepEqual(parsed.from, { name: 'MR SANDERS', uri: 'im:piglet@100akerwood.com', peerId: undefined })
    assert.equal(parsed.to[0].uri, 'im:eeyore@100akerwood.com')
    assert.equal(parsed.dateTime?.toISOString(), '2000-12-13T21:40:00.000Z')
    assert.deepEqual(parsed.subjects, [{ text: 'the weather will be fine today', lang: undefined }, { text: 'beau temps prevu pour aujourd\'hui', lang: 'fr' }])
    const features = parsed.headers.filter(h => h.namespace === 'mid:MessageFeatures@id.foo.com').map(h => [h.name, h.value])
    assert.deepEqual(features, [['VitalMessageOption', 'Confirmation-requested'], ['WackyMessageOption', 'Use-silly-font']])
    assert.ok(parsed.headers.some(h => h.namespace === CPIM_NAMESPACE && h.name === 'Require' && h.value === 'MyFeatures.VitalMessageOption'))
    assert.equal(parsed.contentType, 'text/xml; charset=utf-8')
    assert.equal(toString(parsed.body).trim(), '<body>Here is the text of my message.</body>')
  })

  it('reads a minimal message and namespace prefixes, and rejects an undeclared prefix', async () => {
    const minimal = fromCpim(await fixture('valid/liblinphone-2024-minimal-no-mime-wrapper.cpim'))
    assert.deepEqual(minimal.subjects, [{ text: 'the weather will be fine today', lang: undefined }])
    assert.equal(minimal.contentType, 'text/plain; charset=utf-8')
    const prefixes = fromCpim(await fixture('valid/cpimjs-msg1-ns-prefixes.cpim'))
    assert.deepEqual(prefixes.to.map(t => t.uri), ['sip:alice@atlanta.com', 'sip:bob@biloxi.com', 'sip:carol@carolina.com'])
    assert.deepEqual(prefixes.headers.filter(h => h.namespace === 'urn:cpim:test' && h.name === 'foo').map(h => h.value), ['Foo1', 'Foo2', 'Foo3'])
    assert.deepEqual(prefixes.headers.filter(h => h.namespace === 'urn:cpim:test2').map(h => h.value), ['Bar'])
    assert.equal(prefixes.subjects.length, 0, '"subject" is not "Subject": names are case-sensitive')
    const undeclared = await fixture('invalid/cpimjs-msg2-undeclared-ns-prefix.cpim')
    assert.throws(() => fromCpim(undeclared), /not declared/)
  })

  it('round-trips text in any script, binary and multipart bodies, subjects and extension headers', () => {
    const cases = [
      message({ body: fromString('مرحبا — 你好 — 👋🏽 — e\u0301'), subject: 'Grüße' }),
      message({ contentType: 'application/octet-stream', body: Uint8Array.from({ length: 256 }, (_, i) => i) }),
      message({ contentType: 'multipart/mixed; boundary="b1"', body: fromString('--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b1--\r\n') }),
      message({ headers: [{ name: 'Priority', value: 'urgent' }], inReplyTo: 'mwv-0', replyTo: `im:${alice.toString()}` }),
      message({ body: fromString('bare\rCR stays intact') })
    ]
    for (const original of cases) {
      assert.deepEqual(meaning(cpimToMessage(fromCpim(toCpim(original)))), meaning(original))
    }
  })

  it('round-trips arbitrary valid messages', () => {
    const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/)
    // eslint-disable-next-line no-control-regex
    const line = fc.string({ maxLength: 60 }).filter(s => !/[\x00-\x1f\x7f]/.test(s)).map(s => s.trim()).filter(s => s.length > 0)
    fc.assert(fc.property(fc.record({
      id: fc.stringMatching(/^[\x21-\x7e]{1,64}$/),
      date: fc.integer({ min: 0, max: Date.UTC(9999, 0, 1) }),
      subject: fc.option(line, { nil: undefined }),
      text: fc.option(fc.string(), { nil: undefined }),
      bytes: fc.uint8Array({ maxLength: 300 }),
      headers: fc.array(fc.record({ name: token, value: line }), { maxLength: 4 })
    }), input => {
      const original = message({
        id: input.id,
        date: input.date,
        subject: input.subject,
        contentType: input.text != null ? 'text/plain; charset=utf-8' : 'application/octet-stream',
        body: input.text != null ? fromString(input.text) : input.bytes,
        headers: input.headers.map(h => ({ name: h.name, value: h.value }))
      })
      const back = cpimToMessage(fromCpim(toCpim(original)))
      assert.deepEqual([back.id, back.date, back.subject, back.contentType, [...back.body], back.headers], [original.id, original.date, original.subject, original.contentType, [...original.body], original.headers])
    }), { numRuns: 300 })
  })

  const meaning = (m: InstantMessage): unknown[] => [m.from.toString(), m.to.toString(), m.id, m.date, m.subject, m.contentType, [...m.body], m.headers, m.replyTo, m.inReplyTo]

  it('frames a stream of messages so it splits back, even when a body holds CPIM text', () => {
    const inner = toCpim(message({ id: 'inner', body: fromString('not a message of its own') }))
    const messages = [
      message({ id: 'a', contentType: 'message/cpim', body: fromString(inner) }),
      message({ id: 'b', body: fromString(`${inner}\r\n\r\n`) }),
      message({ id: 'c', body: fromString('Content-Type: message/cpim\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n\r\n') }),
      message({ id: 'd', body: fromString('') })
    ]
    // exactly what `pmesh inbox --cpim` writes
    const stream = messages.map(m => frameCpim(toCpim(m))).join('')
    const back = splitCpim(stream).map(bytes => cpimToMessage(fromCpim(bytes)))
    assert.deepEqual(back.map(meaning), messages.map(meaning))
    // one framed message read on its own stops at its Content-Length
    assert.deepEqual(meaning(cpimToMessage(fromCpim(stream))), meaning(messages[0]))
    assert.throws(() => splitCpim(stream.slice(0, -5)), { name: 'InvalidCpimError' })
  })

  it('splits any framed stream back into its messages, and only ever throws InvalidCpimError on junk', () => {
    fc.assert(fc.property(fc.array(fc.string(), { maxLength: 5 }), texts => {
      const stream = texts.map(text => frameCpim(toCpim(message({ body: fromString(text) })))).join('')
      assert.deepEqual(splitCpim(stream).map(bytes => toString(cpimToMessage(fromCpim(bytes)).body)), texts)
    }), { numRuns: 200 })
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string().map(s => `Content-Type: message/cpim\r\nContent-Length: ${s.length}\r\n\r\n${s}`)), junk => {
      try {
        splitCpim(junk)
      } catch (err) {
        assert.ok(err instanceof InvalidCpimError, String(err))
      }
    }), { numRuns: 1000 })
  })

  it('writes non-ASCII Content-Type parameters in RFC 2231 form and reads them back', () => {
    const original = message({ contentType: 'application/pdf; name="Ünïcødé 文件 \\"1\\".pdf"', body: Uint8Array.of(1, 2, 3) })
    const cpim = toCpim(original)
    const header = cpim.split('\r\n').find(line => line.startsWith('Content-Type:'))
    assert.equal(header, "Content-Type: application/pdf; name*=utf-8''%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%E6%96%87%E4%BB%B6%20%221%22.pdf")
    assert.deepEqual(meaning(cpimToMessage(fromCpim(cpim))), meaning(original))
    // ASCII parameters stay as written
    assert.match(toCpim(message({ contentType: 'text/plain; charset=utf-8; format=flowed' })), /Content-Type: text\/plain; charset=utf-8; format=flowed\r\n/)
    // what other mailers write: continuations, and a Latin-1 value
    const foreign = (type: string): string => cpimToMessage(fromCpim(`From: <im:${alice.toString()}>\r\nTo: <im:${bob.toString()}>\r\n\r\nContent-Type: ${type}\r\n\r\nx`), { id: 'f' }).contentType
    assert.equal(foreign("application/pdf; name*0*=utf-8''caf%C3%A9; name*1=\" menu.pdf\""), 'application/pdf; name="café menu.pdf"')
    assert.equal(foreign("text/plain; name*=iso-8859-1'fr'caf%E9.txt"), 'text/plain; name="café.txt"')
    assert.equal(foreign("text/plain; name*=klingon''%FF"), "text/plain; name*=klingon''%FF", 'an unknown charset stays as written')
  })

  it('accepts From: <im:tigger>, an im: address without a host, as liblinphone does', () => {
    const parsed = fromCpim('From: <im:tigger>\r\nTo: <im:eeyore@100akerwood.com>\r\nDateTime: 2000-12-13T13:40:00-08:00\r\n\r\nContent-Type: text/plain\r\n\r\nHello')
    assert.deepEqual(parsed.from, { name: undefined, uri: 'im:tigger', peerId: undefined })
    assert.equal(toString(parsed.body), 'Hello')
    // it is nobody in the mesh: as one of our messages it is refused with a reason
    assert.throws(() => cpimToMessage(parsed, { id: 'x' }), /From must be a presence-mesh address/)
  })

  it('only ever throws InvalidCpimError on junk', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string().map(s => `From: ${s}\r\n\r\n${s}`), fc.string().map(s => `${s}: x\n\nContent-Type: text/plain\n\n${s}`)), input => {
      try {
        const parsed = fromCpim(input)
        try {
          cpimToMessage(parsed, { id: 'x' })
        } catch (err) {
          assert.ok(err instanceof InvalidCpimError, String(err))
        }
      } catch (err) {
        assert.ok(err instanceof InvalidCpimError, `unexpected ${(err as Error).name}: ${(err as Error).message}`)
      }
    }), { numRuns: 2000 })
  })
})
