/**
 * The web app's layer of the control API server: the page's static assets
 * (built into dist/app by `npm run build`), sign-in by one-time code, and the
 * session cookie that then authorizes the same API routes the CLI uses.
 *
 * A browser is a confused deputy that any web site can drive, so a request
 * that relies on the cookie must prove it comes from our own page: its Host
 * must be our address (a DNS-rebound name is refused) and, where the browser
 * says where it comes from (Origin, Sec-Fetch-Site), that must be us.
 */
import { readFile } from 'node:fs/promises'
import { packageFile } from '../utils/package-root.js'
import { AppSessions, SESSION_IDLE_MS } from './app-sessions.js'
import { ApiError } from './errors.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Only our own scripts, styles and API: no inline code, no CDN, no framing */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'",
  "manifest-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"
].join('; ')

const ASSETS: Record<string, string> = {
  '/': 'text/html; charset=utf-8',
  '/app.js': 'text/javascript; charset=utf-8',
  '/app.css': 'text/css; charset=utf-8',
  '/icon.svg': 'image/svg+xml'
}
const ASSET_DIR = packageFile('dist/app/')

export class AppWeb {
  readonly sessions = new AppSessions()
  private readonly cache = new Map<string, Buffer>()

  /** A sign-in link for the server at `url` (`http://127.0.0.1:PORT`) */
  link (url: string): string {
    return `${url}/?code=${this.sessions.issueCode()}`
  }

  /**
   * Answer a request for the app itself: an asset, a sign-in, a sign-out.
   * False for anything else, which is the API's.
   */
  async serve (req: IncomingMessage, res: ServerResponse, target: URL, url: string): Promise<boolean> {
    const method = req.method ?? 'GET'
    const isAsset = Object.hasOwn(ASSETS, target.pathname) && (method === 'GET' || method === 'HEAD')
    const isSignOut = target.pathname === '/sign-out' && method === 'POST'
    if (!isAsset && !isSignOut) return false
    checkHost(req, url)
    setSecurityHeaders(res)
    if (isSignOut) {
      checkSameOrigin(req, url, true)
      const session = this.cookie(req, url)
      if (session != null) this.sessions.end(session)
      res.writeHead(204, { 'Set-Cookie': `${cookieName(url)}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` }).end()
      return true
    }
    const code = target.searchParams.get('code')
    if (target.pathname === '/' && code != null) {
      this.signIn(req, res, code, url)
      return true
    }
    const body = await this.asset(target.pathname)
    res.writeHead(200, { 'Content-Type': ASSETS[target.pathname], 'Content-Length': body.byteLength, 'Cache-Control': 'no-cache' })
    res.end(method === 'HEAD' ? undefined : body)
    return true
  }

  /**
   * Whether the request carries an open session. A request with a session
   * from a foreign host or origin is refused outright, not treated as signed
   * out: the page must not be told to sign in again to a cross-site forger.
   */
  authorizes (req: IncomingMessage, url: string): boolean {
    const session = this.cookie(req, url)
    if (session == null) return false
    checkHost(req, url)
    checkSameOrigin(req, url, req.method !== 'GET' && req.method !== 'HEAD')
    return this.sessions.check(session)
  }

  private signIn (req: IncomingMessage, res: ServerResponse, code: string, url: string): void {
    // a link on some web site must not sign the user in to a session of the site's choosing
    const site = req.headers['sec-fetch-site']
    if (site != null && site !== 'none' && site !== 'same-origin') throw new ApiError(403, 'cross_site', 'A sign-in link works only when opened directly')
    const session = this.sessions.redeem(code)
    if (session == null) {
      const page = '<!doctype html><meta charset="utf-8"><title>presence-mesh: link expired</title><h1>This sign-in link has expired or was already used</h1><p>Run <code>pmesh open</code> for a new one.</p>'
      res.writeHead(403, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(page)
      return
    }
    // the redirect leaves a clean address: the code is not kept in the tab or shown again
    res.writeHead(303, {
      'Set-Cookie': `${cookieName(url)}=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_IDLE_MS / 1000}`,
      Location: '/',
      'Cache-Control': 'no-store'
    }).end()
  }

  private cookie (req: IncomingMessage, url: string): string | undefined {
    const name = cookieName(url)
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [key, ...value] = part.trim().split('=')
      if (key === name) return value.join('=')
    }
    return undefined
  }

  private async asset (path: string): Promise<Buffer> {
    let body = this.cache.get(path)
    if (body == null) {
      try {
        body = await readFile(new URL(path === '/' ? 'index.html' : path.slice(1), ASSET_DIR))
      } catch {
        throw new ApiError(500, 'app_not_built', 'The web app is not built: run "npm run build"')
      }
      this.cache.set(path, body)
    }
    return body
  }
}

/** Cookies are shared by every port of a host: the name keeps two nodes' sessions apart */
function cookieName (url: string): string {
  return `pmesh-session-${new URL(url).port}`
}

/** Against DNS rebinding: a page on evil.example that resolves to 127.0.0.1 still sends its own name */
function checkHost (req: IncomingMessage, url: string): void {
  const port = new URL(url).port
  const host = req.headers.host
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    throw new ApiError(403, 'bad_host', 'The web app answers only at its own address (127.0.0.1 or localhost)')
  }
}

/** A request the browser marks as coming from another origin or site is refused */
function checkSameOrigin (req: IncomingMessage, url: string, originRequired: boolean): void {
  const origin = req.headers.origin
  const own = `http://${req.headers.host ?? new URL(url).host}`
  const site = req.headers['sec-fetch-site']
  if ((origin == null && originRequired) || (origin != null && origin !== own) || (site != null && site !== 'same-origin')) {
    throw new ApiError(403, 'cross_origin', 'Requests with the web app\'s session must come from the web app itself')
  }
}

function setSecurityHeaders (res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
}
