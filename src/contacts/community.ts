/**
 * Joining a community with a relay's invitation: its addresses become
 * bootstrap peers, so a new node finds the mesh without hand-typed
 * multiaddrs (`pmesh start --join INVITE`, `"join"` in config.json).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { decodeInvite } from './invite.js'
import { InvalidInviteError } from './errors.js'

/** The bootstrap multiaddrs (each ending in /p2p/<relay>) the community invitations name */
export async function bootstrapFromInvites (invites: string[]): Promise<string[]> {
  const addrs: string[] = []
  for (const text of invites) {
    const invite = await decodeInvite(text)
    if (invite.kind !== 'community') throw new InvalidInviteError('a personal invitation adds a contact (pmesh contacts add INVITE); joining takes a relay\'s community invitation (pmesh invite --community on the relay)')
    if (invite.addrs.length === 0) throw new InvalidInviteError('the community invitation names no address of its relay')
    const id = invite.inviter.toString()
    for (const ma of invite.addrs) {
      addrs.push(ma.getComponents().findLast(c => c.name === 'p2p')?.value === id ? ma.toString() : ma.encapsulate(multiaddr(`/p2p/${id}`)).toString())
    }
  }
  return [...new Set(addrs)]
}
