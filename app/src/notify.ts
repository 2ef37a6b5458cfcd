/**
 * Desktop notifications through the browser's Notification API, only while
 * the page is hidden: a visible page shows the news itself. Permission is
 * asked for from a click (browsers refuse a request no gesture started).
 */
import { changed } from './store.js'
import { select } from './actions.js'

export function notificationsSupported (): boolean {
  return typeof Notification !== 'undefined'
}

export function notificationPermission (): NotificationPermission | 'unsupported' {
  return notificationsSupported() ? Notification.permission : 'unsupported'
}

export async function askPermission (): Promise<void> {
  if (!notificationsSupported()) return
  await Notification.requestPermission()
  changed()
}

/** Tell the user, if the page is hidden and they allowed it; clicking opens the chat */
export function notify (title: string, body: string, tag: string, peerId?: string): void {
  if (!document.hidden || notificationPermission() !== 'granted') return
  try {
    const notification = new Notification(title, { body, tag, icon: '/icon.svg' })
    notification.onclick = () => {
      window.focus()
      if (peerId != null) select(peerId)
      notification.close()
    }
  } catch (err) {
    // some platforms allow notifications only from a service worker: the page still shows the news
    console.warn('notification', err)
  }
}
