/**
 * Routes of presence access control (RFC 2779 §5.1): the policy, the rules
 * per watcher and the requests waiting for the user, through the node's
 * access rules (src/node/access.ts: blocking covers messages too).
 */
import { route } from './schemas.js'
import type { Route } from './index.js'
import type { ViewName } from '../presence/access/views.js'
import type { AccessPolicy } from '../presence/access/policy.js'
import type { NodeAccess } from '../node/access.js'

export interface PolicyView {
  default: AccessPolicy['default']
  /** No public view (default ask or deny): strangers reading the DHT learn nothing (§5.1.14) */
  anonymousRefused: boolean
  rules: Array<{ uri: string, peerId: string, rule: 'allow' | 'deny' | 'block', view: ViewName | null }>
  requests: Array<{ uri: string, peerId: string, transactionId: string, since: string }>
}

export function policyView (policy: AccessPolicy): PolicyView {
  return {
    default: policy.default,
    anonymousRefused: policy.default !== 'public',
    rules: Object.entries(policy.rules).map(([peerId, rule]) => ({
      uri: `pres:${peerId}`,
      peerId,
      rule: rule.rule,
      view: rule.rule === 'allow' ? rule.view : null
    })),
    requests: Object.entries(policy.pending).map(([peerId, request]) => ({
      uri: `pres:${peerId}`,
      peerId,
      transactionId: request.transactionId,
      since: new Date(request.since).toISOString()
    }))
  }
}

export function accessRoutes (access: NodeAccess): Route[] {
  return [
    route('access', async () => policyView(access.policy())),
    // a partial update: it names the default or leaves it, and never touches the rules or the requests
    route('setAccess', async ({ body }) => policyView(body.default == null ? access.policy() : await access.setDefault(body.default))),
    route('allow', async ({ body }) => policyView(await access.allow(body.target, body.view))),
    route('deny', async ({ body }) => policyView(await access.deny(body.target))),
    route('block', async ({ body }) => policyView(await access.block(body.target))),
    route('revoke', async ({ body }) => policyView(await access.revoke(body.target)))
  ]
}
