/**
 * Routes of the presence service: our own status, fetching, CPIM
 * subscriptions and who watches us. Presence events are forwarded to the
 * event stream by `presenceEvents()`.
 */
import { formatPresUri } from '../uri/index.js'
import { toString } from 'uint8arrays'
import { ApiError } from './errors.js'
import { presenceView, type PresenceView } from './presence-view.js'
import { route, type PresenceUpdateBody } from './schemas.js'
import type { ApiEvent, Route } from './index.js'
import type { Access } from '../presence/access/keyring.js'
import type { Presence, SubscribeResult } from '../presence/index.js'
import type { PresenceUpdate } from '../presence/own-presence.js'
import type { PeerId } from '@libp2p/interface'
import type { InferOutput } from 'valibot'

/** Subscriptions last an hour unless the client says otherwise */
const DEFAULT_DURATION_S = 3600
const DEFAULT_DELEGATION_DAYS = 30

export interface SubscribeView {
  status: SubscribeResult['status']
  transactionId: string
  /** Seconds granted */
  duration: number
  reason: string | null
  state: PresenceView
}

export interface SubscriptionView {
  target: string
  peerId: string
  transactionId: string
  until: string
  registered: boolean
  awaitingApproval: boolean
}

export interface WatcherView {
  /** The rule the user set for it, or `default` */
  rule: 'allow' | 'deny' | 'block' | 'default'
  peerId: string
  uri: string
  transactionId: string
  since: string
  expires: string
}

export function presenceRoutes (presence: Presence, self: PeerId): Route[] {
  return [
    route('presence', async () => presenceView(self, presence.current)),
    route('setPresence', async ({ body, signal }) => presenceView(self, await presence.publish(toUpdate(body), { signal }))),
    // as a delegate: publish for the presentity whose delegation we were given
    route('publishFor', async ({ params, body, signal }) => {
      const { delegation, ...update } = body
      return presenceView(params.target, await presence.publishFor(params.target, delegation, toUpdate(update), { signal }), 'public')
    }),
    route('delegate', async ({ body }) => {
      const expiresAt = Date.now() + Math.round((body.days ?? DEFAULT_DELEGATION_DAYS) * 24 * 60 * 60_000)
      const delegation = await presence.delegate(body.target, expiresAt)
      return { delegate: formatPresUri(body.target), expires: new Date(expiresAt).toISOString(), delegation: toString(delegation, 'base64') }
    }),
    route('fetch', async ({ params, query, signal }) => {
      const { record, access } = await presence.lookup(params.target, { signal })
      if (access === 'refused') throw new ApiError(403, 'refused', `${formatPresUri(params.target)} refused to let this node see its presence`)
      if (query.format !== 'pidf') return presenceView(params.target, record, access as Access, Date.now(), presence.lostAt(params.target))
      // loaded when first asked for: its XML stack (xmldom, ~20 ms to import) is not needed to start a node
      const { toPidf } = await import('../presence/pidf.js')
      return { pidf: toPidf(record, { now: Date.now() }) }
    }),
    route('subscribe', async ({ body, signal }) => {
      const result = await presence.subscribe(body.target, { duration: body.duration ?? DEFAULT_DURATION_S, signal })
      return {
        status: result.status,
        transactionId: result.transactionId,
        duration: result.duration,
        reason: result.reason ?? null,
        state: presenceView(body.target, result.record, result.access, Date.now(), presence.lostAt(body.target))
      }
    }),
    route('subscriptions', async () => ({
      subscriptions: presence.subscriptions().map(s => ({
        target: formatPresUri(s.target),
        peerId: s.target.toString(),
        transactionId: s.transactionId,
        until: new Date(s.until).toISOString(),
        // false while the presentity is out of reach: we register when it or we reach the other
        registered: s.grantedUntil > Date.now(),
        // the presentity's user has not decided on our request yet
        awaitingApproval: s.awaitingApproval === true
      }))
    })),
    route('unsubscribe', async ({ params }) => {
      if (!(await presence.unsubscribe(params.target))) throw new ApiError(404, 'not_subscribed', `Not subscribed to ${formatPresUri(params.target)}`)
      return { cancelled: true }
    }),
    route('watchers', async () => {
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
    })
  ]
}

/** Presence events as API events */
export function presenceEvents (presence: Presence, publish: (event: ApiEvent) => void): () => void {
  const listeners: Array<[string, (event: any) => void]> = [
    ['notify', (event) => publish({ type: 'presence:notify', data: { ...presenceView(event.detail.target, event.detail.record, event.detail.access, Date.now(), presence.lostAt(event.detail.target)), transactionId: event.detail.transactionId } })],
    ['request', (event) => publish({ type: 'presence:request', data: { peerId: event.detail.peerId.toString(), uri: formatPresUri(event.detail.peerId), transactionId: event.detail.transactionId } })],
    ['subscription:end', (event) => publish({ type: 'presence:subscription-end', data: { target: formatPresUri(event.detail.target), transactionId: event.detail.transactionId, reason: event.detail.reason } })],
    ['watcher', (event) => publish({ type: 'presence:watcher', data: { peerId: event.detail.peerId.toString(), change: event.detail.change } })]
  ]
  for (const [name, listener] of listeners) presence.addEventListener(name as any, listener)
  return () => {
    for (const [name, listener] of listeners) presence.removeEventListener(name as any, listener)
  }
}

/**
 * The validated body as a presence update: a field left out keeps its value,
 * `note: null` removes the note, and `contact`, when given, is the whole
 * contact card (a list or line it leaves out is emptied).
 */
function toUpdate (body: InferOutput<typeof PresenceUpdateBody>): PresenceUpdate {
  const update: PresenceUpdate = {}
  if (body.basic != null) update.basic = body.basic
  if (body.availability != null) update.availability = body.availability
  if (body.note === null) update.note = null
  else if (body.note != null) update.note = { text: body.note, lang: body.lang }
  if (body.contact != null) {
    update.contact = {
      emails: body.contact.emails ?? [],
      phones: body.contact.phones ?? [],
      postal: body.contact.postal ?? undefined,
      web: body.contact.web ?? undefined
    }
  }
  return update
}
