/** A deposit token that does not verify, has expired, or names another recipient or depositor */
export class DepositTokenError extends Error {
  static name = 'DepositTokenError'
  name = 'DepositTokenError'
}
