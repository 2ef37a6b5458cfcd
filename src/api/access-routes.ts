/**
 * Routes of presence access control (RFC 2779 §5.1): the policy, the rules
 * per watcher and the requests waiting for the user. Blocking covers
 * messages too: a politely blocked person's messages are refused.
 */
import { VIEW_NAMES, isViewName, type ViewName } from '../access/views.js'
import { peerIdFromUri } from '../uri/index.js'
import { ApiError } from './errors.js'
import { optionalString, requireString } from './validate.js'
import type { Route } from './index.js'
import type { AccessPolicy } from '../access/policy.js'
import type { InstantMessaging } from '../messaging/index.js'
import type { Presence } from '../presence/index.js'

export interface PolicyView {
  default: AccessPolicy['default']
  /** No public view (default ask or deny): strangers reading the DHT or the gossip learn nothing (§5.1.14) */
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
  return [{
    method: 'GET',
    path: '/v1/access',
    handler: async () => policyView(presence.policy())
  }, {
    method: 'PUT',
    path: '/v1/access',
    handler: async ({ body }) => policyView(await presence.setDefaultPolicy(requireString(body, 'default')))
  }, {
    method: 'POST',
    path: '/v1/access/allow',
    handler: async ({ body }) => {
      const view = optionalString(body, 'view') ?? 'full'
      if (!isViewName(view)) throw new ApiError(400, 'bad_request', `"view" must be one of ${VIEW_NAMES.join(', ')}`)
      return policyView(await presence.allow(peerIdFromUri(requireString(body, 'target')), view))
    }
  }, {
    method: 'POST',
    path: '/v1/access/deny',
    handler: async ({ body }) => policyView(await presence.deny(peerIdFromUri(requireString(body, 'target'))))
  }, {
    method: 'POST',
    path: '/v1/access/block',
    handler: async ({ body }) => {
      const target = peerIdFromUri(requireString(body, 'target'))
      await im.block(target)
      return policyView(await presence.block(target))
    }
  }, {
    method: 'POST',
    path: '/v1/access/revoke',
    handler: async ({ body }) => {
      const target = peerIdFromUri(requireString(body, 'target'))
      // revoking a block lifts the block on messages too
      if (presence.policy().rules[target.toString()]?.rule === 'block') await im.unblock(target)
      return policyView(await presence.revoke(target))
    }
  }]
}
