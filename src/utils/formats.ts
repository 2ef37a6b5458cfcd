/**
 * Limits and grammars that presence, messaging and the gateway share, so that
 * a record, a message and a stanza agree on what is valid.
 */
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * Latest instant we accept or write: 9999-12-31T23:59:59.999Z, the last one
 * RFC 3339 (and so PIDF and CPIM) can express
 */
export const MAX_TIMESTAMP = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** How far in the future a signed record or message may be dated: the clocks of two honest nodes may disagree */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000

/** An id our protocols carry (a message id, a subscription's transaction id): 1–64 printable ASCII characters */
export const PRINTABLE_ID = /^[\x21-\x7e]{1,64}$/

/** An RFC 5646 language tag as PIDF's xml:lang and CPIM's `lang` need it: primary subtag and subtags of 1–8 letters or digits */
export const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/

/** The peer id a multiaddr ends in (`/p2p/<id>`; a circuit address's is the target's, not the relay's), if any */
export function addressPeerId (ma: Multiaddr): string | undefined {
  return ma.getComponents().findLast(c => c.name === 'p2p')?.value
}
