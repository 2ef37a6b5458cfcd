/**
 * The presentity's side of access control: turns its state into the record
 * it publishes (a public view or a closed placeholder, plus one sealed view
 * per granted view), answers watchers, and carries out the user's decisions
 * — rotating the keys of every view a watcher loses, so that it cannot read
 * anything published afterwards.
 */
import { PolicyStore, type AccessPolicy, type Decision, type DefaultPolicy, type Rule } from './policy.js'
import { ViewKeys } from './view-keys.js'
import { closedPlaceholder, type SealedViewName, type ViewKey, type ViewName } from './views.js'
import type { PresenceRecord } from '../record.js'
import type { Logger, PeerId } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

/** What a watcher is told when the user decides about it */
export type NoticeKind = 'approved' | 'cancelled' | 'refused'

export interface AccessControlInit {
  /** Publish our state again, sealed with the current keys and views */
  republish(): Promise<void>
  /** End the watcher's subscription, if it has one; resolves to whether it had one */
  dropWatcher(peer: PeerId): Promise<boolean>
  /** The transaction id of the watcher's subscription, if it has one */
  transactionOf(peer: PeerId): string | undefined
  /** Tell a watcher (or a waiting requester) of a decision about its transaction; best effort */
  tell(peer: PeerId, kind: NoticeKind, transactionId: string): Promise<void>
  /** The default policy until the user sets one. Default: public */
  defaultPolicy?: DefaultPolicy
}

export interface Answer {
  decision: Decision
  /** The content key of the granted view, when it is sealed */
  key?: ViewKey
}

export class AccessControl {
  private readonly policies: PolicyStore
  private readonly keys: ViewKeys
  private readonly init: AccessControlInit

  /** `log`: where an unreadable stored policy or key set is reported (it is set aside, never lost) */
  constructor (datastore: Datastore, init: AccessControlInit, log: Pick<Logger, 'error'>) {
    this.policies = new PolicyStore(datastore, log, init.defaultPolicy)
    this.keys = new ViewKeys(datastore, log)
    this.init = init
  }

  async load (): Promise<void> {
    await this.policies.load()
    await this.keys.load()
  }

  policy (): AccessPolicy {
    return this.policies.get()
  }

  /** Whether the user decided about this peer (a rule), as opposed to the default deciding */
  hasRule (peer: PeerId): boolean {
    return this.policies.rule(peer) != null
  }

  /** The record to sign and publish for our state `truth` */
  async present (truth: PresenceRecord): Promise<PresenceRecord> {
    const shown = this.policies.defaultPolicy === 'public' ? truth : { ...closedPlaceholder(truth), restricted: true }
    return { ...shown, views: await this.keys.seal(truth, this.policies.sealedViews()) }
  }

  /** How to answer a watcher's subscribe or poll; a request we must ask the user about is recorded */
  async answer (peer: PeerId, transactionId: string): Promise<Answer & { newRequest: boolean }> {
    const decision = this.policies.decide(peer)
    if (decision.kind === 'pending') return { decision, newRequest: await this.policies.addPending(peer, transactionId) }
    if (decision.kind === 'grant' && decision.view != null) return { decision, key: await this.keys.keyFor(decision.view), newRequest: false }
    return { decision, newRequest: false }
  }

  async setDefault (policy: string): Promise<AccessPolicy> {
    const updated = await this.policies.setDefault(policy)
    await this.init.republish()
    return updated
  }

  /** Grant `view`; approves a waiting request */
  async allow (peer: PeerId, view: ViewName): Promise<AccessPolicy> {
    return this.change(peer, { rule: 'allow', view }, 'approved')
  }

  /** Refuse, end its subscription and tell it so (RFC 2779 §5.1.5, §5.1.9) */
  async deny (peer: PeerId): Promise<AccessPolicy> {
    return this.change(peer, { rule: 'deny' }, 'refused')
  }

  /**
   * Polite block (§5.1.15): the watcher keeps what looks like a working
   * subscription and is never told; from now on it can open only the
   * always-closed view.
   */
  async block (peer: PeerId): Promise<AccessPolicy> {
    return this.change(peer, { rule: 'block' }, 'approved')
  }

  /**
   * Withdraw whatever rule the watcher had and end its subscription
   * (§5.1.16); it is told unless it was politely blocked. The default
   * decides its next request.
   */
  async revoke (peer: PeerId): Promise<AccessPolicy> {
    const wasBlocked = this.policies.rule(peer)?.rule === 'block'
    return this.change(peer, undefined, wasBlocked ? undefined : 'cancelled')
  }

  private async change (peer: PeerId, rule: Rule | undefined, notice: NoticeKind | undefined): Promise<AccessPolicy> {
    const before = this.policies.decide(peer)
    const transactionId = this.policies.pendingRequest(peer)?.transactionId ?? this.init.transactionOf(peer)
    const updated = await this.policies.setRule(peer, rule)
    const after = this.policies.decide(peer)
    const lost = before.kind === 'grant' && before.view != null && !(after.kind === 'grant' && after.view === before.view)
    if (lost) await this.keys.rotate(before.view as SealedViewName)
    const ends = rule == null || after.kind === 'refuse'
    const hadSubscription = ends ? await this.init.dropWatcher(peer) : false
    await this.init.republish()
    // a watcher is told only of what concerns it: its subscription, its request, or a view it must fetch anew
    const concerned = hadSubscription || before.kind === 'pending' || (after.kind === 'grant' && (lost || before.kind !== 'grant'))
    if (notice != null && concerned && transactionId != null) await this.init.tell(peer, notice, transactionId)
    return updated
  }
}
