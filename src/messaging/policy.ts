/**
 * Inbox control (RFC 2779 §2.3.5, §5.4.10): who may send us messages.
 * Persisted in the datastore; the user changes it through the API.
 */
import { Key, type Datastore } from 'interface-datastore'
import { fromString, toString } from 'uint8arrays'
import type { PeerId } from '@libp2p/interface'

const POLICY_KEY = new Key('/presence-mesh/im/policy')

export type InboxMode = 'everyone' | 'contacts' | 'nobody'

export interface InboxPolicy {
  /** Who may write when no per-sender rule says otherwise. Default: everyone */
  mode: InboxMode
  /** Peer ids always accepted (and counted as contacts) */
  allow: string[]
  /** Peer ids always refused */
  block: string[]
  /**
   * Refuse silently: a refused sender is told its message was delivered and
   * never learns it was blocked (polite blocking for messages). Default: false
   */
  silent: boolean
}

export type Decision = 'accept' | 'refuse' | 'drop'

export class PolicyStore {
  private readonly datastore: Datastore
  private policy: InboxPolicy = { mode: 'everyone', allow: [], block: [], silent: false }

  constructor (datastore: Datastore) {
    this.datastore = datastore
  }

  async load (): Promise<void> {
    if (await this.datastore.has(POLICY_KEY)) {
      this.policy = { ...this.policy, ...JSON.parse(toString(await this.datastore.get(POLICY_KEY))) }
    }
  }

  get (): InboxPolicy {
    return structuredClone(this.policy)
  }

  async update (change: Partial<InboxPolicy>): Promise<InboxPolicy> {
    this.policy = { ...this.policy, ...change }
    await this.datastore.put(POLICY_KEY, fromString(JSON.stringify(this.policy)))
    return this.get()
  }

  async allow (peer: PeerId): Promise<InboxPolicy> {
    const id = peer.toString()
    return this.update({ allow: [...new Set([...this.policy.allow, id])], block: this.policy.block.filter(p => p !== id) })
  }

  async block (peer: PeerId): Promise<InboxPolicy> {
    const id = peer.toString()
    return this.update({ block: [...new Set([...this.policy.block, id])], allow: this.policy.allow.filter(p => p !== id) })
  }

  /** Forget any per-sender rule for `peer` */
  async clear (peer: PeerId): Promise<InboxPolicy> {
    const id = peer.toString()
    return this.update({ block: this.policy.block.filter(p => p !== id), allow: this.policy.allow.filter(p => p !== id) })
  }

  /** `isContact` says whether the sender is among the user's contacts (e.g. watched presentities) */
  decide (sender: PeerId, isContact: (peer: PeerId) => boolean): Decision {
    const id = sender.toString()
    const refused = this.policy.silent ? 'drop' : 'refuse'
    if (this.policy.block.includes(id)) return refused
    if (this.policy.allow.includes(id)) return 'accept'
    switch (this.policy.mode) {
      case 'everyone': return 'accept'
      case 'contacts': return isContact(sender) ? 'accept' : refused
      default: return refused
    }
  }
}
