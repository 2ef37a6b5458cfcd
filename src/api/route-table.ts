/**
 * Which route answers a request. Most routes come in sets whose code is
 * imported on the first request to one of them: a node that serves no API
 * client loads none of it at start-up (issue 18 item 4), and a node with
 * clients loads only the families they use.
 */
import { ApiError } from './errors.js'
import type { Route } from './index.js'

/** Routes whose code loads when one of them is first asked for */
export interface RouteSet {
  /** Each route of the set as `METHOD /path`, known without loading it (endpoints.ts) */
  routes: readonly string[]
  load(): Promise<Route[]>
}

interface Entry {
  method: string
  parts: string[]
  route?: Route
  set?: RouteSet
}

export class RouteTable {
  private readonly entries: Entry[] = []
  /** One load per set, shared by the requests that arrive while it runs */
  private readonly loading = new Map<RouteSet, Promise<Map<string, Route>>>()

  constructor (routes: Route[], sets: RouteSet[]) {
    for (const route of routes) this.entries.push({ method: route.method, parts: splitPath(route.path), route })
    for (const set of sets) {
      for (const key of set.routes) {
        const [method, path] = key.split(' ')
        this.entries.push({ method, parts: splitPath(path), set })
      }
    }
  }

  async match (method: string, pathname: string): Promise<{ route: Route, params: Record<string, string> }> {
    const segments = splitPath(pathname)
    let pathMatched = false
    for (const entry of this.entries) {
      const params = matchPath(entry.parts, segments)
      if (params == null) continue
      pathMatched = true
      if (entry.method !== method) continue
      if (entry.route != null) return { route: entry.route, params }
      const key = `${entry.method} /${entry.parts.join('/')}`
      const route = (await this.load(entry.set as RouteSet)).get(key)
      // the set's module and its declared routes disagree: a bug of ours, answered 500
      if (route == null) throw new Error(`The route set declaring ${key} did not load it`)
      return { route, params }
    }
    throw pathMatched
      ? new ApiError(405, 'method_not_allowed', `${method} is not allowed on ${pathname}`)
      : new ApiError(404, 'not_found', `No such API endpoint: ${pathname}`)
  }

  private async load (set: RouteSet): Promise<Map<string, Route>> {
    let loaded = this.loading.get(set)
    if (loaded == null) {
      loaded = set.load().then(routes => new Map(routes.map(route => [`${route.method} ${route.path}`, route])))
      // a failed import is not remembered: the next request tries again
      loaded.catch(() => this.loading.delete(set))
      this.loading.set(set, loaded)
    }
    return loaded
  }
}

function splitPath (path: string): string[] {
  return path.split('/').filter(Boolean)
}

function matchPath (parts: string[], segments: string[]): Record<string, string> | undefined {
  if (parts.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].startsWith(':')) {
      try {
        params[parts[i].slice(1)] = decodeURIComponent(segments[i])
      } catch {
        throw new ApiError(400, 'bad_request', `Path segment "${segments[i].slice(0, 64)}" is not valid percent-encoding`)
      }
    } else if (parts[i] !== segments[i]) {
      return undefined
    }
  }
  return params
}
