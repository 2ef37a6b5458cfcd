import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'

/**
 * Signature domain of presence envelopes. The signature covers it, so a
 * presence signature can never be replayed as a libp2p peer record or as any
 * other envelope signed with the same key, and vice versa.
 */
export const PRESENCE_DOMAIN = 'presence-mesh-presence'

/**
 * Envelope payload type: the UTF-8 bytes of `/presence-mesh/presence/1`.
 * A self-describing string rather than a multicodec code, because no code is
 * registered for us. The trailing number changes only for an incompatible
 * format; compatible additions are new protobuf fields.
 */
export const PRESENCE_PAYLOAD_TYPE = uint8ArrayFromString('/presence-mesh/presence/1')

/**
 * Largest signed envelope we create or accept, in bytes. A record is small
 * (an Ed25519 envelope with a note and a few addresses is a few hundred
 * bytes); the cap bounds what one DHT value or push can cost every
 * peer that stores or relays it, and bounds decoding work on hostile input.
 */
export const MAX_RECORD_SIZE = 8 * 1024

/**
 * Access-controlled views a record may seal: the named views of
 * src/presence/access/views.ts plus the polite-block view, with room to add more.
 */
export const MAX_VIEWS = 8
export const VIEW_KEY_ID_BYTES = 8
/** XChaCha20-Poly1305 */
export const VIEW_NONCE_BYTES = 24

/**
 * Latest timestamp a record may carry: timestamps must be expressible as an
 * xs:dateTime with a four-digit year for PIDF
 */
export { MAX_TIMESTAMP } from '../utils/formats.js'

/**
 * Availability values; the wire value (protobuf field 3) is the index, so
 * new values are only ever appended.
 */
export const AVAILABILITIES = ['unknown', 'available', 'busy', 'idle', 'away', 'do-not-disturb'] as const

/** XML namespaces used in PIDF documents */
export const NS_PIDF = 'urn:ietf:params:xml:ns:pidf'
export const NS_DATA_MODEL = 'urn:ietf:params:xml:ns:pidf:data-model'
export const NS_RPID = 'urn:ietf:params:xml:ns:pidf:rpid'
export const NS_CIPID = 'urn:ietf:params:xml:ns:pidf:cipid'
/**
 * Our own namespace for what no PIDF extension standardises (e-mail,
 * telephone and postal contact, do-not-disturb, binary extension values).
 * It is only an identifier: nothing is served at it.
 */
export const NS_PRESENCE_MESH = 'urn:presence-mesh:pidf'
export const NS_XML = 'http://www.w3.org/XML/1998/namespace'
export const NS_XMLNS = 'http://www.w3.org/2000/xmlns/'

/**
 * Our records' sequence numbers step by this much. The numbers between two
 * records are our wills': holder i of record s gets the will s + i (1 ≤ i ≤
 * MAX_WILL_HOLDERS), so a will seen published names the holder that had it,
 * and our own goodbye is s + GOODBYE_SLOT, above every holder's copy (theirs
 * are then late, ignored without blame). Any step works on the wire: readers
 * only compare sequence numbers.
 */
export const SEQ_STEP = 16n
export const MAX_WILL_HOLDERS = 14
export const GOODBYE_SLOT = 15

/** What the presence service provides, for other services' `serviceDependencies` */
export const PRESENCE_CAPABILITY = '@presence-mesh/presence'
