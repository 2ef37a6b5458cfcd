/**
 * The access policy as stored: a StoredPolicy message, checked on the way
 * in. Anything that would not decide like the policy the user set — no
 * default, an unknown view, a rule of no kind — makes the whole value
 * unreadable, so that PolicyStore falls back to "ask", never to a guess.
 * Older versions wrote the same document as JSON; it is read and upgraded.
 */
import { StoredPolicy } from '../pb/stored.js'
import { isViewName } from './view-names.js'
import { isCount, need, storedForm } from '../../utils/stored-values.js'
import type { AccessPolicy, PendingRequest, Rule } from './policy.js'
import type { DefaultPolicy } from './view-names.js'

const DEFAULTS: Record<DefaultPolicy, StoredPolicy.Default> = {
  public: StoredPolicy.Default.DEFAULT_PUBLIC,
  ask: StoredPolicy.Default.DEFAULT_ASK,
  deny: StoredPolicy.Default.DEFAULT_DENY
}

const KINDS: Record<Rule['rule'], StoredPolicy.Rule.Kind> = {
  allow: StoredPolicy.Rule.Kind.KIND_ALLOW,
  deny: StoredPolicy.Rule.Kind.KIND_DENY,
  block: StoredPolicy.Rule.Kind.KIND_BLOCK
}

function defaultOf (value: unknown): DefaultPolicy {
  const found = Object.entries(DEFAULTS).find(([name, code]) => value === name || value === code)
  need(found != null, 'no default policy')
  return found[0] as DefaultPolicy
}

function ruleOf (value: any): Rule {
  const found = Object.entries(KINDS).find(([name, code]) => value?.rule === name || value?.kind === code)
  need(found != null, 'a rule of no kind')
  if (found[0] !== 'allow') return { rule: found[0] as 'deny' | 'block' }
  need(typeof value.view === 'string' && isViewName(value.view), 'a rule allows an unknown view')
  return { rule: 'allow', view: value.view }
}

function pendingOf (value: any): PendingRequest {
  need(typeof value?.transactionId === 'string' && value.transactionId.length > 0, 'a waiting request without a transaction id')
  need(isCount(value.since), 'a waiting request without a time')
  return { transactionId: value.transactionId, since: value.since }
}

/**
 * A peer id's text (base58btc or base32): checked so that no stored key can
 * be "__proto__" or the like when it becomes a property
 */
const PEER_ID_TEXT = /^[1-9A-Za-z]{1,128}$/

/** Peer id → value, from a protons map or a JSON object */
function table<T> (entries: Iterable<[string, unknown]>, read: (value: unknown) => T): Record<string, T> {
  const out: Record<string, T> = {}
  for (const [peer, value] of entries) {
    need(PEER_ID_TEXT.test(peer), 'an entry without a peer id')
    out[peer] = read(value)
  }
  return out
}

function objectEntries (value: unknown): Array<[string, unknown]> {
  need(value == null || (typeof value === 'object' && !Array.isArray(value)), 'not a table')
  return Object.entries(value ?? {})
}

export const POLICY_FORM = storedForm<StoredPolicy, AccessPolicy>({
  codec: StoredPolicy,
  check: message => ({
    default: defaultOf(message.defaultPolicy),
    rules: table(message.rules, ruleOf),
    pending: table(message.pending, pendingOf)
  }),
  toMessage: policy => ({
    defaultPolicy: DEFAULTS[policy.default],
    rules: new Map(Object.entries(policy.rules).map(([peer, rule]) => [peer, { kind: KINDS[rule.rule], view: rule.rule === 'allow' ? rule.view : '' }])),
    pending: new Map(Object.entries(policy.pending))
  }),
  fromJson: (json: any) => ({
    default: defaultOf(json?.default),
    rules: table(objectEntries(json?.rules), ruleOf),
    pending: table(objectEntries(json?.pending), pendingOf)
  })
})
