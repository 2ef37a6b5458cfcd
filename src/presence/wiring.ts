/**
 * What the presence service needs from the DHT configuration, which libp2p
 * fixes when the node is created (before any service exists).
 */
import { DHT_DATASTORE_PREFIX, selectPresenceRecord, storedRecordValidator } from './dht-record.js'
import { DHT_NAMESPACE } from './protocol.js'
import type { Datastore } from 'interface-datastore'

export { DHT_DATASTORE_PREFIX }

/**
 * kad-dht's validators for our namespace, reading the records kad-dht keeps
 * in `datastore` (under DHT_DATASTORE_PREFIX, which kad-dht must be given)
 * so that a put never replaces a newer record with an older one
 */
export function presenceDhtValidators (datastore: Datastore): Record<string, (key: Uint8Array, value: Uint8Array) => Promise<void>> {
  return { [DHT_NAMESPACE]: storedRecordValidator(datastore) }
}
export const presenceDhtSelectors = { [DHT_NAMESPACE]: selectPresenceRecord }
