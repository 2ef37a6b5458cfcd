/**
 * Inbox control (RFC 2779 §2.3.5, §5.4.10): who may send us messages.
 * Persisted in the datastore; the user changes it through the API.
 */
import { Key, type Datastore } from 'interface-datastore'
import { StoredInboxPolicy } from './pb/stored.js'
import { readOne, storedForm } from '../utils/stored-values.js'
import type { Presence } from '../presence/index.js'
import type { Logger, PeerId } from '@libp2p/interface'

const POLICY_KEY = new Key('/presence-mesh/im/policy')

export type InboxMode = 'everyone' | 'contacts' | 'nobody'
export const INBOX_MODES: readonly InboxMode[] = ['everyone', 'contacts', 'nobody']

export interface InboxPolicy {
  /** Who may write when no per-sender rule says otherwise. Default: everyone */
  mode: InboxMode
  /** Peer ids always accepted (and counted as contacts) */
  allow: string[]
  /** Peer ids whose messages are never stored */
  block: string[]
  /**
   * Polite blocking: a blocked sender gets exactly what a stranger gets (a
   * signed "delivered" receipt, the same rate and storage limits) and its
   * messages are dropped; with `false` it is told REFUSED. Refusals by mode
   * (`contacts`, `nobody`) are always told. Default: true
   */
  silent: boolean
}

/**
 * How a sender is treated: `contact` (allow-listed or on the contact list: no limits),
 * `stranger` (stored under the strangers' limits), `blocked` (answered as a
 * stranger, never stored) or `refuse` (told REFUSED)
 */
export type InboxDecision = 'contact' | 'stranger' | 'blocked' | 'refuse'

/**
 * Whether `peer` is among the user's contacts: on its contact list when the
 * node keeps one (a createNode node), else among the presentities it watches
 */
export function isContact (components: { presence: Presence, contacts?: { has(peer: PeerId): boolean } }, peer: PeerId): boolean {
  let list: { has(peer: PeerId): boolean } | undefined
  try {
    list = components.contacts
  } catch {
    // libp2p's components throw for a service the node was built without
    list = undefined
  }
  return list != null ? list.has(peer) : components.presence.subscriptions().some(s => s.target.equals(peer))
}

export const DEFAULT_INBOX_POLICY: Readonly<InboxPolicy> = Object.freeze({ mode: 'everyone', allow: [], block: [], silent: true })

/** The parts of a policy the user sets directly; `undefined` means "leave as it is" */
export type InboxPolicyChange = Partial<Pick<InboxPolicy, 'mode' | 'silent'>>

const MODES: Record<InboxMode, StoredInboxPolicy.Mode> = {
  everyone: StoredInboxPolicy.Mode.MODE_EVERYONE,
  contacts: StoredInboxPolicy.Mode.MODE_CONTACTS,
  nobody: StoredInboxPolicy.Mode.MODE_NOBODY
}

/** The policy as stored; older versions wrote JSON, checked by parsePolicy as before */
export const INBOX_POLICY_FORM = storedForm<StoredInboxPolicy, InboxPolicy>({
  codec: StoredInboxPolicy,
  check: message => parsePolicy({ ...message, mode: INBOX_MODES.find(mode => MODES[mode] === message.mode) ?? null }),
  toMessage: policy => ({ ...policy, mode: MODES[policy.mode] }),
  fromJson: parsePolicy
})

export class InboxPolicyStore {
  private readonly datastore: Datastore
  private readonly log: Pick<Logger, 'error'>
  private policy: InboxPolicy = structuredClone(DEFAULT_INBOX_POLICY) as InboxPolicy

  constructor (datastore: Datastore, log: Pick<Logger, 'error'>) {
    this.datastore = datastore
    this.log = log
  }

  /** Read the stored policy; one that does not validate is set aside and the defaults used, never a crash */
  async load (): Promise<void> {
    this.policy = await readOne(this.datastore, POLICY_KEY, INBOX_POLICY_FORM, this.log) ?? structuredClone(DEFAULT_INBOX_POLICY) as InboxPolicy
  }

  get (): InboxPolicy {
    return structuredClone(this.policy)
  }

  /** A partial update: fields left out or `undefined` keep their value; invalid values throw */
  async update (change: InboxPolicyChange): Promise<InboxPolicy> {
    const next = { ...this.policy }
    if (change.mode !== undefined) {
      if (!INBOX_MODES.includes(change.mode)) throw new TypeError(`mode must be one of ${INBOX_MODES.join(', ')}`)
      next.mode = change.mode
    }
    if (change.silent !== undefined) {
      if (typeof change.silent !== 'boolean') throw new TypeError('silent must be true or false')
      next.silent = change.silent
    }
    return this.save(next)
  }

  async allow (peer: PeerId): Promise<InboxPolicy> {
    const id = peer.toString()
    return this.save({ ...this.policy, allow: [...new Set([...this.policy.allow, id])], block: this.policy.block.filter(p => p !== id) })
  }

  async block (peer: PeerId): Promise<InboxPolicy> {
    const id = peer.toString()
    return this.save({ ...this.policy, block: [...new Set([...this.policy.block, id])], allow: this.policy.allow.filter(p => p !== id) })
  }

  /** Forget any per-sender rule for `peer` */
  async clear (peer: PeerId): Promise<InboxPolicy> {
    const id = peer.toString()
    return this.save({ ...this.policy, block: this.policy.block.filter(p => p !== id), allow: this.policy.allow.filter(p => p !== id) })
  }

  /** `isContact` says whether the sender is among the user's contacts (`isContact()` above) */
  decide (sender: PeerId, isContact: (peer: PeerId) => boolean): InboxDecision {
    const id = sender.toString()
    // a politely blocked sender gets what any non-contact gets under the mode: the stranger's path
    // (answered as delivered, then dropped) under `everyone`, a refusal under `contacts` and `nobody`
    if (this.policy.block.includes(id)) return this.policy.silent && this.policy.mode === 'everyone' ? 'blocked' : 'refuse'
    if (this.policy.allow.includes(id)) return 'contact'
    if (this.policy.mode === 'nobody') return 'refuse'
    if (isContact(sender)) return 'contact'
    return this.policy.mode === 'everyone' ? 'stranger' : 'refuse'
  }

  private async save (next: InboxPolicy): Promise<InboxPolicy> {
    await this.datastore.put(POLICY_KEY, INBOX_POLICY_FORM.encode(next))
    this.policy = next
    return this.get()
  }
}

/**
 * Check a stored policy field by field. Fields missing from an older
 * version take their defaults; a field present with a wrong type throws.
 */
export function parsePolicy (value: unknown): InboxPolicy {
  if (typeof value !== 'object' || value == null || Array.isArray(value)) throw new TypeError('not a JSON object')
  const input = value as Record<string, unknown>
  const policy = structuredClone(DEFAULT_INBOX_POLICY) as InboxPolicy
  if (input.mode !== undefined) {
    if (!INBOX_MODES.includes(input.mode as InboxMode)) throw new TypeError('"mode" is not a known mode')
    policy.mode = input.mode as InboxMode
  }
  if (input.silent !== undefined) {
    if (typeof input.silent !== 'boolean') throw new TypeError('"silent" is not a boolean')
    policy.silent = input.silent
  }
  for (const list of ['allow', 'block'] as const) {
    if (input[list] === undefined) continue
    const ids = input[list]
    if (!Array.isArray(ids) || ids.some(id => typeof id !== 'string')) throw new TypeError(`"${list}" is not a list of peer ids`)
    policy[list] = [...new Set(ids as string[])]
  }
  return policy
}
