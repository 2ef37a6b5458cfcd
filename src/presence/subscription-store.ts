/**
 * Where our subscriptions (as a watcher) are kept between runs: one
 * StoredSubscription per presentity, with the newest record seq seen so a
 * restart does not take an older record for news. Values that do not read
 * are set aside (stored-values.ts); the JSON older versions wrote is read
 * and rewritten on first start.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { Key, type Datastore } from 'interface-datastore'
import { StoredSubscription } from './pb/stored.js'
import { isCount, need, readAll, storedForm } from '../utils/stored-values.js'
import type { Subscription } from './subscription-types.js'
import type { Logger } from '@libp2p/interface'

const PREFIX = '/presence-mesh/presence/subscriptions'

export interface StoredEntry {
  subscription: Subscription
  /** The newest record seq seen from the presentity */
  lastSeq?: bigint
}

function entry (fields: { transactionId: unknown, until: unknown, grantedUntil: unknown, createdAt: unknown, awaitingApproval?: unknown, lastSeq?: bigint }, key: Key): StoredEntry {
  const { transactionId, until, grantedUntil, createdAt, awaitingApproval, lastSeq } = fields
  need(typeof transactionId === 'string' && transactionId.length > 0, 'no transaction id')
  need(isCount(until) && isCount(grantedUntil) && isCount(createdAt), 'a time is missing or out of range')
  const subscription: Subscription = { target: peerIdFromString(key.baseNamespace()), transactionId, until, grantedUntil, createdAt }
  if (awaitingApproval === true) subscription.awaitingApproval = true
  return { subscription, lastSeq }
}

export const SUBSCRIPTION_FORM = storedForm<StoredSubscription, StoredEntry>({
  codec: StoredSubscription,
  check: (message, key) => entry(message, key),
  toMessage: ({ subscription, lastSeq }) => ({
    transactionId: subscription.transactionId,
    until: subscription.until,
    grantedUntil: subscription.grantedUntil,
    createdAt: subscription.createdAt,
    awaitingApproval: subscription.awaitingApproval === true,
    lastSeq
  }),
  // 0.1: JSON with lastSeq as a decimal string
  fromJson: (json: any, key) => {
    const lastSeq = json?.lastSeq
    need(lastSeq == null || (typeof lastSeq === 'string' && /^\d{1,20}$/.test(lastSeq)), 'lastSeq is not a number')
    return entry({ ...json, lastSeq: lastSeq == null ? undefined : BigInt(lastSeq) }, key)
  }
})

export class SubscriptionStore {
  private readonly datastore: Datastore
  private readonly log: Logger

  constructor (datastore: Datastore, log: Logger) {
    this.datastore = datastore
    this.log = log
  }

  /** Every stored subscription that still reads; the unreadable ones are set aside */
  async * load (): AsyncGenerator<StoredEntry> {
    for await (const { value } of readAll(this.datastore, PREFIX, SUBSCRIPTION_FORM, this.log)) yield value
  }

  async save (subscription: Subscription, lastSeq: bigint | undefined): Promise<void> {
    await this.datastore.put(keyOf(subscription), SUBSCRIPTION_FORM.encode({ subscription, lastSeq }))
  }

  async delete (subscription: Subscription): Promise<void> {
    await this.datastore.delete(keyOf(subscription))
  }
}

function keyOf (subscription: Subscription): Key {
  return new Key(`${PREFIX}/${subscription.target.toString()}`)
}
