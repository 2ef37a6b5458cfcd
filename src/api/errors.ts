/**
 * An error the control API reports to its client: an HTTP status, a stable
 * machine-readable code and a sentence for people.
 */
export class ApiError extends Error {
  static name = 'ApiError'
  name = 'ApiError'
  readonly status: number
  readonly code: string

  constructor (status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** The client could not reach a running node for the given home */
export class NodeNotRunningError extends Error {
  static name = 'NodeNotRunningError'
  name = 'NodeNotRunningError'
}

/** Errors whose message is safe and useful to show as a 400 Bad Request */
const BAD_INPUT_ERRORS = new Set([
  'InvalidUriError',
  'InvalidConfigError',
  'InvalidMultiaddrError',
  'InvalidParametersError',
  'InvalidPeerIdError',
  'SyntaxError',
  // a presence update that breaks a rule of the record format
  'InvalidPresenceRecordError',
  'PresenceRecordTooLargeError',
  'InvalidPolicyError',
  // a message the user asked to send that breaks a rule of the message format
  'InvalidMessageError'
])

/** Map anything a handler threw to what the client is told */
export function toApiError (err: any): ApiError {
  if (err instanceof ApiError) return err
  if (BAD_INPUT_ERRORS.has(err?.name)) return new ApiError(400, 'bad_request', err.message)
  if (err?.name === 'MessageTooLargeError') return new ApiError(413, 'too_large', err.message)
  if (err?.name === 'PresenceNotFoundError') return new ApiError(404, 'not_found', err.message)
  if (err?.name === 'AccessRefusedError') return new ApiError(403, 'refused', err.message)
  // a delegation that does not let this node publish for the presentity
  if (err?.name === 'UnauthorizedSignerError') return new ApiError(403, 'not_delegated', err.message)
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError') {
    return new ApiError(504, 'timeout', 'The operation timed out')
  }
  return new ApiError(500, 'internal', err?.message ?? String(err))
}
