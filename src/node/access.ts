/**
 * The access rules that span services, in one place for the control API and
 * for library callers alike: a person blocked from our presence (politely:
 * RFC 2779 §5.1.15) is refused as a sender too, and revoking the block lifts
 * both. Calling the presence service alone leaves messages open.
 */
import type { InstantMessaging } from '../messaging/index.js'
import type { AccessPolicy, Presence, ViewName } from '../presence/index.js'
import type { PeerId } from '@libp2p/interface'

export interface NodeAccess {
  policy(): AccessPolicy
  /** What a watcher without a rule gets: public, ask (the user decides) or deny */
  setDefault(policy: AccessPolicy['default']): Promise<AccessPolicy>
  /** Grant `peer` a view of our presence (its current view, or `full` for someone new) */
  allow(peer: PeerId, view?: ViewName): Promise<AccessPolicy>
  /** Refuse `peer` our presence; it is told "refused" */
  deny(peer: PeerId): Promise<AccessPolicy>
  /** Block `peer` politely: it believes it is subscribed and sees nothing real, and its messages are refused */
  block(peer: PeerId): Promise<AccessPolicy>
  /** Remove our rule for `peer` and cancel its subscription; a block is lifted on messages too */
  revoke(peer: PeerId): Promise<AccessPolicy>
}

export function nodeAccess (presence: Presence, im: InstantMessaging): NodeAccess {
  return {
    policy: () => presence.policy(),
    setDefault: async policy => presence.setDefaultPolicy(policy),
    allow: async (peer, view) => {
      const current = presence.policy().rules[peer.toString()]
      return presence.allow(peer, view ?? (current?.rule === 'allow' ? current.view : 'full'))
    },
    deny: async peer => presence.deny(peer),
    block: async peer => {
      // messages first: a blocked person must not slip a message in between the two
      await im.block(peer)
      return presence.block(peer)
    },
    revoke: async peer => {
      if (presence.policy().rules[peer.toString()]?.rule === 'block') await im.unblock(peer)
      return presence.revoke(peer)
    }
  }
}
