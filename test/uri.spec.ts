import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { formatImUri, formatPresUri, InvalidUriError, parseUri, peerIdFromUri } from '../src/uri/index.js'

// copied from shared/vectors/uri/uri-cases.json (RFC 3859/3860 URIs quoted by public test suites)
const VECTORS = new URL('../../test/fixtures/uri-cases.json', import.meta.url)

describe('pres: and im: URIs', () => {
  it('formats and parses our own addresses', async () => {
    const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const pres = formatPresUri(peerId)
    assert.equal(pres, `pres:${peerId.toString()}`)
    assert.equal(formatImUri(peerId), `im:${peerId.toString()}`)
    const parsed = parseUri(pres)
    assert.equal(parsed.scheme, 'pres')
    assert.ok(parsed.peerId?.equals(peerId))
    assert.ok(peerIdFromUri(formatImUri(peerId)).equals(peerId))
    assert.ok(peerIdFromUri(peerId.toString()).equals(peerId), 'a bare peer id is accepted where a user types an address')
    assert.ok(peerIdFromUri(`PRES:${peerId.toString()}`).equals(peerId), 'the scheme is case-insensitive')
  })

  it('reads the RFC examples as the sources expect', async () => {
    const { cases } = JSON.parse(await readFile(VECTORS, 'utf8'))
    for (const c of cases as Array<{ uri: string, quirk?: string, source_expectation: string }>) {
      const strictlyValid = c.quirk == null && !c.source_expectation.startsWith('REJECTED')
      if (strictlyValid) {
        const parsed = parseUri(c.uri)
        assert.equal(parsed.peerId, undefined, `${c.uri} is a mailbox, not a peer`)
        assert.throws(() => peerIdFromUri(c.uri), InvalidUriError)
      } else {
        assert.throws(() => parseUri(c.uri), InvalidUriError, `${c.uri} is outside the RFC grammar`)
      }
    }
  })

  it('parses headers', () => {
    const parsed = parseUri('im:fred@example.com?subject=hello%20there&priority=urgent')
    assert.deepEqual(parsed.headers, [['subject', 'hello there'], ['priority', 'urgent']])
  })

  it('names what is wrong with malformed input', () => {
    assert.throws(() => parseUri(''), /empty/)
    assert.throws(() => parseUri('sip:fred@example.com'), /not a pres: or im: URI/)
    assert.throws(() => parseUri('pres:fred@'), /not a mailbox/)
    assert.throws(() => parseUri('pres:12D3KooWnotapeerid'), /neither a peer id nor a mailbox/)
    assert.throws(() => parseUri('im:a b@example.com'), /not allowed/)
    assert.throws(() => parseUri('im:fred@example.com?novalue'), /Malformed header/)
    assert.throws(() => parseUri('im:%C3%28@example.com'), /percent-encoding/)
    assert.throws(() => peerIdFromUri('pres:'), /names nobody/)
  })

  it('only ever throws InvalidUriError, whatever the input', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string().map(s => `pres:${s}`), fc.string().map(s => `im:${s}@x.org?${s}`)), input => {
      try {
        parseUri(input)
        peerIdFromUri(input)
      } catch (err) {
        assert.ok(err instanceof InvalidUriError, `unexpected ${(err as Error).name}: ${(err as Error).message}`)
      }
    }), { numRuns: 2000 })
  })
})
