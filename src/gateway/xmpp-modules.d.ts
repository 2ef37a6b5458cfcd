/**
 * The part of xmpp.js (@xmpp/component, @xmpp/client) the gateway and its tests use: the packages
 * ship JavaScript without type declarations.
 */
declare module '@xmpp/xml' {
  export interface Element {
    name: string
    attrs: Record<string, string | undefined>
    children: Array<Element | string>
    is(name: string, xmlns?: string): boolean
    getChild(name: string, xmlns?: string): Element | undefined
    getChildText(name: string, xmlns?: string): string | null
    getText(): string
    toString(): string
  }
  export function xml (name: string, attrs?: Record<string, string | undefined>, ...children: Array<Element | string | undefined>): Element
}

declare module '@xmpp/component' {
  import type { Element, xml as makeXml } from '@xmpp/xml'
  export interface XmppEntity {
    start(): Promise<unknown>
    stop(): Promise<void>
    send(element: Element): Promise<void>
    on(event: 'stanza', listener: (stanza: Element) => void): this
    on(event: 'error', listener: (err: Error) => void): this
    on(event: 'online' | 'offline', listener: (...args: unknown[]) => void): this
    removeAllListeners(event?: string): this
    status: string
  }
  export const xml: typeof makeXml
  export function component (options: { service: string, domain: string, password: string }): XmppEntity
}

declare module '@xmpp/client' {
  import type { XmppEntity } from '@xmpp/component'
  import type { xml as makeXml } from '@xmpp/xml'
  export const xml: typeof makeXml
  export function client (options: { service: string, domain: string, username: string, password: string, resource?: string }): XmppEntity
}
