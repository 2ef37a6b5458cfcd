/**
 * Thrown when a string is not a well-formed `pres:` or `im:` URI (RFC 3859 /
 * RFC 3860), or names nobody a presence-mesh node can reach.
 */
export class InvalidUriError extends Error {
  static name = 'InvalidUriError'
  name = 'InvalidUriError'
}
