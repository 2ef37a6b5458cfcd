/**
 * Serve a node's control API: routes, token, endpoint file, and the node's
 * events forwarded to `/v1/events`.
 */
import { homePaths } from '../node/home.js'
import { loadOrCreateToken, removeEndpoint, writeEndpoint } from './files.js'
import { accessRoutes } from './access-routes.js'
import { contactsEvents, contactsRoutes } from './contacts-routes.js'
import { nodeRoutes } from './node-routes.js'
import { messagingEvents, messagingRoutes } from './messaging-routes.js'
import { presenceEvents, presenceRoutes } from './presence-routes.js'
import { ApiServer, DEFAULT_MAX_REQUEST_BYTES, REQUEST_OVERHEAD_BYTES } from './server.js'
import { AppWeb } from './app-web.js'
import { route } from './schemas.js'
import type { PresenceMeshNode } from '../node/create-node.js'
import type { Route } from './index.js'
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
    routes: [...nodeRoutes(node), ...presenceRoutes(node.libp2p.services.presence, node.peerId), ...accessRoutes(node.access), ...messagingRoutes(node.libp2p.services.im, node.peerId), ...contactsRoutes(node.libp2p.services.contacts, node.libp2p.services.presence, node.libp2p.services.im), route('appLink', async () => ({ url: appLink() })), ...options.routes ?? []]
  })
  await api.start()

  const onConnect = (evt: CustomEvent<PeerId>): void => api.publish({ type: 'peer:connect', data: { peerId: evt.detail.toString() } })
  const onDisconnect = (evt: CustomEvent<PeerId>): void => api.publish({ type: 'peer:disconnect', data: { peerId: evt.detail.toString() } })
  node.libp2p.addEventListener('peer:connect', onConnect)
  node.libp2p.addEventListener('peer:disconnect', onDisconnect)
  const stopPresenceEvents = presenceEvents(node.libp2p.services.presence, event => api.publish(event))
  const stopMessagingEvents = messagingEvents(node.libp2p.services.im, event => api.publish(event))
  const stopContactsEvents = contactsEvents(node.libp2p.services.contacts, node.libp2p.services.presence, node.libp2p.services.im, event => api.publish(event), node.libp2p.logger.forComponent('presence-mesh:api'))

  await writeEndpoint(paths.apiEndpoint, { url: api.url, pid: process.pid, peerId: node.peerId.toString() })
  return {
    api,
    appLink,
    close: async () => {
      node.libp2p.removeEventListener('peer:connect', onConnect)
      node.libp2p.removeEventListener('peer:disconnect', onDisconnect)
      stopPresenceEvents()
      stopMessagingEvents()
      stopContactsEvents()
      await removeEndpoint(paths.apiEndpoint)
      await api.stop()
    }
  }
}
