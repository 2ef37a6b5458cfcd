/** Presence data that cannot be decoded, or decodes to something not allowed */
export class InvalidPresenceRecordError extends Error {
  static name = 'InvalidPresenceRecordError'
  name = 'InvalidPresenceRecordError'
}

/** A record or envelope larger than MAX_RECORD_SIZE */
export class PresenceRecordTooLargeError extends Error {
  static name = 'PresenceRecordTooLargeError'
  name = 'PresenceRecordTooLargeError'
}

/** The envelope signature does not verify for the presence domain */
export class InvalidSignatureError extends Error {
  static name = 'InvalidSignatureError'
  name = 'InvalidSignatureError'
}

/** The envelope was signed by a key that may not speak for the presentity */
export class UnauthorizedSignerError extends Error {
  static name = 'UnauthorizedSignerError'
  name = 'UnauthorizedSignerError'
}

/** A valid record older than the one held, or another record with the same sequence number (a rollback) */
export class StalePresenceRecordError extends Error {
  static name = 'StalePresenceRecordError'
  name = 'StalePresenceRecordError'
}

/** The record's expiry time has passed */
export class ExpiredRecordError extends Error {
  static name = 'ExpiredRecordError'
  name = 'ExpiredRecordError'
}

/** A document that is not usable PIDF (RFC 3863) */
export class InvalidPidfError extends Error {
  static name = 'InvalidPidfError'
  name = 'InvalidPidfError'
}

/** Nothing is known of a presentity: no record in the DHT, none pushed to us */
export class PresenceNotFoundError extends Error {
  static name = 'PresenceNotFoundError'
  name = 'PresenceNotFoundError'
}

/**
 * A lookup that found no record and that no DHT peer (nor the presentity)
 * answered: refused, failed or unrouted queries. Not an answer that the
 * presentity is away
 */
export class LookupUnansweredError extends Error {
  static name = 'LookupUnansweredError'
  name = 'LookupUnansweredError'
}

/** kad-dht was built without presence's validators and selectors (see presenceDhtInit) */
export class MissingDhtWiringError extends Error {
  static name = 'MissingDhtWiringError'
  name = 'MissingDhtWiringError'
}

/** A presentity's answer to a subscribe that does not say anything (no status) */
export class InvalidSubscribeResponseError extends Error {
  static name = 'InvalidSubscribeResponseError'
  name = 'InvalidSubscribeResponseError'
}
