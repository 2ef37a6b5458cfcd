/**
 * Delegation (RFC 2779 §2.3.4): a presentity lets a second key — another
 * device of the same person — publish its presence. The presentity signs a
 * Delegation naming that key and an end time; records signed by the
 * delegate carry it, so every reader checks the right to publish without
 * asking anyone, also while the presentity is offline.
 */
import { peerIdFromMultihash, peerIdFromPrivateKey, peerIdFromPublicKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import * as Digest from 'multiformats/hashes/digest'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { fromString } from 'uint8arrays/from-string'
import { SEQ_STEP } from './constants.js'
import { UnauthorizedSignerError } from './errors.js'
import { Delegation as PBDelegation } from './pb/presence.js'
import type { PresenceUpdate } from './own-presence.js'
import type { PresenceRecord } from './record.js'
import { EnvelopeSigner, validEnvelope } from '../utils/signed-envelopes.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

export const DELEGATION_DOMAIN = 'presence-mesh-delegation'
export const DELEGATION_PAYLOAD_TYPE = fromString('/presence-mesh/delegation/1')
/** Longest delegation we sign: a lost device must not speak for its owner for ever */
export const MAX_DELEGATION_MS = 366 * 24 * 60 * 60_000

export interface Delegation {
  presentity: PeerId
  delegate: PeerId
  /** ms since the epoch: records issued at or after it are refused */
  expiresAt: number
}

/** Sign a delegation with the presentity's key; envelope bytes to hand to the delegate */
export async function signDelegation (privateKey: PrivateKey, delegate: PeerId, expiresAt: number): Promise<Uint8Array> {
  const presentity = peerIdFromPrivateKey(privateKey)
  if (delegate.equals(presentity)) throw new UnauthorizedSignerError('A presentity needs no delegation to itself')
  if (!Number.isSafeInteger(expiresAt) || expiresAt <= Date.now() || expiresAt > Date.now() + MAX_DELEGATION_MS) {
    throw new UnauthorizedSignerError('A delegation must end in the future, within a year')
  }
  const payload = PBDelegation.encode({ presentity: presentity.toMultihash().bytes, delegate: delegate.toMultihash().bytes, expiresAt: BigInt(expiresAt) })
  return EnvelopeSigner.of(privateKey).seal(DELEGATION_DOMAIN, DELEGATION_PAYLOAD_TYPE, payload)
}

/**
 * Check that `bytes` lets `signer` sign a record of `presentity` issued at
 * `issuedAt`; returns the delegation. Throws UnauthorizedSignerError for
 * anything else, whatever the input.
 */
export async function verifyDelegation (bytes: Uint8Array, presentity: PeerId, signer: PeerId, issuedAt: number): Promise<Delegation> {
  let delegation: Delegation
  let envelope: RecordEnvelope
  try {
    envelope = RecordEnvelope.createFromProtobuf(bytes)
    if (!uint8ArrayEquals(envelope.payloadType, DELEGATION_PAYLOAD_TYPE)) throw new Error('not a delegation')
    const pb = PBDelegation.decode(envelope.payload)
    delegation = {
      presentity: peerIdFromMultihash(Digest.decode(pb.presentity)),
      delegate: peerIdFromMultihash(Digest.decode(pb.delegate)),
      expiresAt: Number(pb.expiresAt)
    }
  } catch (err: any) {
    throw new UnauthorizedSignerError(`Unreadable delegation: ${String(err.message)}`)
  }
  if (!delegation.presentity.equals(presentity) || !delegation.delegate.equals(signer)) {
    throw new UnauthorizedSignerError(`The delegation does not let ${signer.toString()} publish for ${presentity.toString()}`)
  }
  if (issuedAt >= delegation.expiresAt) throw new UnauthorizedSignerError('The delegation had ended when the record was issued')
  let valid = false
  try {
    valid = peerIdFromPublicKey(envelope.publicKey).equals(presentity) && await validEnvelope(envelope, DELEGATION_DOMAIN)
  } catch {
    valid = false
  }
  if (!valid) throw new UnauthorizedSignerError('The delegation is not signed by the presentity')
  return delegation
}

/**
 * What a delegate publishes: `update` applied to the presentity's newest
 * record `current`, above its sequence number, carrying the delegation.
 */
export function delegatedRecord (current: PresenceRecord, update: PresenceUpdate, delegation: Uint8Array, now: number, ttl: number): PresenceRecord {
  return {
    presentity: current.presentity,
    basic: update.basic ?? current.basic,
    availability: update.availability ?? current.availability,
    note: update.note === null ? undefined : update.note ?? current.note,
    contact: update.contact ?? current.contact,
    // where the presentity's own node is, not the delegate's
    addresses: current.addresses,
    // above every will of the presentity's current record, whose numbers lie in between
    seq: current.seq + SEQ_STEP,
    issuedAt: now,
    expiresAt: now + ttl,
    extensions: update.extensions ?? current.extensions,
    delegation
  }
}
