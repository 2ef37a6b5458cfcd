/**
 * Shared test material for presence records: fast-check arbitraries that
 * cover the whole format, keys, and a comparable form of records.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { AVAILABILITIES, MAX_TIMESTAMP } from '../../src/presence/constants.js'
import { goodTime, goodUint64 } from '../helpers/protons.js'
import type { PresenceExtension, PresenceRecord } from '../../src/presence/record.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

/** One key of each signing type libp2p peers use day to day */
export async function makeKeys (): Promise<PrivateKey[]> {
  return Promise.all([generateKeyPair('Ed25519'), generateKeyPair('secp256k1')])
}

// An RSA peer id (sha256 multihash), to cover presentities that are not
// identity multihashes without generating an RSA key in every run
const RSA_PEER = peerIdFromString('QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N')

/** Errors openPresence / unmarshalPresence are allowed to throw */
export const PRESENCE_ERRORS = new Set([
  'InvalidPresenceRecordError', 'PresenceRecordTooLargeError', 'InvalidSignatureError', 'UnauthorizedSignerError', 'ExpiredRecordError'
])

const XML_FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF\p{Cs}]/u // eslint-disable-line no-control-regex

/** Any code point XML can carry, weighted towards the ones that need escaping */
const xmlChar = fc.oneof(
  fc.constantFrom('<', '>', '&', '"', "'", '\r', '\n', '\r\n', '\t', ' ', ']]>', '&amp;', '\u00a0', '\u{1F600}', '\u200b'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter(char => !XML_FORBIDDEN.test(char))
)
export const xmlText = (minLength = 0): fc.Arbitrary<string> => fc.string({ unit: xmlChar, minLength, maxLength: 24 })

const langTag = fc.stringMatching(/^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,2}$/)
const phone = fc.stringMatching(/^\+?[0-9][0-9 ()./-]{0,15}$/)
const webUrl = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom('https://example.com/~user/index.html?a=1&b=%20#top', "http://x.example:8080/a;b=c/d(e)*'f'")
)
const namespace = fc.oneof(
  fc.constantFrom('urn:example:ns', 'http://id.example.com/presence/', 'tag:example.com,2026:status', 'urn:ietf:params:xml:ns:pidf-not'),
  fc.webUrl()
)

export const extensionArb: fc.Arbitrary<PresenceExtension> = fc.record({
  ns: namespace,
  name: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,15}$/),
  value: fc.oneof(xmlText(), fc.uint8Array({ maxLength: 32 }))
})

const address = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 65535 })).map(([ip, port]) => `/ip4/${ip}/tcp/${port}`),
  fc.constantFrom(
    '/ip6/::1/udp/4001/quic-v1',
    '/dns4/relay.example.com/tcp/443/wss',
    '/ip4/192.0.2.7/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA/p2p-circuit'
  )
).map(text => multiaddr(text))

const times = fc.uniqueArray(goodTime(MAX_TIMESTAMP), { minLength: 2, maxLength: 2 })
  .map(([a, b]) => [Math.min(a, b), Math.max(a, b)])

/** Records for the given presentities, exercising every field */
export function recordArb (presentities: PeerId[]): fc.Arbitrary<PresenceRecord> {
  return fc.record({
    presentity: fc.constantFrom(...presentities),
    basic: fc.constantFrom('open' as const, 'closed' as const),
    availability: fc.constantFrom(...AVAILABILITIES),
    note: fc.option(fc.record({ text: xmlText(), lang: fc.option(langTag, { nil: undefined }) }), { nil: undefined }),
    contact: fc.record({
      emails: fc.array(fc.emailAddress(), { maxLength: 2 }),
      phones: fc.array(phone, { maxLength: 2 }),
      postal: fc.option(xmlText(1), { nil: undefined }),
      web: fc.option(webUrl, { nil: undefined })
    }),
    addresses: fc.array(address, { maxLength: 3 }),
    seq: goodUint64(0n, 2n ** 64n - 1n),
    times,
    extensions: fc.uniqueArray(extensionArb, { maxLength: 3, selector: ({ ns, name }) => `${ns} ${name}` }),
    views: fc.uniqueArray(fc.record({
      keyId: fc.uint8Array({ minLength: 8, maxLength: 8 }),
      nonce: fc.uint8Array({ minLength: 24, maxLength: 24 }),
      ciphertext: fc.uint8Array({ minLength: 16, maxLength: 64 })
    }), { maxLength: 3, selector: view => Array.from(view.keyId).join() }),
    restricted: fc.boolean()
  }).map(({ times: [issuedAt, expiresAt], ...rest }) => ({ ...rest, issuedAt, expiresAt }))
}

export function allPresentities (keys: PrivateKey[]): PeerId[] {
  return [...keys.map(key => peerIdFromPrivateKey(key)), RSA_PEER]
}

/** A fixed, fully populated record */
export function sampleRecord (presentity: PeerId, now = Date.UTC(2026, 0, 1)): PresenceRecord {
  return {
    presentity,
    basic: 'open',
    availability: 'busy',
    note: { text: 'In a meeting <until> 3 & then "free"', lang: 'en-GB' },
    contact: { emails: ['ada@example.com'], phones: ['+44 20 7946 0000'], postal: '1 Example Road\nLondon', web: 'https://ada.example.com/' },
    addresses: [multiaddr('/ip4/192.0.2.1/tcp/4001'), multiaddr('/ip4/192.0.2.7/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA/p2p-circuit')],
    seq: 7n,
    issuedAt: now,
    expiresAt: now + 3_600_000,
    extensions: [
      { ns: 'urn:example:geo', name: 'city', value: 'London' },
      { ns: 'urn:example:avatar', name: 'hash', value: Uint8Array.from([0, 1, 2, 254, 255]) }
    ]
  }
}

/** Plain data with the same meaning, for deepStrictEqual */
export function comparable (record: Omit<PresenceRecord, 'addresses' | 'seq' | 'expiresAt' | 'issuedAt'> & Partial<PresenceRecord>): unknown {
  return {
    presentity: record.presentity.toString(),
    basic: record.basic,
    availability: record.availability,
    note: record.note == null ? null : { text: record.note.text, lang: record.note.lang ?? null },
    contact: {
      emails: record.contact.emails,
      phones: record.contact.phones,
      postal: record.contact.postal ?? null,
      web: record.contact.web ?? null
    },
    addresses: record.addresses?.map(ma => ma.toString()),
    seq: record.seq,
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
    extensions: record.extensions.map(({ ns, name, value }) =>
      ({ ns, name, value: typeof value === 'string' ? value : { bytes: Array.from(value) } })),
    views: (record.views ?? []).map(view => ({ keyId: Array.from(view.keyId), nonce: Array.from(view.nonce), ciphertext: Array.from(view.ciphertext) })),
    restricted: record.restricted === true
  }
}
