/**
 * The page's client of the node's control API: the same routes the CLI
 * calls, authorized by the session cookie the sign-in link set (the page
 * never holds the bearer token). A 401 means the session ended.
 */

export class ApiError extends Error {
  readonly status: number
  readonly code: string

  constructor (status: number, code: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** Called when the node answers 401: the page shows how to sign in again */
let onSignedOut: () => void = () => {}
export function whenSignedOut (callback: () => void): void {
  onSignedOut = callback
}

export async function api<T = any> (method: Method, path: string, body?: unknown, options: { timeoutMs?: number } = {}): Promise<T> {
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000)
    })
  } catch (err: any) {
    throw new ApiError(0, 'unreachable', err?.name === 'TimeoutError' ? 'The node did not answer in time' : 'The node is not reachable (is pmesh start still running?)')
  }
  const json = await response.json().catch(() => ({}))
  if (response.status === 401) onSignedOut()
  if (!response.ok) throw new ApiError(response.status, json?.error?.code ?? 'error', json?.error?.message ?? `HTTP ${response.status}`)
  return json as T
}

/** `/v1/presence/:target` and friends take the URI as one path segment */
export function seg (value: string): string {
  return encodeURIComponent(value)
}

/**
 * The node's event stream. EventSource reconnects by itself after a network
 * drop; an answer other than the stream (401 once the session ended) closes
 * it for good, which `onState` is told with `closed`.
 */
export function events (handlers: Record<string, (data: any) => void>, onState: (open: boolean, closed: boolean) => void): EventSource {
  const source = new EventSource('/v1/events')
  for (const [type, handler] of Object.entries(handlers)) {
    source.addEventListener(type, (event) => {
      try {
        handler(JSON.parse((event as MessageEvent).data))
      } catch (err) {
        console.error(`event ${type}`, err)
      }
    })
  }
  source.onopen = () => onState(true, false)
  source.onerror = () => onState(false, source.readyState === EventSource.CLOSED)
  return source
}
