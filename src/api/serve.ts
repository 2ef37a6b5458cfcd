/**
 * Serve a node's control API: routes, token, endpoint file, and the node's
 * events forwarded to `/v1/events`. The route families' code is imported on
 * the first request to one of them (route-table.ts), and the code that shapes
 * events when the first event stream opens: none of it is on the start-up
 * path. Each family names its routes from endpoints.ts, which loads nothing;
 * a unit test checks that each family's module serves exactly those.
 */
import { homePaths } from '../node/home.js'
import { loadOrCreateToken, removeEndpoint, writeEndpoint } from './files.js'
import { ROUTES } from './endpoints.js'
import { ApiServer, DEFAULT_MAX_REQUEST_BYTES, REQUEST_OVERHEAD_BYTES } from './server.js'
import { AppWeb } from './app-web.js'
import { route } from './schemas.js'
import type { PresenceMeshNode } from '../node/create-node.js'
import type { ApiEvent, Route } from './index.js'
import type { RouteSet } from './route-table.js'
import type { EndpointName } from './schemas.js'
import type { PeerId } from '@libp2p/interface'

export interface ServedNode {
  api: ApiServer
  /** A one-time sign-in link to the web app */
  appLink(): string
  /** Stop serving (the node itself is the caller's to stop) */
  close(): Promise<void>
}

export async function serveNode (node: PresenceMeshNode, options: { port?: number, routes?: Route[] } = {}): Promise<ServedNode> {
  if (node.home == null) throw new Error('serveNode needs a node with a home: the API token and endpoint live there')
  const paths = homePaths(node.home.root)
  const token = await loadOrCreateToken(paths.apiToken)
  const app = new AppWeb()
  const appLink = (): string => app.link(api.url)
  const api: ApiServer = new ApiServer({
    token,
    // a file of the largest body the node sends, base64 in JSON (4 bytes per 3), and room for the rest
    maxBodyBytes: Math.max(DEFAULT_MAX_REQUEST_BYTES, Math.ceil(node.libp2p.services.im.maxBodySize / 3) * 4 + REQUEST_OVERHEAD_BYTES),
    app,
    port: options.port ?? node.settings.apiPort,
    routes: [route('appLink', async () => ({ url: appLink() })), ...options.routes ?? []],
    routeSets: routeSets(node),
    events: async publish => nodeEvents(node, publish)
  })
  await api.start()

  const onConnect = (evt: CustomEvent<PeerId>): void => api.publish({ type: 'peer:connect', data: { peerId: evt.detail.toString() } })
  const onDisconnect = (evt: CustomEvent<PeerId>): void => api.publish({ type: 'peer:disconnect', data: { peerId: evt.detail.toString() } })
  node.libp2p.addEventListener('peer:connect', onConnect)
  node.libp2p.addEventListener('peer:disconnect', onDisconnect)

  await writeEndpoint(paths.apiEndpoint, { url: api.url, pid: process.pid, peerId: node.peerId.toString() })
  return {
    api,
    appLink,
    close: async () => {
      node.libp2p.removeEventListener('peer:connect', onConnect)
      node.libp2p.removeEventListener('peer:disconnect', onDisconnect)
      await removeEndpoint(paths.apiEndpoint)
      await api.stop()
    }
  }
}

function named (...names: EndpointName[]): string[] {
  return names.map(name => ROUTES[name])
}

export function routeSets (node: PresenceMeshNode): RouteSet[] {
  const { presence, im, contacts } = node.libp2p.services
  return [
    {
      routes: named('id', 'node', 'peers', 'connect'),
      load: async () => (await import('./node-routes.js')).nodeRoutes(node)
    },
    {
      routes: named('presence', 'setPresence', 'publishFor', 'delegate', 'fetch', 'subscribe', 'subscriptions', 'unsubscribe', 'watchers'),
      load: async () => (await import('./presence-routes.js')).presenceRoutes(presence, node.peerId)
    },
    {
      routes: named('access', 'setAccess', 'allow', 'deny', 'block', 'revoke'),
      load: async () => (await import('./access-routes.js')).accessRoutes(node.access)
    },
    {
      routes: named('send', 'messages', 'reply', 'inboxPolicy', 'setInboxPolicy', 'inboxAllow', 'inboxBlock', 'inboxUnblock', 'deleteMessage'),
      load: async () => (await import('./messaging-routes.js')).messagingRoutes(im, node.peerId)
    },
    {
      routes: named('contacts', 'addContact', 'contact', 'updateContact', 'removeContact', 'markRead', 'invite'),
      load: async () => (await import('./contacts-routes.js')).contactsRoutes(contacts, presence, im)
    }
  ]
}

/** Presence, messaging and contact events forwarded to `publish`; the returned function ends it */
export async function nodeEvents (node: PresenceMeshNode, publish: (event: ApiEvent) => void): Promise<() => void> {
  const { presence, im, contacts } = node.libp2p.services
  const [{ presenceEvents }, { messagingEvents }, { contactsEvents }] = await Promise.all([
    import('./presence-routes.js'), import('./messaging-routes.js'), import('./contacts-routes.js')
  ])
  const stops = [
    presenceEvents(presence, publish),
    messagingEvents(im, publish),
    contactsEvents(contacts, presence, im, publish, node.libp2p.logger.forComponent('presence-mesh:api'))
  ]
  return () => { for (const stop of stops) stop() }
}
