/** A policy change that makes no sense: unknown default or view */
export class InvalidPolicyError extends Error {
  static name = 'InvalidPolicyError'
  name = 'InvalidPolicyError'
}

/** The presentity refuses to let us see its presence (RFC 2779 §5.1.5) */
export class AccessRefusedError extends Error {
  static name = 'AccessRefusedError'
  name = 'AccessRefusedError'
}
