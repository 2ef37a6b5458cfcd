/**
 * What the presence service needs from the DHT configuration, which libp2p
 * fixes when the node is created (before any service exists).
 */
import { DHT_DATASTORE_PREFIX, selectPresenceRecord, storedRecordValidator } from './dht-record.js'
import { MissingDhtWiringError } from './errors.js'
import { DHT_NAMESPACE } from './protocol.js'
import type { Datastore } from 'interface-datastore'

export { DHT_DATASTORE_PREFIX }

type Validator = (key: Uint8Array, value: Uint8Array) => Promise<void>
type Selector = (key: Uint8Array, records: Uint8Array[]) => number

/**
 * kad-dht's validators for our namespace, reading the records kad-dht keeps
 * in `datastore` (under DHT_DATASTORE_PREFIX, which kad-dht must be given)
 * so that a put never replaces a newer record with an older one
 */
export function presenceDhtValidators (datastore: Datastore): Record<string, Validator> {
  return { [DHT_NAMESPACE]: storedRecordValidator(datastore) }
}
export const presenceDhtSelectors: Record<string, Selector> = { [DHT_NAMESPACE]: selectPresenceRecord }

/**
 * Everything kad-dht must be given for presence, to spread into its init:
 * `kadDHT({ ...presenceDhtInit(datastore), clientMode })`, where `datastore`
 * is the one given to createLibp2p
 */
export function presenceDhtInit (datastore: Datastore): { datastorePrefix: string, validators: Record<string, Validator>, selectors: Record<string, Selector> } {
  return { datastorePrefix: DHT_DATASTORE_PREFIX, validators: presenceDhtValidators(datastore), selectors: presenceDhtSelectors }
}

/**
 * Fails at start, with what to do, when kad-dht was built without our
 * validator: otherwise every put fails later, deep in a publish. kad-dht keeps
 * its validators on the instance; if a version stops doing so, the check is
 * skipped rather than refusing a node that may be wired right.
 */
export function assertDhtWiring (dht: unknown): void {
  const validators = (dht as { validators?: Record<string, unknown> }).validators
  if (validators != null && typeof validators === 'object' && validators[DHT_NAMESPACE] == null) {
    throw new MissingDhtWiringError(`kad-dht has no validator for the "/${DHT_NAMESPACE}/" namespace: build it with kadDHT({ ...presenceDhtInit(datastore) }) (presence-mesh exports presenceDhtInit)`)
  }
}
