/** An invitation that cannot be read, is not signed by its inviter, or says something not allowed */
export class InvalidInviteError extends Error {
  static name = 'InvalidInviteError'
  name = 'InvalidInviteError'
}

/** An invitation past its expiry, or one the inviter refused (used, unknown, withdrawn) */
export class InviteRefusedError extends Error {
  static name = 'InviteRefusedError'
  name = 'InviteRefusedError'
}

/** No contact by that name or id, or a name that cannot be used */
export class ContactError extends Error {
  static name = 'ContactError'
  name = 'ContactError'
  readonly code: 'not_found' | 'conflict' | 'bad_request'

  constructor (code: ContactError['code'], message: string) {
    super(message)
    this.code = code
  }
}
