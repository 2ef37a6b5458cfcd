/**
 * The attacker's side of the mailbox protocol, written from docs/PROTOCOL.md:
 * plain libp2p streams and the codecs protons generates from mailbox.proto.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import { Deposit, DepositResult } from '../../src/mailbox/pb/mailbox.js'
import { openRaw, type ForeignNode } from './foreign-node.js'
import type { Multiaddr } from '@multiformats/multiaddr'

export const DEPOSIT = '/presence-mesh/mailbox/deposit/2.0.0'

/** One deposit of `box` for `recipient` (a peer id multihash) at the mailbox `target` */
export async function depositRaw (attacker: ForeignNode, target: Multiaddr, recipient: Uint8Array, box: Uint8Array, token?: Uint8Array): Promise<DepositResult> {
  const signal = AbortSignal.timeout(10_000)
  const stream = await openRaw(attacker, target, DEPOSIT)
  try {
    const pb = pbStream(stream, { maxDataLength: 256 * 1024 })
    await pb.write({ recipient: new Uint8Array(recipient), box: new Uint8Array(box), token: token == null ? undefined : new Uint8Array(token) }, Deposit, { signal })
    const result = await pb.read(DepositResult, { signal })
    await stream.close({ signal })
    return result
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
}

/** Deposit junk boxes of `size` bytes until the mailbox refuses (or `max`): the statuses seen */
export async function flood (attacker: ForeignNode, target: Multiaddr, recipients: Uint8Array[], size: number, max: number): Promise<DepositResult.Status[]> {
  const statuses: DepositResult.Status[] = []
  for (let i = 0; i < max; i++) {
    const junk = new Uint8Array(size)
    crypto.getRandomValues(junk.subarray(0, Math.min(size, 65_536)))
    const result = await depositRaw(attacker, target, recipients[i % recipients.length], junk)
    statuses.push(result.status)
    if (result.status !== DepositResult.Status.STATUS_STORED) break
  }
  return statuses
}

/** Peer id multihashes of people who do not exist */
export async function madeUpRecipients (count: number): Promise<Uint8Array[]> {
  return Promise.all(Array.from({ length: count }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toMultihash().bytes))
}

/**
 * Dial between two of our nodes, once more if the loopback listener reset the
 * TCP connect (seen once under a loaded machine): the transport's hiccup is
 * not what these tests are about
 */
export async function connectOrRetry (connect: () => Promise<void>): Promise<void> {
  try {
    await connect()
  } catch (err: any) {
    if (err.code !== 'ECONNRESET' && !/ECONNRESET/.test(String(err.message))) throw err
    await connect()
  }
}
