/** A deposit token that does not verify, has expired, or names another recipient or depositor */
export class DepositTokenError extends Error {
  static name = 'DepositTokenError'
  name = 'DepositTokenError'
}

/** A deposit refused from its length prefix (too large, or no room to read it now): its stream is reset */
export class DepositRefusedError extends Error {
  static name = 'DepositRefusedError'
  name = 'DepositRefusedError'
}
