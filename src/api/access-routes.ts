/**
 * Routes of presence access control (RFC 2779 §5.1): the policy, the rules
 * per watcher and the requests waiting for the user. Blocking covers
 * messages too: a politely blocked person's messages are refused.
 */
import { route } from './schemas.js'
import type { Route } from './index.js'
import type { ViewName } from '../presence/access/views.js'
import type { AccessPolicy } from '../presence/access/policy.js'
import type { InstantMessaging } from '../messaging/index.js'
import type { Presence } from '../presence/index.js'

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

export function accessRoutes (presence: Presence, im: InstantMessaging): Route[] {
  return [
    route('access', async () => policyView(presence.policy())),
    // a partial update: it names the default or leaves it, and never touches the rules or the requests
    route('setAccess', async ({ body }) => policyView(body.default == null ? presence.policy() : await presence.setDefaultPolicy(body.default))),
    route('allow', async ({ body }) => {
      // without a view, a watcher already allowed keeps the view it has; a new one gets the full view
      const current = presence.policy().rules[body.target.toString()]
      const view = body.view ?? (current?.rule === 'allow' ? current.view : 'full')
      return policyView(await presence.allow(body.target, view))
    }),
    route('deny', async ({ body }) => policyView(await presence.deny(body.target))),
    route('block', async ({ body }) => {
      await im.block(body.target)
      return policyView(await presence.block(body.target))
    }),
    route('revoke', async ({ body }) => {
      // revoking a block lifts the block on messages too
      if (presence.policy().rules[body.target.toString()]?.rule === 'block') await im.unblock(body.target)
      return policyView(await presence.revoke(body.target))
    })
  ]
}
