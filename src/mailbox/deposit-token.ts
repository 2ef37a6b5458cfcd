/**
 * Deposit tokens: a recipient signs, with its own identity key, that one
 * contact may leave mail for it in the part of its mailbox kept for
 * contacts. A relay checks the token against the recipient's peer id (the
 * envelope's key must be the recipient's) and the depositor against the
 * connection's authenticated peer, so a token is useless to anyone else.
 */
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import { equals } from 'uint8arrays/equals'
import { DEPOSIT_TOKEN_DOMAIN, DEPOSIT_TOKEN_PAYLOAD_TYPE, MAX_DEPOSIT_TOKEN_LIFETIME_MS, MAX_DEPOSIT_TOKEN_SIZE } from './constants.js'
import { DepositTokenError } from './errors.js'
import { DepositToken } from './pb/mailbox.js'
import type { PeerId, PrivateKey, Record } from '@libp2p/interface'

/** Sign a token letting `depositor` use our box until `expiresAt` (ms since the epoch) */
export async function signDepositToken (privateKey: PrivateKey, depositor: PeerId, expiresAt: number): Promise<Uint8Array> {
  const payload = DepositToken.encode({
    recipient: peerIdFromPublicKey(privateKey.publicKey).toMultihash().bytes,
    depositor: depositor.toMultihash().bytes,
    expiresAt: BigInt(expiresAt)
  })
  const record: Record = { domain: DEPOSIT_TOKEN_DOMAIN, codec: DEPOSIT_TOKEN_PAYLOAD_TYPE, marshal: () => payload, equals: other => equals(payload, other.marshal()) }
  return (await RecordEnvelope.seal(record, privateKey)).marshal()
}

/**
 * Check that `token` is `recipient`'s, for `depositor`, and not expired at
 * `now`. Resolves with its expiry; anything else throws DepositTokenError.
 */
export async function verifyDepositToken (token: Uint8Array, recipient: PeerId, depositor: PeerId, now = Date.now()): Promise<number> {
  if (token.byteLength > MAX_DEPOSIT_TOKEN_SIZE) throw new DepositTokenError(`token of ${token.byteLength} bytes exceeds ${MAX_DEPOSIT_TOKEN_SIZE}`)
  let payload: DepositToken
  try {
    const envelope = await RecordEnvelope.openAndCertify(token, DEPOSIT_TOKEN_DOMAIN)
    if (!equals(envelope.payloadType, DEPOSIT_TOKEN_PAYLOAD_TYPE)) throw new Error('not a deposit token')
    if (!peerIdFromPublicKey(envelope.publicKey).equals(recipient)) throw new Error('not signed by the recipient')
    payload = DepositToken.decode(envelope.payload)
  } catch (err: any) {
    throw new DepositTokenError(`token does not verify: ${err.message}`)
  }
  if (!equals(payload.recipient, recipient.toMultihash().bytes)) throw new DepositTokenError('token is for another recipient')
  if (!equals(payload.depositor, depositor.toMultihash().bytes)) throw new DepositTokenError('token was given to another depositor')
  const expiresAt = Number(payload.expiresAt)
  if (expiresAt <= now) throw new DepositTokenError(`token expired at ${new Date(expiresAt).toISOString()}`)
  if (expiresAt > now + MAX_DEPOSIT_TOKEN_LIFETIME_MS) throw new DepositTokenError('token expires implausibly far ahead')
  return expiresAt
}
