/**
 * Client of a running node's control API, found through its home.
 */
import { ApiError, NodeNotRunningError } from './errors.js'
import { ROUTES } from './endpoints.js'
import { readApiAccess } from './files.js'
import { homePaths } from '../node/home.js'
import type { ApiEvent, HttpMethod } from './index.js'
import type { ApiResponses, EndpointName, RequestInput } from './schemas.js'

/** Default time a request may take; long operations pass their own signal */
const REQUEST_TIMEOUT_MS = 30_000

/**
 * node:http without its ESM facade: an `import` evaluates every export, and the
 * WebSocket and EventSource ones load undici and TLS (~60 ms of CPU a command)
 */
const { request: httpRequest } = process.getBuiltinModule('node:http') as typeof import('node:http')

type Parts<N extends EndpointName> = RequestInput<N>
type Empty = Record<never, never>

/**
 * The parts endpoint `N` takes — `params`, `query`, `body` — typed from its
 * schemas; a part whose fields are all optional may be left out.
 */
export type CallInput<N extends EndpointName> = {
  [K in keyof Parts<N> as Parts<N>[K] extends undefined ? never : Empty extends Parts<N>[K] ? never : K]: Parts<N>[K]
} & {
  [K in keyof Parts<N> as Parts<N>[K] extends undefined ? never : Empty extends Parts<N>[K] ? K : never]?: Parts<N>[K]
}

export interface CallOptions {
  signal?: AbortSignal
}

export class ApiClient {
  readonly url: string
  private readonly token: string
  private readonly home: string

  constructor (url: string, token: string, home = '') {
    this.url = url
    this.token = token
    this.home = home
  }

  static async fromHome (root: string): Promise<ApiClient> {
    const { endpoint, token } = await readApiAccess(homePaths(root))
    return new ApiClient(endpoint.url, token, root)
  }

  /**
   * Call an endpoint of src/api/schemas.ts: the input and the answer are
   * typed from the same contract the server validates against.
   */
  async call<N extends EndpointName> (
    name: N,
    ...[input, options]: Empty extends CallInput<N> ? [input?: CallInput<N>, options?: CallOptions] : [input: CallInput<N>, options?: CallOptions]
  ): Promise<ApiResponses[N]> {
    const [method, pattern] = ROUTES[name].split(' ') as [HttpMethod, string]
    const parts = (input ?? {}) as { params?: Record<string, string>, query?: Record<string, string | undefined>, body?: unknown }
    let path = pattern.replace(/:(\w+)/g, (_, param: string) => encodeURIComponent(parts.params?.[param] ?? ''))
    const query = new URLSearchParams(Object.entries(parts.query ?? {}).filter((e): e is [string, string] => e[1] != null))
    if (query.size > 0) path += `?${query.toString()}`
    return this.request(method, path, parts.body, options)
  }

  /** A request of any shape; `call` is the typed way */
  async request<T = any> (method: HttpMethod, path: string, body?: unknown, options: { signal?: AbortSignal } = {}): Promise<T> {
    const response = await this.exchange(method, path, body === undefined ? undefined : JSON.stringify(body), options.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS))
    const text = response.text
    let json: any
    try {
      json = text === '' ? {} : JSON.parse(text)
    } catch {
      throw new ApiError(response.status, 'bad_response', `The node answered ${response.status} with a body that is not JSON`)
    }
    if (response.status < 200 || response.status > 299) {
      throw new ApiError(response.status, json?.error?.code ?? 'error', json?.error?.message ?? `HTTP ${response.status}`)
    }
    return json as T
  }

  /**
   * Server-Sent Events from `/v1/events`, until `signal` aborts. Resolves
   * once the stream is open, so nothing that happens after is missed.
   */
  async events (options: { signal?: AbortSignal } = {}): Promise<AsyncGenerator<ApiEvent>> {
    const response = await this.fetch('/v1/events', { signal: options.signal })
    if (!response.ok || response.body == null) {
      throw new ApiError(response.status, 'events_failed', `Event stream refused with HTTP ${response.status}`)
    }
    return readEvents(response.body as unknown as AsyncIterable<Uint8Array>)
  }

  /**
   * One request and its whole answer, over node:http rather than fetch: fetch's
   * first use costs a client command about 0.1 s of CPU to set up (undici),
   * as much as the rest of the command
   */
  private async exchange (method: HttpMethod, path: string, body: string | undefined, signal: AbortSignal): Promise<{ status: number, text: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' }
      if (body != null) headers['Content-Length'] = String(Buffer.byteLength(body))
      let status = 0
      const chunks: Buffer[] = []
      const answer = (): { status: number, text: string } => ({ status, text: Buffer.concat(chunks).toString('utf8') })
      // the server may refuse before it has all of our body and the connection break while we still
      // write it: a refusal already received (even cut short) says what was refused; a success cut
      // short, or no answer at all, is an error
      const refused = (): boolean => status >= 400 && !signal.aborted
      const req = httpRequest(`${this.url}${path}`, { method, headers, signal }, res => {
        status = res.statusCode ?? 0
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => { resolve(answer()) })
        res.on('error', err => {
          if (refused()) resolve(answer())
          else reject(err)
        })
      })
      req.on('error', (err: any) => {
        if (refused()) resolve(answer())
        else if (signal.aborted) reject(signal.reason)
        else reject(new NodeNotRunningError(`Cannot reach the node's API at ${this.url}${this.home !== '' ? ` (home ${this.home})` : ''}: is it running? (${err.code ?? err.message})`))
      })
      req.end(body)
    })
  }

  private async fetch (path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.url}${path}`, {
        ...init,
        headers: { ...init.headers as Record<string, string>, Authorization: `Bearer ${this.token}` }
      })
    } catch (err: any) {
      if (err.name === 'TimeoutError' || err.name === 'AbortError') throw err
      throw new NodeNotRunningError(`Cannot reach the node's API at ${this.url}${this.home !== '' ? ` (home ${this.home})` : ''}: is it running? (${err.cause?.code ?? err.message})`)
    }
  }
}

async function * readEvents (body: AsyncIterable<Uint8Array>): AsyncGenerator<ApiEvent> {
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true })
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const event = parseFrame(frame)
      if (event != null) yield event
    }
  }
}

function parseFrame (frame: string): ApiEvent | undefined {
  let type = 'message'
  const data: string[] = []
  for (const line of frame.split('\n')) {
    if (line.startsWith('event:')) type = line.slice(6).trim()
    else if (line.startsWith('data:')) data.push(line.slice(5).trim())
  }
  if (data.length === 0) return undefined
  return { type, data: JSON.parse(data.join('\n')) }
}
