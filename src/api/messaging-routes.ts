/**
 * Routes of the messaging service: send, inbox and history, reply, inbox
 * policy. Messaging events are forwarded to the event stream by
 * `messagingEvents()`.
 */
import { fromString, toString } from 'uint8arrays'
import { toCpim } from '../messaging/cpim.js'
import { formatImUri, peerIdFromUri } from '../uri/index.js'
import { ApiError } from './errors.js'
import { route } from './schemas.js'
import type { ApiEvent, Route } from './index.js'
import type { PeerId } from '@libp2p/interface'
import type { InstantMessage, InstantMessaging, InboxPolicyChange, Receipt, SentMessage, StoredMessage } from '../messaging/index.js'

export interface MessageView {
  id: string
  from: string
  to: string
  contentType: string
  subject: string | null
  /** The body, when it is text in UTF-8 */
  text: string | null
  /** The body otherwise */
  bodyBase64: string | null
  size: number
  date: string
  inReplyTo: string | null
  /** Received messages: when */
  receivedAt?: string
}

export interface SentMessageView extends MessageView {
  outcome: NonNullable<SentMessage['outcome']> | { status: 'sending' }
}

/** A message as JSON: text bodies as text, anything else as base64 */
export function messageView<E extends object = object> (message: InstantMessage, extra?: E): MessageView & E {
  const text = isText(message.contentType) ? decodeText(message.body) : undefined
  return {
    id: message.id,
    from: formatImUri(message.from),
    to: formatImUri(message.to),
    contentType: message.contentType,
    subject: message.subject ?? null,
    text: text ?? null,
    bodyBase64: text == null ? toString(message.body, 'base64pad') : null,
    size: message.body.byteLength,
    date: new Date(message.date).toISOString(),
    inReplyTo: message.inReplyTo ?? null,
    ...extra as E
  }
}

function storedView (stored: StoredMessage): MessageView {
  return messageView(stored.message, { receivedAt: new Date(stored.receivedAt).toISOString() })
}

export function messagingRoutes (im: InstantMessaging, self: PeerId): Route[] {
  return [
    route('send', async ({ body: { to, ...message }, signal }) => {
      // a node cannot dial itself: without this the send fails only when its timeout ends
      if (to.equals(self)) throw new ApiError(400, 'bad_request', 'The field "to" is this node itself; a message needs another recipient')
      return im.send(to, outgoing(message), { signal })
    }),
    route('messages', async ({ query }) => {
      // message/cpim (RFC 3862), the form gateways exchange
      if (query.format === 'cpim') {
        const messages = query.box === 'sent' ? (await im.sent()).map(s => s.message) : (await im.inbox()).map(s => s.message)
        return { messages: messages.map(m => ({ id: m.id, cpim: toCpim(m) })) }
      }
      if (query.box === 'sent') {
        return { messages: (await im.sent()).map(s => messageView(s.message, { outcome: s.outcome ?? { status: 'sending' as const } })) }
      }
      return { messages: (await im.inbox()).map(storedView) }
    }),
    route('reply', async ({ params, body, signal }) => {
      const matches = (await im.inbox()).filter(m => m.message.id === params.id)
      if (matches.length === 0) throw new ApiError(404, 'not_found', `No message with id ${params.id} in the inbox`)
      if (matches.length > 1) throw new ApiError(409, 'ambiguous', `Several senders used the id ${params.id}; reply with send instead`)
      const original = matches[0].message
      const to = original.replyTo != null ? peerIdFromUri(original.replyTo) : original.from
      return im.send(to, { ...outgoing(body), inReplyTo: original.id }, { signal })
    }),
    route('inboxPolicy', async () => im.policy()),
    // a partial update: only the fields the request names are passed on, so none is erased
    route('setInboxPolicy', async ({ body }) => {
      const change: InboxPolicyChange = {}
      if (body.mode != null) change.mode = body.mode
      if (body.silent != null) change.silent = body.silent
      return Object.keys(change).length === 0 ? im.policy() : im.setPolicy(change)
    }),
    route('inboxAllow', async ({ body }) => im.allow(body.target)),
    route('inboxBlock', async ({ body }) => im.block(body.target)),
    route('inboxUnblock', async ({ body }) => im.unblock(body.target)),
    // how the user frees the room the inbox limits give strangers (`inbox-full` until then)
    route('deleteMessage', async ({ params, query }) => {
      const matches = (await im.inbox()).filter(m => m.message.id === params.id && (query.from == null || m.message.from.equals(query.from)))
      if (matches.length === 0) throw new ApiError(404, 'not_found', `No message with id ${params.id} in the inbox`)
      if (matches.length > 1) throw new ApiError(409, 'ambiguous', `Several senders used the id ${params.id}; add ?from=im:… to pick one`)
      return { deleted: await im.deleteMessages([{ from: matches[0].message.from, id: params.id }]) }
    })
  ]
}

export function messagingEvents (im: InstantMessaging, publish: (event: ApiEvent) => void): () => void {
  const onMessage = (event: CustomEvent<StoredMessage>): void => publish({ type: 'im:message', data: storedView(event.detail) })
  const onReceipt = (event: CustomEvent<Receipt>): void =>
    publish({ type: 'im:receipt', data: { id: event.detail.id, to: formatImUri(event.detail.to), status: event.detail.status, reason: event.detail.reason ?? null } })
  im.addEventListener('message', onMessage)
  im.addEventListener('receipt', onReceipt)
  return () => {
    im.removeEventListener('message', onMessage)
    im.removeEventListener('receipt', onReceipt)
  }
}

/** One of `text` and `bodyBase64` is set: the schema saw to it */
function outgoing (body: { text?: string, bodyBase64?: Uint8Array, contentType?: string, subject?: string }): { body: Uint8Array, contentType?: string, subject?: string } {
  return { body: body.text != null ? fromString(body.text) : body.bodyBase64 ?? new Uint8Array(), contentType: body.contentType, subject: body.subject }
}

function isText (contentType: string): boolean {
  const [type, ...params] = contentType.toLowerCase().split(';').map(s => s.trim())
  const charset = params.find(p => p.startsWith('charset='))?.slice(8).replace(/"/g, '')
  return type.startsWith('text/') && (charset == null || charset === 'utf-8' || charset === 'us-ascii')
}

function decodeText (body: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    return undefined
  }
}
