/**
 * Invitations: one pasteable string, `pmesh:` and base58btc, carrying the
 * inviter's peer id, addresses (relay circuits included: a firewalled
 * inviter is reached through them), name and expiry, signed with its
 * identity key. The signature lets the invitee trust the addresses and name
 * before it ever reached the inviter; the random secret lets the inviter
 * recognise an invitation it issued, and refuse it once used.
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { base58btc } from 'multiformats/bases/base58'
import * as Digest from 'multiformats/hashes/digest'
import { concat, fromString } from 'uint8arrays'
import { InvalidInviteError } from './errors.js'
import { InvitePayload, SignedInvite } from './pb/invite.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

export const INVITE_PREFIX = 'pmesh:'
/** Signatures over invitations cannot be replayed as anything else the key signs */
const DOMAIN = fromString('presence-mesh-invite:')
/** Longest invitation text accepted; a real one is a few hundred characters */
export const MAX_INVITE_CHARS = 2048
export const MAX_INVITE_ADDRS = 8
export const MAX_INVITE_NAME = 64
export const SECRET_BYTES = 16

export type InviteKind = 'personal' | 'community'

export interface Invite {
  kind: InviteKind
  inviter: PeerId
  addrs: Multiaddr[]
  name: string
  /** ms since the epoch; 0: never */
  expires: number
  secret: Uint8Array
}

/** Sign and encode an invitation */
export async function encodeInvite (key: PrivateKey, invite: Omit<Invite, 'inviter'>): Promise<string> {
  if (invite.name.length > MAX_INVITE_NAME) throw new InvalidInviteError(`the name is longer than ${MAX_INVITE_NAME} characters`)
  const payload = InvitePayload.encode({
    kind: invite.kind === 'community' ? InvitePayload.Kind.KIND_COMMUNITY : InvitePayload.Kind.KIND_PERSONAL,
    peerId: key.publicKey.toMultihash().bytes,
    // the peer id is in the payload already: each address without it saves 39 bytes
    addrs: invite.addrs.slice(0, MAX_INVITE_ADDRS).map(ma => withoutPeer(ma, key.publicKey.toString()).bytes),
    name: invite.name,
    expires: BigInt(invite.expires),
    secret: new Uint8Array(invite.secret)
  })
  const signature = await key.sign(concat([DOMAIN, payload]))
  return INVITE_PREFIX + base58btc.baseEncode(SignedInvite.encode({ payload, signature: new Uint8Array(signature) }))
}

/**
 * Decode and verify an invitation; throws InvalidInviteError saying what is
 * wrong. Expiry is not checked here (see `expiryProblem`): whoever holds an
 * expired invitation still learns whose it was.
 */
export async function decodeInvite (text: string): Promise<Invite> {
  const trimmed = text.trim()
  if (trimmed.length > MAX_INVITE_CHARS) throw new InvalidInviteError(`an invitation is at most ${MAX_INVITE_CHARS} characters`)
  // a link may carry the invitation after a '#' or '?'
  const at = trimmed.lastIndexOf(INVITE_PREFIX)
  if (at < 0) throw new InvalidInviteError(`an invitation starts with "${INVITE_PREFIX}"`)
  let bytes: Uint8Array
  try {
    bytes = base58btc.baseDecode(trimmed.slice(at + INVITE_PREFIX.length))
  } catch {
    throw new InvalidInviteError('the invitation is damaged (not base58); was it copied whole?')
  }
  let signed: SignedInvite
  let payload: InvitePayload
  try {
    signed = SignedInvite.decode(bytes)
    payload = InvitePayload.decode(signed.payload, { limits: { addrs: MAX_INVITE_ADDRS } })
  } catch {
    throw new InvalidInviteError('the invitation is damaged (it does not decode); was it copied whole?')
  }
  let inviter: PeerId
  try {
    inviter = peerIdFromMultihash(Digest.decode(payload.peerId))
  } catch {
    throw new InvalidInviteError('the invitation names no valid peer id')
  }
  if (inviter.publicKey == null) throw new InvalidInviteError('the invitation\'s peer id carries no public key to check its signature with')
  const key = inviter.publicKey
  // a signature of the wrong length makes some verifiers throw: it is as false as a wrong one
  const valid = await (async () => key.verify(concat([DOMAIN, signed.payload]), signed.signature))().catch(() => false)
  if (valid !== true) throw new InvalidInviteError('the invitation\'s signature is not its inviter\'s (altered or forged)')
  if (payload.name.length > MAX_INVITE_NAME) throw new InvalidInviteError(`the invitation's name is longer than ${MAX_INVITE_NAME} characters`)
  if (payload.secret.length !== SECRET_BYTES) throw new InvalidInviteError('the invitation\'s secret has the wrong length')
  if (payload.kind !== InvitePayload.Kind.KIND_PERSONAL && payload.kind !== InvitePayload.Kind.KIND_COMMUNITY) throw new InvalidInviteError('the invitation is of an unknown kind')
  let addrs: Multiaddr[]
  try {
    addrs = payload.addrs.map(bytes => withPeer(multiaddr(bytes), inviter.toString()))
  } catch {
    throw new InvalidInviteError('the invitation holds an address that is not a multiaddr')
  }
  return {
    kind: payload.kind === InvitePayload.Kind.KIND_COMMUNITY ? 'community' : 'personal',
    inviter,
    addrs,
    name: payload.name,
    expires: Number(payload.expires),
    secret: payload.secret
  }
}

function withoutPeer (ma: Multiaddr, peer: string): Multiaddr {
  return ma.getComponents().at(-1)?.name === 'p2p' && ma.getComponents().at(-1)?.value === peer ? ma.decapsulateCode(CODE_P2P) : ma
}

/** The address as dialled: ending in the inviter's /p2p/ */
function withPeer (ma: Multiaddr, peer: string): Multiaddr {
  return ma.getComponents().at(-1)?.name === 'p2p' ? ma : ma.encapsulate(`/p2p/${peer}`)
}

/** Why an invitation can no longer be used, or undefined */
export function expiryProblem (invite: Invite, now = Date.now()): string | undefined {
  if (invite.expires === 0 || invite.expires > now) return undefined
  return `the invitation${invite.name !== '' ? ` from ${invite.name}` : ''} expired on ${new Date(invite.expires).toISOString()}; ask for a new one`
}
