/** The command line was wrong: the user gets the message and the usage, exit code 2 */
export class UsageError extends Error {
  static name = 'UsageError'
  name = 'UsageError'
}
