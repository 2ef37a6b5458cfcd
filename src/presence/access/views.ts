/**
 * Views: what a watcher is shown of a presentity's state, and how a view is
 * sealed into a signed record so that only holders of its content key can
 * read it — also while the presentity is offline (RFC 2779 §2.3.7, §5.2.1).
 *
 * A view's plaintext is itself a PresenceRecord (fields 1-10) with the outer
 * record's presentity, seq and timestamps; it is sealed with
 * XChaCha20-Poly1305 (@noble/ciphers) under the view's 32-byte content key,
 * the associated data binding it to that record and key id.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { concat } from 'uint8arrays/concat'
import { equals } from 'uint8arrays/equals'
import { fromString } from 'uint8arrays/from-string'
import { marshalPresence, unmarshalPresence, type PresenceRecord, type SealedView } from '../record.js'
import { VIEW_NONCE_BYTES } from '../constants.js'
import { isViewName, type ViewName } from './view-names.js'

export { VIEW_NAMES, isViewName, type ViewName } from './view-names.js'

/** What a politely blocked watcher is shown: always closed, nothing else */
export const BLOCKED_VIEW = 'blocked'
export type SealedViewName = ViewName | typeof BLOCKED_VIEW

export const VIEW_KEY_ID_BYTES = 8
/** XChaCha20-Poly1305's key */
export const VIEW_KEY_BYTES = 32

export interface ViewKey {
  /** VIEW_KEY_ID_BYTES random bytes, new with every rotation */
  keyId: Uint8Array
  /** VIEW_KEY_BYTES */
  key: Uint8Array
}

export function isSealedViewName (name: string): name is SealedViewName {
  return name === BLOCKED_VIEW || isViewName(name)
}

const AD_PREFIX = fromString('presence-mesh view v1')

/** `record` as the view shows it */
export function project (record: PresenceRecord, view: SealedViewName): PresenceRecord {
  const common = { ...record, views: [], restricted: false }
  switch (view) {
    case 'full': return common
    case 'availability': return { ...common, note: undefined, contact: { emails: [], phones: [] }, extensions: [] }
    case 'basic': return { ...common, availability: 'unknown', note: undefined, contact: { emails: [], phones: [] }, extensions: [] }
    case BLOCKED_VIEW: return closedPlaceholder(record)
  }
}

/**
 * What anyone sees of a presentity that shows no public view, and what a
 * politely blocked watcher sees: closed, no availability, note, contact or
 * extension. Addresses stay: they are what lets granted watchers and
 * senders reach the node.
 */
export function closedPlaceholder (record: PresenceRecord): PresenceRecord {
  return { ...record, basic: 'closed', availability: 'unknown', note: undefined, contact: { emails: [], phones: [] }, extensions: [], views: [], restricted: false }
}

export function sealView (record: PresenceRecord, view: SealedViewName, key: ViewKey): SealedView {
  const plaintext = marshalPresence(project(record, view))
  const nonce = randomBytes(VIEW_NONCE_BYTES)
  const ciphertext = xchacha20poly1305(key.key, nonce, associatedData(record, key.keyId)).encrypt(plaintext)
  return { keyId: key.keyId, nonce, ciphertext }
}

/**
 * The view of `outer` sealed under `key`, or undefined when the record seals
 * no view under that key or the view does not open or does not match the
 * record it is in. `outer` must be a verified record.
 */
export function openView (outer: PresenceRecord, key: ViewKey): PresenceRecord | undefined {
  const sealed = (outer.views ?? []).find(view => equals(view.keyId, key.keyId))
  if (sealed == null) return undefined
  let inner: PresenceRecord
  try {
    const plaintext = xchacha20poly1305(key.key, sealed.nonce, associatedData(outer, key.keyId)).decrypt(sealed.ciphertext)
    inner = unmarshalPresence(plaintext)
  } catch {
    return undefined
  }
  // the associated data binds presentity and seq; the timestamps must agree too
  if (!inner.presentity.equals(outer.presentity) || inner.seq !== outer.seq || inner.issuedAt !== outer.issuedAt || inner.expiresAt !== outer.expiresAt) {
    return undefined
  }
  // the outer addresses are the signed, public ones; a view never hides or changes them
  return { ...inner, addresses: outer.addresses, views: [], restricted: false }
}

export function newViewKey (): ViewKey {
  return { keyId: randomBytes(VIEW_KEY_ID_BYTES), key: randomBytes(VIEW_KEY_BYTES) }
}

function associatedData (record: PresenceRecord, keyId: Uint8Array): Uint8Array {
  const seq = new Uint8Array(8)
  new DataView(seq.buffer).setBigUint64(0, record.seq)
  return concat([AD_PREFIX, keyId, record.presentity.toMultihash().bytes, seq])
}
