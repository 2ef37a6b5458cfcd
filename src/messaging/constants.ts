import { fromString } from 'uint8arrays/from-string'

/** Delivery protocol: one signed message in, one receipt out */
export const IM_PROTOCOL = '/presence-mesh/im/1.0.0'

/** Signature domain and payload type of messages: a message signature is valid for nothing else */
export const MESSAGE_DOMAIN = 'presence-mesh-im'
export const MESSAGE_PAYLOAD_TYPE = fromString('/presence-mesh/im/1')

/** Signature domain and payload type of the recipient's acknowledgements */
export const ACK_DOMAIN = 'presence-mesh-im-ack'
export const ACK_PAYLOAD_TYPE = fromString('/presence-mesh/im-ack/1')

/** Largest message body accepted by default (64 KiB); the envelope adds headers and signature */
export const DEFAULT_MAX_BODY_SIZE = 64 * 1024
/** Room the envelope takes beyond the body: headers, addresses, key, signature */
export const ENVELOPE_OVERHEAD = 16 * 1024

/**
 * Messages older than this are refused, and the record of messages seen is
 * kept this long: together they make a replay impossible — either the
 * message is remembered as seen, or it is too old to be accepted.
 */
export const MAX_MESSAGE_AGE_MS = 7 * 24 * 60 * 60_000
/** Messages dated further in the future are refused (clock skew allowance) */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000

/** A message id: 1–64 printable ASCII characters, unique among one sender's messages */
export const MESSAGE_ID = /^[\x21-\x7e]{1,64}$/
