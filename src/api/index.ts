/**
 * The local control API: HTTP + JSON on 127.0.0.1, a bearer token, and a
 * Server-Sent Events stream. Desktop front ends and every `pmesh` command
 * except `start` are clients of it.
 */
import type { GenericSchema } from 'valibot'
import type { AppWeb } from './app-web.js'
import type { RouteSet } from './route-table.js'

export { ApiServer } from './server.js'
export { ApiClient } from './client.js'
export { ApiError, NodeNotRunningError } from './errors.js'
export type { RouteSet } from './route-table.js'
export { ENDPOINTS, type ApiResponses, type EndpointName, type RequestInput } from './schemas.js'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface ApiRequest {
  /** The JSON body (POST/PUT/PATCH) as its schema outputs it, undefined otherwise */
  body: unknown
  /** The `:name` segments of the route's path, as their schema outputs them */
  params: unknown
  /** The query parameters, as their schema outputs them */
  query: unknown
  /** Aborted when the client goes away */
  signal: AbortSignal
}

/**
 * An endpoint the server answers. Its schemas are checked before the handler
 * runs; a part without a schema must be empty (no query parameters, a body
 * of `{}` at most). Built with `route()` from src/api/schemas.ts.
 */
export interface Route {
  method: HttpMethod
  /** e.g. `/v1/presence/:target` */
  path: string
  params?: GenericSchema
  query?: GenericSchema
  body?: GenericSchema
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
  /** Routes loaded with the server */
  routes: Route[]
  /** Routes whose code is imported on the first request to one of them */
  routeSets?: RouteSet[]
  /**
   * Forward the node's events to `publish`, called when the first event
   * stream opens (the code that shapes events loads with the routes); what it
   * returns ends the forwarding at stop
   */
  events?: (publish: (event: ApiEvent) => void) => Promise<() => void>
  /** Largest accepted request body in bytes. Default: 1 MiB (serveNode: room for a file of the node's largest message body) */
  maxBodyBytes?: number
  /** The web app: its assets, and sessions that authorize like the token */
  app?: AppWeb
}
