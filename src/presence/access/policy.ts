/**
 * The presentity's access policy (RFC 2779 §5.1): a default for watchers it
 * has no rule for, a rule per watcher, and the requests waiting for the
 * user's decision. Persisted in the datastore as one StoredPolicy, because
 * it is small and always changed as a whole (policy-form.ts). One that does
 * not read is set aside and replaced by "ask" (or "deny", if that was the
 * configured default): never by "public", which would show what the user hid.
 */
import { Key, type Datastore } from 'interface-datastore'
import { InvalidPolicyError } from './errors.js'
import { POLICY_FORM } from './policy-form.js'
import { BLOCKED_VIEW, isViewName, type SealedViewName, type ViewName } from './views.js'
import { DEFAULT_POLICIES, type DefaultPolicy } from './view-names.js'
import { readOne } from '../../utils/stored-values.js'
import type { Logger, PeerId } from '@libp2p/interface'

const POLICY_KEY = new Key('/presence-mesh/access/policy')

export { DEFAULT_POLICIES, type DefaultPolicy }

export type Rule =
  | { rule: 'allow', view: ViewName }
  /** Refused, and told so */
  | { rule: 'deny' }
  /** Politely blocked: told it is subscribed, shown only a closed placeholder */
  | { rule: 'block' }

export interface PendingRequest {
  transactionId: string
  since: number
}

export interface AccessPolicy {
  default: DefaultPolicy
  /** Peer id (string) → rule */
  rules: Record<string, Rule>
  /** Peer id (string) → request waiting for the user (default "ask") */
  pending: Record<string, PendingRequest>
}

/** How the presentity answers a watcher */
export type Decision =
  /** `view` undefined: the public view, nothing sealed for it */
  | { kind: 'grant', view?: SealedViewName }
  | { kind: 'refuse' }
  | { kind: 'pending' }

/** Most requests kept waiting; the oldest is dropped beyond it, so strangers cannot grow the store */
const MAX_PENDING = 1_000

export class PolicyStore {
  private readonly datastore: Datastore
  private readonly log: Pick<Logger, 'error'>
  private readonly initial: DefaultPolicy
  private policy: AccessPolicy

  /** `initial`: the default of a presentity that has stored no policy yet */
  constructor (datastore: Datastore, log: Pick<Logger, 'error'>, initial: DefaultPolicy = 'public') {
    this.datastore = datastore
    this.log = log
    this.initial = initial
    this.policy = { default: initial, rules: {}, pending: {} }
  }

  async load (): Promise<void> {
    const present = await this.datastore.has(POLICY_KEY)
    const stored = await readOne(this.datastore, POLICY_KEY, POLICY_FORM, this.log)
    if (stored != null) {
      this.policy = stored
    } else if (present) {
      // set aside as unreadable: stored at once, so that the next start does not fall back to the initial default either
      const fallback: DefaultPolicy = this.initial === 'deny' ? 'deny' : 'ask'
      this.log.error('the access policy was unreadable; watchers without a decision are now answered "%s"', fallback)
      await this.save({ default: fallback, rules: {}, pending: {} })
    }
  }

  get (): AccessPolicy {
    return structuredClone(this.policy)
  }

  get defaultPolicy (): DefaultPolicy {
    return this.policy.default
  }

  rule (peer: PeerId): Rule | undefined {
    return this.policy.rules[peer.toString()]
  }

  decide (peer: PeerId): Decision {
    return this.decideFor(peer.toString())
  }

  private decideFor (id: string): Decision {
    const rule = this.policy.rules[id]
    if (rule?.rule === 'deny') return { kind: 'refuse' }
    if (rule?.rule === 'block') return { kind: 'grant', view: BLOCKED_VIEW }
    if (rule?.rule === 'allow') {
      // with a public default the full view is the plaintext itself
      return { kind: 'grant', view: rule.view === 'full' && this.policy.default === 'public' ? undefined : rule.view }
    }
    switch (this.policy.default) {
      case 'public': return { kind: 'grant' }
      case 'ask': return { kind: 'pending' }
      default: return { kind: 'refuse' }
    }
  }

  /** The views every record must seal: those some rule grants */
  sealedViews (): SealedViewName[] {
    const views = new Set<SealedViewName>()
    for (const peer of Object.keys(this.policy.rules)) {
      const decision = this.decideFor(peer)
      if (decision.kind === 'grant' && decision.view != null) views.add(decision.view)
    }
    return [...views].sort()
  }

  async setDefault (policy: string): Promise<AccessPolicy> {
    if (!(DEFAULT_POLICIES as readonly string[]).includes(policy)) {
      throw new InvalidPolicyError(`The default must be one of ${DEFAULT_POLICIES.join(', ')}`)
    }
    return this.save({ ...this.policy, default: policy as DefaultPolicy })
  }

  async setRule (peer: PeerId, rule: Rule | undefined): Promise<AccessPolicy> {
    if (rule?.rule === 'allow' && !isViewName(rule.view)) throw new InvalidPolicyError(`Unknown view "${String(rule.view)}"`)
    const rules = { ...this.policy.rules }
    if (rule == null) delete rules[peer.toString()]
    else rules[peer.toString()] = rule
    const pending = { ...this.policy.pending }
    // a rule is the user's decision on any waiting request
    delete pending[peer.toString()]
    return this.save({ ...this.policy, rules, pending })
  }

  pendingRequest (peer: PeerId): PendingRequest | undefined {
    return this.policy.pending[peer.toString()]
  }

  /** Returns true when the request is new */
  async addPending (peer: PeerId, transactionId: string): Promise<boolean> {
    const existing = this.policy.pending[peer.toString()]
    if (existing?.transactionId === transactionId) return false
    const pending = { ...this.policy.pending, [peer.toString()]: { transactionId, since: existing?.since ?? Date.now() } }
    const ids = Object.keys(pending)
    if (ids.length > MAX_PENDING) delete pending[ids.reduce((a, b) => pending[a].since <= pending[b].since ? a : b)]
    await this.save({ ...this.policy, pending })
    return existing == null
  }

  private async save (policy: AccessPolicy): Promise<AccessPolicy> {
    await this.datastore.put(POLICY_KEY, POLICY_FORM.encode(policy))
    this.policy = policy
    return this.get()
  }
}
