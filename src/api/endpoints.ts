/**
 * Each control-API endpoint's method and path: all a client needs to call it.
 * The schemas that validate a request (schemas.ts) load valibot and the
 * peer-id code, with @libp2p/crypto: a third of a second that a thin `pmesh`
 * command must not pay. A new endpoint goes in both files; the type below
 * makes tsc refuse a table that misses one or disagrees with schemas.ts.
 */
import type { ENDPOINTS, EndpointName } from './schemas.js'

type RouteOf<N extends EndpointName> = `${typeof ENDPOINTS[N]['method']} ${typeof ENDPOINTS[N]['path']}`

export const ROUTES = {
  id: 'GET /v1/id',
  peers: 'GET /v1/peers',
  connect: 'POST /v1/connect',
  appLink: 'POST /v1/app/link',
  node: 'GET /v1/node',
  presence: 'GET /v1/presence',
  setPresence: 'PUT /v1/presence',
  publishFor: 'PUT /v1/presence/:target',
  delegate: 'POST /v1/delegations',
  fetch: 'GET /v1/presence/:target',
  subscribe: 'POST /v1/subscriptions',
  subscriptions: 'GET /v1/subscriptions',
  unsubscribe: 'DELETE /v1/subscriptions/:target',
  watchers: 'GET /v1/watchers',
  access: 'GET /v1/access',
  setAccess: 'PUT /v1/access',
  allow: 'POST /v1/access/allow',
  deny: 'POST /v1/access/deny',
  block: 'POST /v1/access/block',
  revoke: 'POST /v1/access/revoke',
  send: 'POST /v1/messages',
  messages: 'GET /v1/messages',
  reply: 'POST /v1/messages/:id/reply',
  inboxPolicy: 'GET /v1/inbox/policy',
  setInboxPolicy: 'PUT /v1/inbox/policy',
  inboxAllow: 'POST /v1/inbox/allow',
  inboxBlock: 'POST /v1/inbox/block',
  inboxUnblock: 'POST /v1/inbox/unblock',
  deleteMessage: 'DELETE /v1/messages/:id',
  contacts: 'GET /v1/contacts',
  addContact: 'POST /v1/contacts',
  contact: 'GET /v1/contacts/:contact',
  updateContact: 'PATCH /v1/contacts/:contact',
  removeContact: 'DELETE /v1/contacts/:contact',
  markRead: 'POST /v1/inbox/read',
  invite: 'POST /v1/invites'
} as const satisfies { [N in EndpointName]: RouteOf<N> }

/** Who may write to our inbox; here rather than in schemas.ts for the same reason */
export const INBOX_MODES = ['everyone', 'contacts', 'nobody'] as const
