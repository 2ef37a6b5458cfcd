/**
 * The local control API: HTTP + JSON on 127.0.0.1, a bearer token, and a
 * Server-Sent Events stream. Desktop front ends and every `pmesh` command
 * except `start` are clients of it.
 */
export { ApiServer } from './server.js'
export { ApiClient } from './client.js'
export { ApiError, NodeNotRunningError } from './errors.js'
export { nodeRoutes } from './node-routes.js'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface ApiRequest {
  /** Parsed JSON body (POST/PUT), undefined otherwise */
  body: unknown
  /** Values of `:name` segments of the route's path */
  params: Record<string, string>
  query: URLSearchParams
  /** Aborted when the client goes away */
  signal: AbortSignal
}

export interface Route {
  method: HttpMethod
  /** e.g. `/v1/presence/:target` */
  path: string
  handler(request: ApiRequest): Promise<unknown>
}

/** Something that happened in the node, pushed to `/v1/events` listeners */
export interface ApiEvent {
  type: string
  data: unknown
}

export interface ApiServerInit {
  /** Bearer token every request must present */
  token: string
  /** Port on 127.0.0.1; 0 lets the OS choose. Default: 0 */
  port?: number
  routes: Route[]
  /** Largest accepted request body in bytes. Default: 1 MiB */
  maxBodyBytes?: number
}
