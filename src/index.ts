/**
 * presence-mesh: peer-to-peer presence and instant messaging on libp2p.
 */
export { createNode } from './node/create-node.js'
export type { CreateNodeOptions, PresenceMeshNode, PresenceMeshServices } from './node/create-node.js'
export type { NodeSettings } from './node/config.js'
export { DHT_PROTOCOL } from './node/constants.js'
export { IdentityKeyError, InvalidConfigError, HomeInUseError } from './node/errors.js'
export { resolveHome } from './node/home.js'
export { parseUri, formatPresUri, formatImUri, peerIdFromUri, InvalidUriError } from './uri/index.js'
export type { ParsedUri, UriScheme } from './uri/index.js'
export { presence } from './presence/index.js'
export type { Presence, PresenceInit, PresenceEvents, NotifyEvent, PresenceUpdate, PresenceRecord, SubscribeResult, Subscription, Watcher } from './presence/index.js'
export { toPidf, fromPidf } from './presence/pidf.js'
export { sealPresence, openPresence, effectiveStatus } from './presence/record.js'
export { contacts, decodeInvite } from './contacts/index.js'
export type { Contacts, ContactsInit, ContactEntry, Invite, InviteOptions, AddContactResult } from './contacts/index.js'
export { InvalidInviteError, InviteRefusedError, ContactError } from './contacts/errors.js'
