/**
 * The operations endpoint (`--metrics HOST:PORT`): `GET /metrics` in
 * Prometheus's text exposition format and `GET /healthz` (200 or 503, a small
 * JSON body without personal data). It takes no token, unlike the control
 * API: it says nothing about anyone, and it listens on 127.0.0.1 unless the
 * operator names another address (then a firewall decides who scrapes it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { nodeHealth } from './node-status.js'
import type { PresenceMeshNode } from './create-node.js'
import type { Registry } from 'prom-client'

export interface OpsServer {
  /** `http://HOST:PORT` */
  readonly url: string
  close(): Promise<void>
}

export async function startOpsServer (node: PresenceMeshNode, registry: Registry, host: string, port: number): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    answer(node, registry, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n')
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address == null || typeof address === 'string') throw new Error('metrics server has no TCP address')
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  return {
    url,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

async function answer (node: PresenceMeshNode, registry: Registry, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]
  if (path !== '/metrics' && path !== '/healthz') {
    send(res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics or /healthz\n')
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD')
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n')
    return
  }
  if (path === '/metrics') {
    send(res, 200, registry.contentType, await registry.metrics(), req.method === 'HEAD')
    return
  }
  const health = await nodeHealth(node)
  send(res, health.status === 'ok' ? 200 : 503, 'application/json; charset=utf-8', `${JSON.stringify(health)}\n`, req.method === 'HEAD')
}

function send (res: ServerResponse, status: number, type: string, body: string, headOnly = false): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' })
  res.end(headOnly ? undefined : body)
}
