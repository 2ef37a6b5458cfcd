import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { base58btc } from 'multiformats/bases/base58'
import { InvalidInviteError } from '../../src/contacts/errors.js'
import { decodeInvite, encodeInvite, expiryProblem, INVITE_PREFIX, MAX_INVITE_CHARS, type Invite } from '../../src/contacts/invite.js'
import { InvitePayload, Redeem, RedeemResponse, SignedInvite } from '../../src/contacts/pb/invite.js'
import { goodTime } from '../helpers/protons.js'

const key = await generateKeyPair('Ed25519')
const other = await generateKeyPair('Ed25519')

const addrArb = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 65535 }), fc.boolean())
  .map(([octet, port, circuit]) => multiaddr(`/ip4/10.0.0.${octet}/tcp/${port}/p2p/${peerIdFromPrivateKey(other).toString()}${circuit ? `/p2p-circuit/p2p/${peerIdFromPrivateKey(key).toString()}` : ''}`))
const inviteArb = fc.record({
  kind: fc.constantFrom<Invite['kind']>('personal', 'community'),
  addrs: fc.array(addrArb, { maxLength: 8 }),
  name: fc.string({ maxLength: 64 }),
  expires: goodTime(2 ** 45),
  secret: fc.uint8Array({ minLength: 16, maxLength: 16 })
})

describe('invitations', () => {
  it('decode what was encoded: inviter, addresses, name, expiry and secret', async () => {
    await fc.assert(fc.asyncProperty(inviteArb, async invite => {
      const text = await encodeInvite(key, invite)
      assert.ok(text.startsWith(INVITE_PREFIX) && text.length <= MAX_INVITE_CHARS)
      const decoded = await decodeInvite(text)
      assert.ok(decoded.inviter.equals(peerIdFromPrivateKey(key)))
      assert.deepEqual(decoded.addrs.map(String), invite.addrs.map(String))
      assert.equal(decoded.name, invite.name)
      assert.equal(decoded.expires, invite.expires)
      assert.deepEqual(decoded.secret, invite.secret)
      assert.equal(decoded.kind, invite.kind)
      // inside a link, after '#'
      assert.equal((await decodeInvite(`https://example.org/add#${text}`)).name, invite.name)
    }), { numRuns: 60 })
  })

  it('refuse any altered character, any string and any bytes with InvalidInviteError, never another error', async () => {
    const text = await encodeInvite(key, { kind: 'personal', addrs: [multiaddr('/ip4/127.0.0.1/tcp/4001')], name: 'Alice', expires: Date.now() + 60_000, secret: new Uint8Array(16) })
    const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
    await fc.assert(fc.asyncProperty(fc.integer({ min: INVITE_PREFIX.length, max: text.length - 1 }), fc.constantFrom(...alphabet), async (at, char) => {
      fc.pre(text[at] !== char)
      const altered = text.slice(0, at) + char + text.slice(at + 1)
      await assert.rejects(decodeInvite(altered), InvalidInviteError)
    }), { numRuns: 100 })
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 3000 }), async s => {
      await assert.rejects(decodeInvite(s), InvalidInviteError)
    }), { numRuns: 200 })
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async bytes => {
      await assert.rejects(decodeInvite(INVITE_PREFIX + base58btc.baseEncode(bytes)), InvalidInviteError)
    }), { numRuns: 200 })
  })

  it('refuse a payload signed by another key than the one it names', async () => {
    const payload = InvitePayload.encode({ kind: InvitePayload.Kind.KIND_PERSONAL, peerId: key.publicKey.toMultihash().bytes, addrs: [], name: 'Mallory', expires: 0n, secret: new Uint8Array(16) })
    const signature = await other.sign(payload)
    const forged = INVITE_PREFIX + base58btc.baseEncode(SignedInvite.encode({ payload, signature: new Uint8Array(signature) }))
    await assert.rejects(decodeInvite(forged), /signature is not its inviter's/)
  })

  it('say when an invitation expired, and never for one without expiry', async () => {
    const invite = await decodeInvite(await encodeInvite(key, { kind: 'personal', addrs: [], name: 'Alice', expires: Date.now() - 1000, secret: new Uint8Array(16) }))
    assert.match(expiryProblem(invite) ?? '', /from Alice expired on/)
    assert.equal(expiryProblem({ ...invite, expires: 0 }), undefined)
  })
})

describe('the invitation protocol\'s messages', () => {
  it('a Redeem and a RedeemResponse read back as sent, and any bytes decode to one or fail with an Error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 32 }), fc.string({ maxLength: 64 }), (secret, name) => {
      assert.deepEqual(Redeem.decode(Redeem.encode({ secret, name })), { secret, name })
    }))
    fc.assert(fc.property(fc.constantFrom(RedeemResponse.Status.STATUS_OK, RedeemResponse.Status.STATUS_REFUSED), fc.string({ maxLength: 200 }), (status, reason) => {
      assert.deepEqual(RedeemResponse.decode(RedeemResponse.encode({ status, reason })), { status, reason })
    }))
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), bytes => {
      for (const decode of [(b: Uint8Array) => Redeem.decode(b), (b: Uint8Array) => RedeemResponse.decode(b)]) {
        let value: Redeem | RedeemResponse
        try {
          value = decode(bytes)
        } catch (err) {
          assert.ok(err instanceof Error)
          continue
        }
        if ('secret' in value) assert.ok(value.secret instanceof Uint8Array && typeof value.name === 'string')
        else assert.ok(typeof value.reason === 'string')
      }
    }), { numRuns: 2_000 })
  })
})
