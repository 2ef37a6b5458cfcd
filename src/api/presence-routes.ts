/**
 * Routes of the presence service: our own status, fetching, CPIM
 * subscriptions and who watches us. Presence events are forwarded to the
 * event stream by `presenceEvents()`.
 */
import { AVAILABILITIES, type Availability, type PresenceContact } from '../presence/record.js'
import { toPidf } from '../presence/pidf.js'
import { formatPresUri, peerIdFromUri } from '../uri/index.js'
import { fromString, toString } from 'uint8arrays'
import { ApiError } from './errors.js'
import { presenceView } from './presence-view.js'
import { optionalNumber, optionalString, requireObject, requireString } from './validate.js'
import type { ApiEvent, Route } from './index.js'
import type { Presence } from '../presence/index.js'
import type { PresenceUpdate } from '../presence/own-presence.js'
import type { PeerId } from '@libp2p/interface'

/** Subscriptions last an hour unless the client says otherwise */
const DEFAULT_DURATION_S = 3600
const DEFAULT_DELEGATION_DAYS = 30

function base64 (text: string, field: string): Uint8Array {
  try {
    return fromString(text, 'base64')
  } catch {
    throw new ApiError(400, 'bad_request', `"${field}" is not base64`)
  }
}

export function presenceRoutes (presence: Presence, self: PeerId): Route[] {
  return [{
    method: 'GET',
    path: '/v1/presence',
    handler: async () => presenceView(self, presence.current)
  }, {
    method: 'PUT',
    path: '/v1/presence',
    handler: async ({ body, signal }) => presenceView(self, await presence.publish(parseUpdate(body), { signal }))
  }, {
    // as a delegate: publish for the presentity whose delegation we were given
    method: 'PUT',
    path: '/v1/presence/:target',
    handler: async ({ params, body, signal }) => {
      const target = peerIdFromUri(params.target)
      const delegation = base64(requireString(body, 'delegation', 4096), 'delegation')
      return presenceView(target, await presence.publishFor(target, delegation, parseUpdate(body), { signal }), 'public')
    }
  }, {
    method: 'POST',
    path: '/v1/delegations',
    handler: async ({ body }) => {
      const delegate = peerIdFromUri(requireString(body, 'target'))
      const days = optionalNumber(body, 'days', 1, 366) ?? DEFAULT_DELEGATION_DAYS
      const expiresAt = Date.now() + Math.round(days * 24 * 60 * 60_000)
      const delegation = await presence.delegate(delegate, expiresAt)
      return { delegate: formatPresUri(delegate), expires: new Date(expiresAt).toISOString(), delegation: toString(delegation, 'base64') }
    }
  }, {
    method: 'GET',
    path: '/v1/presence/:target',
    handler: async ({ params, query, signal }) => {
      const target = peerIdFromUri(params.target)
      const { record, access } = await presence.lookup(target, { signal })
      if (access === 'refused') throw new ApiError(403, 'refused', `${params.target} refused to let this node see its presence`)
      return query.get('format') === 'pidf' ? { pidf: toPidf(record, { now: Date.now() }) } : presenceView(target, record, access)
    }
  }, {
    method: 'POST',
    path: '/v1/subscriptions',
    handler: async ({ body, signal }) => {
      const target = peerIdFromUri(requireString(body, 'target'))
      const duration = optionalNumber(body, 'duration', 0, Number.MAX_SAFE_INTEGER) ?? DEFAULT_DURATION_S
      const result = await presence.subscribe(target, { duration, signal })
      return {
        status: result.status,
        transactionId: result.transactionId,
        duration: result.duration,
        reason: result.reason ?? null,
        state: presenceView(target, result.record, result.access)
      }
    }
  }, {
    method: 'GET',
    path: '/v1/subscriptions',
    handler: async () => ({
      subscriptions: presence.subscriptions().map(s => ({
        target: formatPresUri(s.target),
        peerId: s.target.toString(),
        transactionId: s.transactionId,
        until: new Date(s.until).toISOString(),
        // false while the presentity is out of reach: we wait for it in its gossip shard
        registered: s.grantedUntil > Date.now(),
        // the presentity's user has not decided on our request yet
        awaitingApproval: s.awaitingApproval === true
      }))
    })
  }, {
    method: 'DELETE',
    path: '/v1/subscriptions/:target',
    handler: async ({ params }) => {
      const target = peerIdFromUri(params.target)
      if (!(await presence.unsubscribe(target))) throw new ApiError(404, 'not_subscribed', `Not subscribed to ${params.target}`)
      return { cancelled: true }
    }
  }, {
    method: 'GET',
    path: '/v1/watchers',
    handler: async () => {
      const { rules } = presence.policy()
      return {
        watchers: presence.watchers().map(w => ({
          // what it is shown: the rule the user set for it, or the default
          rule: rules[w.peerId.toString()]?.rule ?? 'default',
          peerId: w.peerId.toString(),
          uri: formatPresUri(w.peerId),
          transactionId: w.transactionId,
          since: new Date(w.since).toISOString(),
          expires: new Date(w.expiresAt).toISOString()
        }))
      }
    }
  }]
}

/** Presence events as API events */
export function presenceEvents (presence: Presence, publish: (event: ApiEvent) => void): () => void {
  const listeners: Array<[string, (event: any) => void]> = [
    ['notify', (event) => publish({ type: 'presence:notify', data: { ...presenceView(event.detail.target, event.detail.record, event.detail.access), transactionId: event.detail.transactionId } })],
    ['request', (event) => publish({ type: 'presence:request', data: { peerId: event.detail.peerId.toString(), uri: formatPresUri(event.detail.peerId), transactionId: event.detail.transactionId } })],
    ['subscription:end', (event) => publish({ type: 'presence:subscription-end', data: { target: formatPresUri(event.detail.target), transactionId: event.detail.transactionId, reason: event.detail.reason } })],
    ['watcher', (event) => publish({ type: 'presence:watcher', data: { peerId: event.detail.peerId.toString(), change: event.detail.change } })]
  ]
  for (const [name, listener] of listeners) presence.addEventListener(name as any, listener)
  return () => {
    for (const [name, listener] of listeners) presence.removeEventListener(name as any, listener)
  }
}

function parseUpdate (body: unknown): PresenceUpdate {
  const input = requireObject(body)
  const update: PresenceUpdate = {}
  const basic = optionalString(body, 'basic')
  if (basic != null) {
    if (basic !== 'open' && basic !== 'closed') throw new ApiError(400, 'bad_request', '"basic" must be "open" or "closed"')
    update.basic = basic
  }
  const availability = optionalString(body, 'availability')
  if (availability != null) {
    if (!(AVAILABILITIES as readonly string[]).includes(availability)) {
      throw new ApiError(400, 'bad_request', `"availability" must be one of ${AVAILABILITIES.join(', ')}`)
    }
    update.availability = availability as Availability
  }
  if (input.note === null) update.note = null
  else {
    const note = optionalString(body, 'note', 1024)
    if (note != null) update.note = { text: note, lang: optionalString(body, 'lang', 64) }
  }
  if (input.contact != null) update.contact = parseContact(input.contact)
  return update
}

function parseContact (value: unknown): PresenceContact {
  const input = requireObject(value)
  const list = (field: string): string[] => {
    const v = input[field] ?? []
    if (!Array.isArray(v) || v.some(x => typeof x !== 'string')) throw new ApiError(400, 'bad_request', `"contact.${field}" must be a list of strings`)
    return v
  }
  return {
    emails: list('emails'),
    phones: list('phones'),
    postal: optionalString(value, 'postal', 1024),
    web: optionalString(value, 'web', 2048)
  }
}
