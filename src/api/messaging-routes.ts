/**
 * Routes of the messaging service: send, inbox and history, reply, inbox
 * policy. Messaging events are forwarded to the event stream by
 * `messagingEvents()`.
 */
import { fromString, toString } from 'uint8arrays'
import { toCpim } from '../messaging/cpim.js'
import { formatImUri, peerIdFromUri } from '../uri/index.js'
import { ApiError } from './errors.js'
import { optionalString, requireObject, requireString } from './validate.js'
import type { ApiEvent, Route } from './index.js'
import type { InstantMessage, InstantMessaging, InboxMode, Receipt, StoredMessage } from '../messaging/index.js'

const INBOX_MODES: InboxMode[] = ['everyone', 'contacts', 'nobody']

/** A message as JSON: text bodies as text, anything else as base64 */
export function messageView (message: InstantMessage, extra: Record<string, unknown> = {}): Record<string, unknown> {
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
    ...extra
  }
}

function storedView (stored: StoredMessage): Record<string, unknown> {
  return messageView(stored.message, { receivedAt: new Date(stored.receivedAt).toISOString() })
}

export function messagingRoutes (im: InstantMessaging): Route[] {
  return [{
    method: 'POST',
    path: '/v1/messages',
    handler: async ({ body, signal }) => {
      const to = peerIdFromUri(requireString(body, 'to'))
      return im.send(to, outgoing(body), { signal })
    }
  }, {
    method: 'GET',
    path: '/v1/messages',
    handler: async ({ query }) => {
      // message/cpim (RFC 3862), the form gateways exchange
      if (query.get('format') === 'cpim') {
        const messages = query.get('box') === 'sent' ? (await im.sent()).map(s => s.message) : (await im.inbox()).map(s => s.message)
        return { messages: messages.map(m => ({ id: m.id, cpim: toCpim(m) })) }
      }
      if (query.get('box') === 'sent') {
        return { messages: (await im.sent()).map(s => messageView(s.message, { outcome: s.outcome ?? { status: 'sending' } })) }
      }
      return { messages: (await im.inbox()).map(storedView) }
    }
  }, {
    method: 'POST',
    path: '/v1/messages/:id/reply',
    handler: async ({ params, body, signal }) => {
      const matches = (await im.inbox()).filter(m => m.message.id === params.id)
      if (matches.length === 0) throw new ApiError(404, 'not_found', `No message with id ${params.id} in the inbox`)
      if (matches.length > 1) throw new ApiError(409, 'ambiguous', `Several senders used the id ${params.id}; reply with send instead`)
      const original = matches[0].message
      const to = original.replyTo != null ? peerIdFromUri(original.replyTo) : original.from
      return im.send(to, { ...outgoing(body), inReplyTo: original.id }, { signal })
    }
  }, {
    method: 'GET',
    path: '/v1/inbox/policy',
    handler: async () => im.policy()
  }, {
    method: 'PUT',
    path: '/v1/inbox/policy',
    handler: async ({ body }) => {
      const input = requireObject(body)
      const mode = optionalString(body, 'mode')
      if (mode != null && !INBOX_MODES.includes(mode as InboxMode)) throw new ApiError(400, 'bad_request', `"mode" must be one of ${INBOX_MODES.join(', ')}`)
      if (input.silent != null && typeof input.silent !== 'boolean') throw new ApiError(400, 'bad_request', '"silent" must be true or false')
      return im.setPolicy({ mode: mode as InboxMode | undefined, silent: input.silent as boolean | undefined })
    }
  }, ...(['allow', 'block', 'unblock'] as const).map((action): Route => ({
    method: 'POST',
    path: `/v1/inbox/${action}`,
    handler: async ({ body }) => im[action](peerIdFromUri(requireString(body, 'target')))
  }))]
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

function outgoing (body: unknown): { body: Uint8Array, contentType?: string, subject?: string } {
  const text = optionalString(body, 'text', 1024 * 1024)
  const base64 = optionalString(body, 'bodyBase64', 2 * 1024 * 1024)
  if ((text == null) === (base64 == null)) throw new ApiError(400, 'bad_request', 'Give exactly one of "text" and "bodyBase64"')
  let bytes: Uint8Array
  try {
    bytes = text != null ? fromString(text) : fromString(base64 ?? '', 'base64pad')
  } catch {
    throw new ApiError(400, 'bad_request', '"bodyBase64" is not valid base64')
  }
  return { body: bytes, contentType: optionalString(body, 'contentType', 256), subject: optionalString(body, 'subject', 1024) }
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
