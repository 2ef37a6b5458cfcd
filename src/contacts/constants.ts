/** Invitee → inviter: "I accept your invitation" (docs/PROTOCOL.md, "Invitations") */
export const INVITE_PROTOCOL = '/presence-mesh/contacts/invite/2.0.0'
/** A Redeem is a 16-byte secret and a name of at most 64 characters (256 bytes in UTF-8) */
export const REDEEM_FRAME_LIMIT = 512
/** A RedeemResponse carries a reason for people */
export const REDEEM_RESPONSE_FRAME_LIMIT = 1024
export const INVITE_STREAMS_PER_CONNECTION = 2
/** One try at handing an invitation over: dial (through a relay, maybe) and answer */
export const REDEEM_TIMEOUT_MS = 15_000
/**
 * How long a contact's subscription asks for; the node subscribes again when
 * it ends, so the length only sets how often that happens
 */
export const CONTACT_SUBSCRIPTION_S = 20 * 24 * 3600
/** One try at subscribing to a contact: a lookup, a dial (through a relay, maybe) and the answer */
export const CONTACT_SUBSCRIBE_TIMEOUT_MS = 30_000
/** After a contact's subscription ends, the wait before it is made again: not at once, in the handler of the end */
export const RESUBSCRIBE_DELAY_MS = 1_000
/** Personal invitations last a week unless the inviter says otherwise */
export const DEFAULT_INVITE_TTL_MS = 7 * 24 * 3600_000
/** An expired invitation is kept this long, to tell its late holder why it fails */
export const EXPIRED_INVITE_KEPT_MS = 24 * 3600_000
/** Most contacts a node keeps, and most unredeemed invitations it remembers */
export const MAX_CONTACTS = 5_000
export const MAX_OPEN_INVITES = 1_000

/** What the contacts service provides, for other services' `serviceDependencies` */
export const CONTACTS_CAPABILITY = '@presence-mesh/contacts'
