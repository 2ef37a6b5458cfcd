/** The identity key file exists but cannot be read or decoded. It is never overwritten. */
export class IdentityKeyError extends Error {
  static name = 'IdentityKeyError'
  name = 'IdentityKeyError'
  readonly path: string

  constructor (path: string, reason: string) {
    super(`Cannot use the identity key file ${path}: ${reason}. It was left untouched; restore it from a backup, or move it away to create a new identity.`)
    this.path = path
  }
}

/** The config file in the node's home is not valid JSON or holds a bad setting. */
export class InvalidConfigError extends Error {
  static name = 'InvalidConfigError'
  name = 'InvalidConfigError'
}

/** Another running node already uses this home (its datastore is locked). */
export class HomeInUseError extends Error {
  static name = 'HomeInUseError'
  name = 'HomeInUseError'
}

/** A DHT server holds as many records as it takes (`dht.maxRecords`); it takes updates of those only. */
export class DhtStoreFullError extends Error {
  static name = 'DhtStoreFullError'
  name = 'DhtStoreFullError'
}

/** The home directory cannot be created, read or written (a file, a read-only place, /proc, …). */
export class UnusableHomeError extends Error {
  static name = 'UnusableHomeError'
  name = 'UnusableHomeError'
}
