/**
 * HTTP/1.1 written byte by byte over node:net, for requests that fetch() and
 * node:http refuse to send: malformed request lines, odd methods, invalid
 * header bytes, bodies that lie about their type.
 */
import { connect } from 'node:net'

export interface RawResponse {
  status: number
  headers: Record<string, string>
  /** The body as text; for an event stream, what arrived with the headers */
  body: string
}

export interface RawRequest {
  method: string
  target: string
  headers?: Array<[string, string]>
  body?: Uint8Array | string
}

/** Bytes of a request; the connection closes after it, so each request stands alone */
export function requestBytes ({ method, target, headers = [], body }: RawRequest): Uint8Array {
  const payload = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body ?? [])
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers.map(([name, value]) => `${name}: ${value}`)]
  if (body != null) lines.push(`Content-Length: ${payload.byteLength}`)
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload])
}

/**
 * Send `bytes` to the server at `url` and read one response. Resolves once
 * the body is complete (Content-Length), the server closes, or an event
 * stream has opened; rejects when nothing complete arrives in `timeoutMs`.
 */
export async function rawExchange (url: string, bytes: Uint8Array, timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) })
    let received = Buffer.alloc(0)
    const finish = (error?: Error): void => {
      clearTimeout(timer)
      socket.destroy()
      const response = parse(received)
      if (response != null) resolve(response)
      else reject(error ?? new Error(`incomplete response: ${JSON.stringify(received.toString('latin1').slice(0, 200))}`))
    }
    const timer = setTimeout(() => finish(new Error(`no complete response within ${timeoutMs} ms`)), timeoutMs)
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const response = parse(received)
      const length = Number(response?.headers['content-length'] ?? NaN)
      if (response != null && (Buffer.byteLength(response.body) >= length || response.headers['content-type']?.startsWith('text/event-stream') === true)) finish()
    })
    socket.on('error', err => finish(err))
    socket.on('close', () => finish())
    // the server may answer and close before reading everything we send
    socket.write(bytes, () => {})
  })
}

function parse (data: Buffer): RawResponse | undefined {
  const end = data.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const [statusLine, ...headerLines] = data.subarray(0, end).toString('latin1').split('\r\n')
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)
  if (match == null) return undefined
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(match[1]), headers, body: data.subarray(end + 4).toString('utf8') }
}

/** `rawExchange` of a request built from its parts */
export async function rawRequest (url: string, request: RawRequest, timeoutMs?: number): Promise<RawResponse> {
  return rawExchange(url, requestBytes(request), timeoutMs)
}
