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

/** A length prefix that runs past the longest varint any frame of ours needs */
export class InvalidLengthPrefixError extends Error {
  static name = 'InvalidLengthPrefixError'
  name = 'InvalidLengthPrefixError'
}

/**
 * A stored value that does not read as its form: bytes that are not the
 * message, a field missing or out of range. The value is set aside (stored-values.ts).
 */
export class InvalidStoredValueError extends Error {
  static name = 'InvalidStoredValueError'
  name = 'InvalidStoredValueError'
}

/** A stream closed while frames written to it were still waiting to be sent */
export class StreamClosedBeforeDrainError extends Error {
  static name = 'StreamClosedBeforeDrainError'
  name = 'StreamClosedBeforeDrainError'
}
