/**
 * What the presence service needs from the DHT and gossipsub configuration,
 * which libp2p fixes when the node is created (before any service exists).
 */
import { createTopicScoreParams, type TopicScoreParams } from '@libp2p/gossipsub/score'
import { selectPresenceRecord, validatePresenceRecord } from './dht-record.js'
import { ALL_TOPICS, DHT_NAMESPACE } from './protocol.js'

export const presenceDhtValidators = { [DHT_NAMESPACE]: validatePresenceRecord }
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
