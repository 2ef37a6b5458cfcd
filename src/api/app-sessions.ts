/**
 * Sign-in for the web app. The browser never sees the bearer token: a
 * client that holds it (`pmesh open`, or `pmesh start` itself) asks for a
 * one-time code, the link carries the code, and the node trades the code for
 * a random session id kept in an HttpOnly, SameSite=Strict cookie. Codes and
 * sessions live in memory only: a restarted node signs every page out.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

/** A sign-in link is meant to be clicked now, not kept */
export const CODE_TTL_MS = 10 * 60_000
/** A session unused this long ends: the next visit needs a new link */
export const SESSION_IDLE_MS = 7 * 24 * 3600_000
/** Codes nobody redeemed and open sessions are bounded: a client looping on `open` cannot grow the node */
const MAX_CODES = 16
const MAX_SESSIONS = 32

export class AppSessions {
  /** code → when it expires */
  private readonly codes = new Map<string, number>()
  /** session id → when it was last used */
  private readonly sessions = new Map<string, number>()
  private readonly now: () => number

  constructor (now: () => number = Date.now) {
    this.now = now
  }

  /** A new one-time code, valid for CODE_TTL_MS */
  issueCode (): string {
    this.prune()
    const code = randomBytes(24).toString('base64url')
    this.codes.set(code, this.now() + CODE_TTL_MS)
    dropOldest(this.codes, MAX_CODES)
    return code
  }

  /** Trade a code for a new session id; a code works once */
  redeem (code: string): string | undefined {
    this.prune()
    const match = findKey(this.codes, code)
    if (match == null) return undefined
    this.codes.delete(match)
    const session = randomBytes(32).toString('base64url')
    this.sessions.set(session, this.now())
    dropOldest(this.sessions, MAX_SESSIONS)
    return session
  }

  /** Whether this session id is open; using it keeps it open */
  check (session: string): boolean {
    this.prune()
    const match = findKey(this.sessions, session)
    if (match == null) return false
    // re-inserted so that Map order stays least-recently-used first
    this.sessions.delete(match)
    this.sessions.set(match, this.now())
    return true
  }

  end (session: string): void {
    const match = findKey(this.sessions, session)
    if (match != null) this.sessions.delete(match)
  }

  private prune (): void {
    const now = this.now()
    for (const [code, expires] of this.codes) if (expires <= now) this.codes.delete(code)
    for (const [session, used] of this.sessions) if (used + SESSION_IDLE_MS <= now) this.sessions.delete(session)
  }
}

/** The stored key equal to `given`, compared in constant time so that timing tells nothing of a secret */
function findKey (map: Map<string, number>, given: string): string | undefined {
  const g = Buffer.from(given)
  let found: string | undefined
  for (const key of map.keys()) {
    const k = Buffer.from(key)
    if (k.length === g.length && timingSafeEqual(k, g)) found = key
  }
  return found
}

function dropOldest (map: Map<string, number>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return
    map.delete(key)
  }
}
