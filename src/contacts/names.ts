/**
 * Contact names and how a command tells a name from an address. Kept free
 * of libp2p so that thin CLI commands can use it.
 */
import { ContactError } from './errors.js'

export const MAX_NAME_CHARS = 64

/** `pres:`/`im:` URIs, invitations and bare peer ids (base58 `12D3Koo…`/`Qm…`, CIDv1 `b…`) */
export function looksLikeAddress (text: string): boolean {
  return /^(pres|im|pmesh):/i.test(text) || /^(12D3Koo|16U|Qm)[1-9A-HJ-NP-Za-km-z]{40,}$/.test(text) || /^b[a-z2-7]{50,}$/.test(text)
}

/** A name as kept: trimmed, 1–64 characters, no control characters, not mistakable for an address */
export function checkName (name: string): string {
  const trimmed = name.trim()
  if (trimmed === '') throw new ContactError('bad_request', 'a contact name must not be empty')
  if (trimmed.length > MAX_NAME_CHARS) throw new ContactError('bad_request', `a contact name is at most ${MAX_NAME_CHARS} characters`)
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new ContactError('bad_request', 'a contact name must not hold control characters')
  if (looksLikeAddress(trimmed)) throw new ContactError('bad_request', `"${trimmed}" looks like an address, not a name; pick another`)
  return trimmed
}
