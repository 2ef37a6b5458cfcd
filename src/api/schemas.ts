/**
 * The control API's contract, shared by the server and the typed client:
 * every endpoint's method, path and the valibot schemas of its path
 * parameters, query and body, plus the type of its answer. The server
 * validates each request against these schemas before a handler runs; the
 * client's request types are inferred from the same schemas, so the CLI and
 * the server cannot drift apart.
 *
 * Unknown fields and query parameters are refused, not ignored: a misspelt
 * field (`{"silnet": true}`) that is silently dropped is a change the user
 * believes was made and was not — the kind of silent loss the API must not
 * cause. Every object schema is therefore strict.
 */
import { fromString } from 'uint8arrays/from-string'
import * as v from 'valibot'
import { DEFAULT_POLICIES } from '../presence/access/policy.js'
import { VIEW_NAMES } from '../presence/access/views.js'
import { AVAILABILITIES } from '../presence/constants.js'
import { peerIdFromUri } from '../uri/index.js'
import { INBOX_MODES } from './endpoints.js'
import { MAX_MAX_BODY_SIZE } from '../messaging/constants.js'
import type { HttpMethod, Route } from './index.js'
import type { PolicyView } from './access-routes.js'
import type { ContactView, InviteView } from './contacts-routes.js'
import type { MessageView, SentMessageView } from './messaging-routes.js'
import type { IdView, PeerView } from './node-routes.js'
import type { SubscribeView, SubscriptionView, WatcherView } from './presence-routes.js'
import type { PresenceView } from './presence-view.js'
import type { NodeStatus } from '../node/node-status.js'
import type { InboxPolicy, SendResult } from '../messaging/index.js'

/** Longest subscription a client may ask for: one year (the presentity grants less anyway) */
const MAX_DURATION_S = 366 * 24 * 3600

/** A non-empty string of at most `max` characters */
function text (max: number): v.SchemaWithPipe<readonly [v.StringSchema<string>, v.MinLengthAction<string, 1, string>, v.MaxLengthAction<string, number, string>]> {
  return v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(max, `must be at most ${max} characters`))
}

/**
 * A note: at most 1024 user-perceived characters (grapheme clusters — an emoji with its skin tone
 * or a ZWJ family is one), and 4 KiB of UTF-8 so that clusters built long cannot bloat the record
 */
function noteText (): v.GenericSchema<string> {
  return v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'),
    v.maxGraphemes(1024, 'must be at most 1024 user-perceived characters (emoji count as one)'),
    v.maxBytes(4096, 'must be at most 4096 bytes of UTF-8'))
}

/** A JSON object with exactly these fields, each optional unless its schema says otherwise */
function obj<const E extends v.ObjectEntries> (entries: E): v.StrictObjectSchema<E, string> {
  return v.strictObject(entries, 'must be a JSON object')
}

function oneOf<const T extends readonly string[]> (values: T): v.PicklistSchema<T, string> {
  return v.picklist(values, `must be one of ${values.join(', ')}`)
}

/** A `pres:`/`im:` URI or a bare peer id, checked and turned into a PeerId */
const PeerUri = v.pipe(text(256), v.rawTransform(({ dataset, addIssue, NEVER }) => {
  try {
    return peerIdFromUri(dataset.value)
  } catch (err: any) {
    addIssue({ message: `is not a presence-mesh address: ${String(err.message)}` })
    return NEVER
  }
}))

/** Base64 text, decoded; the client sends the text */
function base64 (max: number): v.GenericSchema<string, Uint8Array> {
  return v.pipe(text(max), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'), v.check(s => s.length % 4 === 0, 'must be padded base64'),
    v.transform(s => fromString(s, 'base64pad')))
}

const Target = obj({ target: PeerUri })
/** A contact's name, peer id or URI, looked up by the route */
const ContactRef = obj({ contact: text(256) })

/** `null` clears postal/web; a field left out keeps its current value */
const Contact = obj({
  emails: v.optional(v.pipe(v.array(text(320), 'must be a list of strings'), v.maxLength(16, 'must have at most 16 entries'))),
  phones: v.optional(v.pipe(v.array(text(64), 'must be a list of strings'), v.maxLength(16, 'must have at most 16 entries'))),
  postal: v.nullish(text(1024)),
  web: v.nullish(text(2048))
})

const presenceFields = {
  basic: v.optional(oneOf(['open', 'closed'] as const)),
  availability: v.optional(oneOf(AVAILABILITIES)),
  /** null removes the note */
  note: v.nullish(noteText()),
  lang: v.optional(text(64)),
  contact: v.optional(Contact)
}

/** The language of a note: given alone it would be dropped without a word */
function langWithNote<T extends { note?: string | null, lang?: string }> (): v.CheckAction<T, string> {
  return v.check<T, string>(b => b.lang == null || typeof b.note === 'string', 'The field "lang" is the language of a "note" and needs one')
}

export const PresenceUpdateBody = v.pipe(obj(presenceFields), langWithNote())
export const DelegatedUpdateBody = v.pipe(obj({ ...presenceFields, delegation: base64(4096) }), langWithNote())

const OutgoingFields = {
  text: v.optional(text(1024 * 1024)),
  // the largest body any node may be configured for; the node's own limit then answers too-large
  bodyBase64: v.optional(base64(Math.ceil(MAX_MAX_BODY_SIZE / 3) * 4)),
  contentType: v.optional(text(256)),
  subject: v.optional(text(1024))
}
function exactlyOneBody<T extends { text?: string, bodyBase64?: Uint8Array }> (): v.CheckAction<T, string> {
  return v.check<T, string>(b => (b.text == null) !== (b.bodyBase64 == null), 'Give exactly one of "text" and "bodyBase64"')
}

/** A partial update: what is left out stays as it is */
export const InboxPolicyPatch = obj({ mode: v.optional(oneOf(INBOX_MODES)), silent: v.optional(v.boolean('must be true or false')) })
/** A partial update: rules and waiting requests are never touched by it */
export const AccessPolicyPatch = obj({ default: v.optional(oneOf(DEFAULT_POLICIES)) })

export interface Endpoint {
  method: HttpMethod
  /** `:name` segments are parameters */
  path: string
  params?: v.GenericSchema<Record<string, string>, unknown>
  query?: v.GenericSchema<Record<string, string>, unknown>
  body?: v.GenericSchema<unknown, unknown>
}

export const ENDPOINTS = {
  id: { method: 'GET', path: '/v1/id' },
  peers: { method: 'GET', path: '/v1/peers' },
  connect: { method: 'POST', path: '/v1/connect', body: obj({ multiaddr: text(1024) }) },
  node: { method: 'GET', path: '/v1/node' },
  // a one-time sign-in link for the web app (src/api/app-web.ts)
  appLink: { method: 'POST', path: '/v1/app/link' },

  presence: { method: 'GET', path: '/v1/presence' },
  setPresence: { method: 'PUT', path: '/v1/presence', body: PresenceUpdateBody },
  publishFor: { method: 'PUT', path: '/v1/presence/:target', params: Target, body: DelegatedUpdateBody },
  delegate: { method: 'POST', path: '/v1/delegations', body: obj({ target: PeerUri, days: v.optional(v.pipe(v.number('must be a number'), v.minValue(1, 'must be at least 1'), v.maxValue(366, 'must be at most 366'))) }) },
  fetch: { method: 'GET', path: '/v1/presence/:target', params: Target, query: obj({ format: v.optional(oneOf(['json', 'pidf'] as const)) }) },
  subscribe: {
    method: 'POST',
    path: '/v1/subscriptions',
    body: obj({ target: PeerUri, duration: v.optional(v.pipe(v.number('must be a number'), v.integer('must be a whole number of seconds'), v.minValue(0, 'must not be negative'), v.maxValue(MAX_DURATION_S, `must be at most ${MAX_DURATION_S}`))) })
  },
  subscriptions: { method: 'GET', path: '/v1/subscriptions' },
  unsubscribe: { method: 'DELETE', path: '/v1/subscriptions/:target', params: Target },
  watchers: { method: 'GET', path: '/v1/watchers' },

  access: { method: 'GET', path: '/v1/access' },
  setAccess: { method: 'PUT', path: '/v1/access', body: AccessPolicyPatch },
  allow: { method: 'POST', path: '/v1/access/allow', body: obj({ target: PeerUri, view: v.optional(oneOf(VIEW_NAMES)) }) },
  deny: { method: 'POST', path: '/v1/access/deny', body: Target },
  block: { method: 'POST', path: '/v1/access/block', body: Target },
  revoke: { method: 'POST', path: '/v1/access/revoke', body: Target },

  send: { method: 'POST', path: '/v1/messages', body: v.pipe(obj({ to: PeerUri, ...OutgoingFields }), exactlyOneBody()) },
  messages: { method: 'GET', path: '/v1/messages', query: obj({ box: v.optional(oneOf(['inbox', 'sent'] as const)), format: v.optional(oneOf(['json', 'cpim'] as const)) }) },
  reply: { method: 'POST', path: '/v1/messages/:id/reply', params: obj({ id: text(64) }), body: v.pipe(obj(OutgoingFields), exactlyOneBody()) },
  inboxPolicy: { method: 'GET', path: '/v1/inbox/policy' },
  setInboxPolicy: { method: 'PUT', path: '/v1/inbox/policy', body: InboxPolicyPatch },
  inboxAllow: { method: 'POST', path: '/v1/inbox/allow', body: Target },
  inboxBlock: { method: 'POST', path: '/v1/inbox/block', body: Target },
  inboxUnblock: { method: 'POST', path: '/v1/inbox/unblock', body: Target },
  // ids are unique per sender only: `?from=im:…` picks one when several senders used the id
  deleteMessage: { method: 'DELETE', path: '/v1/messages/:id', params: obj({ id: text(64) }), query: obj({ from: v.optional(PeerUri) }) },

  // contacts (src/api/contacts-routes.ts): `:contact` is a name, a peer id or a pres:/im: URI
  contacts: { method: 'GET', path: '/v1/contacts' },
  addContact: { method: 'POST', path: '/v1/contacts', body: v.pipe(obj({ target: v.optional(PeerUri), invite: v.optional(text(2048)), name: v.optional(text(64)), me: v.optional(text(64)) }), v.check(b => (b.target == null) !== (b.invite == null), 'Give exactly one of "target" and "invite"')) },
  contact: { method: 'GET', path: '/v1/contacts/:contact', params: ContactRef },
  updateContact: { method: 'PATCH', path: '/v1/contacts/:contact', params: ContactRef, body: obj({ name: text(64) }) },
  removeContact: { method: 'DELETE', path: '/v1/contacts/:contact', params: ContactRef },
  markRead: { method: 'POST', path: '/v1/inbox/read', body: obj({ contact: v.optional(text(256)) }) },
  invite: {
    method: 'POST',
    path: '/v1/invites',
    body: obj({
      /** The name we go by, remembered; "" forgets it */
      name: v.optional(v.pipe(v.string('must be a string'), v.maxLength(64, 'must be at most 64 characters'))),
      /** Seconds the invitation lasts (personal ones only) */
      expires: v.optional(v.pipe(v.number('must be a number'), v.integer('must be a whole number of seconds'), v.minValue(60, 'must be at least 60'), v.maxValue(MAX_DURATION_S, `must be at most ${MAX_DURATION_S}`))),
      community: v.optional(v.boolean('must be true or false'))
    })
  }
} as const satisfies Record<string, Endpoint>

export type EndpointName = keyof typeof ENDPOINTS

/** What each endpoint answers */
export interface ApiResponses {
  id: IdView
  peers: { peers: PeerView[] }
  connect: { peerId: string, address: string }
  node: NodeStatus
  appLink: { url: string }
  presence: PresenceView
  setPresence: PresenceView
  publishFor: PresenceView
  delegate: { delegate: string, expires: string, delegation: string }
  fetch: PresenceView | { pidf: string }
  subscribe: SubscribeView
  subscriptions: { subscriptions: SubscriptionView[] }
  unsubscribe: { cancelled: true }
  watchers: { watchers: WatcherView[] }
  access: PolicyView
  setAccess: PolicyView
  allow: PolicyView
  deny: PolicyView
  block: PolicyView
  revoke: PolicyView
  send: SendResult
  messages: { messages: MessageView[] | SentMessageView[] | Array<{ id: string, cpim: string }> }
  reply: SendResult
  inboxPolicy: InboxPolicy
  setInboxPolicy: InboxPolicy
  inboxAllow: InboxPolicy
  inboxBlock: InboxPolicy
  inboxUnblock: InboxPolicy
  deleteMessage: { deleted: number }
  contacts: { contacts: ContactView[] }
  addContact: { contact: ContactView, invitation: 'accepted' | 'pending' | null }
  contact: ContactView
  updateContact: ContactView
  removeContact: { removed: ContactView }
  markRead: { contacts: number }
  invite: InviteView
}

type Part<E, K extends string, Dir extends 'in' | 'out'> = E extends Record<K, infer S extends v.GenericSchema>
  ? Dir extends 'in' ? v.InferInput<S> : v.InferOutput<S>
  : undefined

/** What a client sends to endpoint `N` */
export interface RequestInput<N extends EndpointName> {
  params: Part<typeof ENDPOINTS[N], 'params', 'in'>
  query: Part<typeof ENDPOINTS[N], 'query', 'in'>
  body: Part<typeof ENDPOINTS[N], 'body', 'in'>
}

/** What a handler of endpoint `N` receives, validated */
export interface ValidRequest<N extends EndpointName> {
  params: Part<typeof ENDPOINTS[N], 'params', 'out'>
  query: Part<typeof ENDPOINTS[N], 'query', 'out'>
  body: Part<typeof ENDPOINTS[N], 'body', 'out'>
  /** Aborted when the client goes away */
  signal: AbortSignal
}

/** A server route of endpoint `name`: the server validates the request against its schemas, then runs `handler` */
export function route<N extends EndpointName> (name: N, handler: (request: ValidRequest<N>) => Promise<ApiResponses[N]>): Route {
  const endpoint: Endpoint = ENDPOINTS[name]
  return { ...endpoint, handler: handler as Route['handler'] }
}
