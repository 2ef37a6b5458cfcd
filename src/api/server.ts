/**
 * HTTP server of the control API. It listens on 127.0.0.1 only: the token
 * keeps other local users out, the address keeps the network out.
 */
import { timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { ApiError, toApiError } from './errors.js'
import type { ApiEvent, ApiServerInit, Route } from './index.js'

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024
/** SSE comment lines keep idle proxies and clients from timing out */
const SSE_KEEPALIVE_MS = 15_000

export class ApiServer {
  private readonly init: ApiServerInit
  private readonly server: Server
  private readonly listeners = new Set<ServerResponse>()
  private keepalive?: ReturnType<typeof setInterval>
  private _url?: string

  constructor (init: ApiServerInit) {
    this.init = init
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(err => this.sendError(req, res, toApiError(err)))
    })
  }

  /** `http://127.0.0.1:PORT`, once started */
  get url (): string {
    if (this._url == null) throw new Error('API server not started')
    return this._url
  }

  async start (): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.init.port ?? 0, '127.0.0.1', () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    const address = this.server.address()
    if (address == null || typeof address === 'string') throw new Error('API server has no TCP address')
    this._url = `http://127.0.0.1:${address.port}`
    this.keepalive = setInterval(() => {
      for (const res of this.listeners) res.write(': keepalive\n\n')
    }, SSE_KEEPALIVE_MS)
    this.keepalive.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.keepalive)
    for (const res of this.listeners) res.end()
    this.listeners.clear()
    this.server.closeAllConnections()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  /** Push an event to every `/v1/events` listener */
  publish (event: ApiEvent): void {
    const frame = `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`
    for (const res of this.listeners) res.write(frame)
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.authorized(req)) {
      res.setHeader('WWW-Authenticate', 'Bearer')
      throw new ApiError(401, 'unauthorized', 'Missing or wrong bearer token (it is in the node home\'s api-token file)')
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method === 'GET' && url.pathname === '/v1/events') {
      this.openEventStream(req, res)
      return
    }
    const { route, params } = this.match(req.method ?? 'GET', url.pathname)
    const body = req.method === 'POST' || req.method === 'PUT' ? await this.readJson(req) : undefined
    const controller = new AbortController()
    res.once('close', () => controller.abort())
    const result = await route.handler({ body, params, query: url.searchParams, signal: controller.signal })
    this.send(res, 200, result ?? {})
  }

  private authorized (req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (match == null) return false
    const given = Buffer.from(match[1])
    const expected = Buffer.from(this.init.token)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  private match (method: string, pathname: string): { route: Route, params: Record<string, string> } {
    const segments = pathname.split('/').filter(Boolean)
    let pathMatched = false
    for (const route of this.init.routes) {
      const params = matchPath(route.path, segments)
      if (params == null) continue
      pathMatched = true
      if (route.method === method) return { route, params }
    }
    throw pathMatched
      ? new ApiError(405, 'method_not_allowed', `${method} is not allowed on ${pathname}`)
      : new ApiError(404, 'not_found', `No such API endpoint: ${pathname}`)
  }

  private async readJson (req: IncomingMessage): Promise<unknown> {
    const limit = this.init.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req) {
      size += chunk.length
      if (size > limit) throw new ApiError(413, 'too_large', `Request body over ${limit} bytes`)
      chunks.push(chunk)
    }
    if (size === 0) return {}
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch (err: any) {
      throw new ApiError(400, 'bad_json', `Request body is not valid JSON: ${err.message}`)
    }
  }

  private openEventStream (req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive'
    })
    res.write(': presence-mesh events\n\n')
    this.listeners.add(res)
    req.once('close', () => this.listeners.delete(res))
  }

  private send (res: ServerResponse, status: number, value: unknown): void {
    const body = JSON.stringify(value, jsonReplacer)
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
    res.end(body)
  }

  private sendError (req: IncomingMessage, res: ServerResponse, err: ApiError): void {
    if (res.headersSent) {
      res.destroy()
      return
    }
    // a refused request whose body was not read leaves the connection in an
    // unknown state: tell the client not to reuse it
    if (!req.complete) res.setHeader('Connection', 'close')
    this.send(res, err.status, { error: { code: err.code, message: err.message } })
  }
}

function matchPath (pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.split('/').filter(Boolean)
  if (parts.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].startsWith(':')) {
      try {
        params[parts[i].slice(1)] = decodeURIComponent(segments[i])
      } catch {
        return undefined
      }
    } else if (parts[i] !== segments[i]) {
      return undefined
    }
  }
  return params
}

/** bigint (sequence numbers) travels as a decimal string */
function jsonReplacer (_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}
