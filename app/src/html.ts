/** htm bound to preact's h: tagged templates instead of JSX, so no compile step beyond bundling */
import { h } from 'preact'
import htm from 'htm'

export const html = htm.bind(h)

/** "3 min ago", "yesterday 14:02" */
export function ago (iso: string | null | undefined, now = Date.now()): string {
  if (iso == null) return ''
  const t = Date.parse(iso)
  const s = Math.round((now - t) / 1000)
  if (s < 60) return 'just now'
  if (s < 3600) return `${Math.floor(s / 60)} min ago`
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`
  return new Date(t).toLocaleString()
}

export function time (ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
}

/** Availability as words and as the dot's class */
export function availabilityOf (presence: { basic: string, availability: string } | undefined): { text: string, dot: string } {
  if (presence == null) return { text: 'unknown', dot: 'unknown' }
  if (presence.basic === 'closed') return { text: 'offline', dot: 'offline' }
  const text = presence.availability === 'unknown' ? 'online' : presence.availability.replace(/-/g, ' ')
  return { text, dot: presence.availability === 'unknown' ? 'available' : presence.availability }
}
