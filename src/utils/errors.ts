/** A remote opened more streams of a protocol than the node lets one peer, or everyone, hold at once. */
export class TooManyStreamsError extends Error {
  static name = 'TooManyStreamsError'
  name = 'TooManyStreamsError'
}

/**
 * A length prefix announced more than the protocol's largest message, or
 * bytes came where the protocol expects none: the stream is aborted before
 * anything is buffered for it.
 */
export class FrameLimitError extends Error {
  static name = 'FrameLimitError'
  name = 'FrameLimitError'
}

/**
 * A stored value that does not read as its form: bytes that are not the
 * message, a field missing or out of range. The value is set aside (stored-values.ts).
 */
export class InvalidStoredValueError extends Error {
  static name = 'InvalidStoredValueError'
  name = 'InvalidStoredValueError'
}
