/**
 * What the presence service needs from the DHT and gossipsub configuration,
 * which libp2p fixes when the node is created (before any service exists).
 */
import { createTopicScoreParams, type TopicScoreParams } from '@libp2p/gossipsub/score'
import { DHT_DATASTORE_PREFIX, selectPresenceRecord, storedRecordValidator } from './dht-record.js'
import { ALL_TOPICS, DHT_NAMESPACE } from './protocol.js'
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

/**
 * Peer scoring for the presence shards. Presence topics are quiet, so the
 * default penalty for mesh peers that deliver few messages is switched off
 * (it would punish honest peers for silence); an invalid message — forged,
 * replayed, tampered — costs its sender heavily.
 */
export function presenceTopicScoreParams (): Record<string, TopicScoreParams> {
  const params = createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1_000,
    timeInMeshCap: 100,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.5,
    firstMessageDeliveriesCap: 10,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: -100,
    invalidMessageDeliveriesDecay: 0.5
  })
  return Object.fromEntries(ALL_TOPICS.map(topic => [topic, params]))
}
