/**
 * HTTP server of the control API. It listens on 127.0.0.1 only: the token
 * keeps other local users out, the address keeps the network out.
 */
import { timingSafeEqual } from 'node:crypto'
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import * as v from 'valibot'
import { ApiError, toApiError } from './errors.js'
import { validate } from './validate.js'
import { RouteTable } from './route-table.js'
import type { Duplex } from 'node:stream'
import type { ApiEvent, ApiServerInit } from './index.js'

export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024
/** What a send request holds beside its base64 body: address, subject, type */
export const REQUEST_OVERHEAD_BYTES = 64 * 1024
/** SSE comment lines keep idle proxies and clients from timing out */
const SSE_KEEPALIVE_MS = 15_000
/**
 * A refused request body of at most this declared length is read and dropped
 * rather than cut off: a client still writing it (`pmesh send --file` with a
 * file over the limit) then reads our 413 instead of a broken pipe. 32 MiB
 * covers the base64 of the largest body any node accepts (16 MiB)
 */
const REFUSED_BODY_DRAIN_BYTES = 32 * 1024 * 1024
/** The schema of a request part a route does not take: nothing */
const EMPTY = v.strictObject({}, 'must be a JSON object')

export class ApiServer {
  private readonly init: ApiServerInit
  private readonly server: Server
  private readonly table: RouteTable
  private readonly listeners = new Set<ServerResponse>()
  /** The node's events forwarded to publish(), from the first event stream on */
  private subscribed?: Promise<() => void>
  private keepalive?: ReturnType<typeof setInterval>
  private _url?: string

  constructor (init: ApiServerInit) {
    this.init = init
    this.table = new RouteTable(init.routes, init.routeSets ?? [])
    // without a Host header Node would answer a bare 400 itself; the token, not
    // the Host, is what keeps others out, so such a request reaches our routes
    this.server = createServer({ requireHostHeader: false }, (req, res) => {
      this.handle(req, res).catch(err => this.sendError(req, res, toApiError(err)))
    })
    this.server.on('clientError', answerClientError)
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
    ;(await this.subscribed?.catch(() => undefined))?.()
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
    // the web app's pages and sign-in come first: they are what an unsigned browser may ask for
    if (this.init.app != null && await this.init.app.serve(req, res, parseTarget(req.url), this.url)) return
    if (!this.authorized(req) && this.init.app?.authorizes(req, this.url) !== true) {
      res.setHeader('WWW-Authenticate', 'Bearer')
      throw new ApiError(401, 'unauthorized', 'Missing or wrong bearer token (it is in the node home\'s api-token file)')
    }
    const url = parseTarget(req.url)
    const method = req.method ?? 'GET'
    if (method === 'GET' && url.pathname === '/v1/events') {
      await this.openEventStream(req, res)
      return
    }
    const { route, params } = await this.table.match(method, url.pathname)
    const input = {
      params: validate(route.params ?? EMPTY, params, 'path'),
      query: validate(route.query ?? EMPTY, queryObject(url.searchParams), 'query'),
      body: method === 'POST' || method === 'PUT' || method === 'PATCH' ? validate(route.body ?? EMPTY, await this.readJson(req), 'body') : undefined
    }
    const controller = new AbortController()
    res.once('close', () => controller.abort())
    const result = await route.handler({ ...input, signal: controller.signal })
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

  private async readJson (req: IncomingMessage): Promise<unknown> {
    const limit = this.init.maxBodyBytes ?? DEFAULT_MAX_REQUEST_BYTES
    if (Number(req.headers['content-length'] ?? 0) > limit) throw new ApiError(413, 'too_large', `Request body over ${limit} bytes`)
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req) {
      size += chunk.length
      if (size > limit) throw new ApiError(413, 'too_large', `Request body over ${limit} bytes`)
      chunks.push(chunk)
    }
    if (size === 0) return {}
    checkContentType(req.headers['content-type'])
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
    } catch {
      throw new ApiError(400, 'bad_json', 'Request body is not UTF-8')
    }
    try {
      return JSON.parse(text)
    } catch (err: any) {
      throw new ApiError(400, 'bad_json', `Request body is not valid JSON: ${err.message}`)
    }
  }

  /**
   * The stream answers once the node's events are subscribed: a client that
   * waits for the answer before acting misses none of the events it causes
   */
  private async openEventStream (req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.init.events != null) {
      this.subscribed ??= this.init.events(event => this.publish(event))
      // a failed subscription is tried again by the next stream, this one is answered 500
      await this.subscribed.catch(err => {
        this.subscribed = undefined
        throw err
      })
    }
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
    if (!req.complete) {
      const declared = Number(req.headers['content-length'])
      // a body the handler never began to read is dropped as it comes while the answer goes out;
      // one read in part, or of a length unknown or too large to drop, ends the connection
      if (req.readableDidRead || !(declared <= REFUSED_BODY_DRAIN_BYTES)) res.setHeader('Connection', 'close')
      else req.resume()
    }
    this.send(res, err.status, { error: { code: err.code, message: err.message } })
  }
}

/**
 * The request target as a URL. A client may send anything on the request
 * line (`GET http://[ HTTP/1.1`); what does not parse is the client's error.
 */
function parseTarget (target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1')
  } catch {
    throw new ApiError(400, 'bad_request', 'The request target is not a valid URL')
  }
}

/** Query parameters as an object for their schema; each may be given once */
function queryObject (search: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {}
  for (const [name, value] of search) {
    if (Object.hasOwn(query, name)) throw new ApiError(400, 'bad_request', `Query parameter "${name.slice(0, 64)}" is given more than once`)
    query[name] = value
  }
  return query
}

/** A body must be JSON in UTF-8 (the default charset of application/json) */
function checkContentType (header: string | undefined): void {
  const [type, ...params] = (header ?? '').toLowerCase().split(';').map(s => s.trim())
  const charset = params.find(p => p.startsWith('charset='))?.slice(8).replace(/"/g, '')
  const json = type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)
  if (!json || (charset != null && charset !== 'utf-8')) {
    throw new ApiError(415, 'unsupported_media_type', 'Request bodies must be JSON (Content-Type: application/json; charset=utf-8)')
  }
}

/**
 * An answer to a request the HTTP parser could not read (malformed request
 * line, oversized or broken headers): no route ran, so it is written to the
 * socket directly. Node's own answer would be a bare status with no JSON.
 */
function answerClientError (err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const [status, code, message] = err.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'headers_too_large', 'Request headers are too large']
    : err.code === 'HPE_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'timeout', 'The request took too long to arrive']
      : [400, 'bad_request', `Malformed HTTP request (${err.code ?? 'parse error'})`]
  const body = JSON.stringify({ error: { code, message } })
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}

/** bigint (sequence numbers) travels as a decimal string */
function jsonReplacer (_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}
