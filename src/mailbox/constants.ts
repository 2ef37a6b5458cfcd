import { fromString } from 'uint8arrays/from-string'

/** Mailbox protocol ids */
/** 2.0.0: DepositResult status 0 is UNSPECIFIED (1.0.0: STORED), so an empty answer is no deposit */
export const DEPOSIT_PROTOCOL = '/presence-mesh/mailbox/deposit/2.0.0'
/**
 * 2.0.0: the boxes it hands over hold the Mail of batch acknowledgements (`batch_ack`, one per sender
 * and batch), where 1.0.0 recipients sent and awaited one ack per message; deposit 2.0.0 came after it
 */
export const DRAIN_PROTOCOL = '/presence-mesh/mailbox/drain/2.0.0'
/** Mailbox → connected recipient: "you have mail" (no payload); the recipient drains */
export const NOTIFY_PROTOCOL = '/presence-mesh/mailbox/notify/1.0.0'

/** Largest sealed box a mailbox stores: a 1 MiB message body, its envelope (16 KiB at most) and the seal */
export const MAX_BOX_SIZE = 1024 * 1024 + 32 * 1024
/**
 * Bytes of deposits a relay reads at once, reserved from each deposit's
 * length prefix before its box is read: in all, per depositor. A deposit
 * that finds no room is answered RELAY_FULL ("busy") at once, so a flood of
 * large deposits holds at most this much, however many streams it opens
 */
export const DEPOSITS_IN_FLIGHT_BYTES = 8 * 1024 * 1024
export const DEPOSITS_IN_FLIGHT_PER_PEER_BYTES = 2 * 1024 * 1024
/**
 * Deposits up to this size are read without a reservation, as every deposit
 * was before boxes grew past 96 KiB: the stream limits bound them (design
 * record 008), and ordinary messages keep flowing while large deposits
 * wait for room
 */
export const UNRESERVED_DEPOSIT_BYTES = 96 * 1024 + 1024 + 256
/**
 * Items per drain batch, and bytes: a full mailbox drains in a few dozen
 * batches (one stream, one datastore batch and one acknowledgement each)
 * rather than hundreds, while one batch stays a few MiB at most. A batch
 * holds at least one box, whatever its size
 */
export const DRAIN_BATCH_ITEMS = 256
export const DRAIN_BATCH_BYTES = 2 * 1024 * 1024

/**
 * Default limits of a relay's mailboxes, sized for a community relay of a
 * few hundred users on a few GiB of disk: every recipient's box can hold
 * a few days of ordinary messages, no one depositor can take more than a
 * fraction of a box or of the relay, and strangers together never more than
 * half, so that contacts holding a deposit token always find room.
 */
export const DEFAULT_MAILBOX_LIMITS = Object.freeze({
  /** Items kept per recipient */
  boxItems: 200,
  /** Bytes kept per recipient */
  boxBytes: 4 * 1024 * 1024,
  /** The fraction of a box one depositor without a token may fill (25 items, 512 KiB by default) */
  senderShare: 1 / 8,
  /** The fraction of each box, and of the relay, that depositors without a token may fill together */
  strangersShare: 1 / 2,
  /** Items one depositor may have waiting across all boxes */
  depositorItems: 400,
  /** Bytes one depositor may have waiting across all boxes */
  depositorBytes: 16 * 1024 * 1024,
  /** Items the relay keeps in all */
  totalItems: 50_000,
  /** Bytes the relay keeps in all */
  totalBytes: 1024 * 1024 * 1024,
  /** How long an item waits for its recipient, in ms */
  ttlMs: 7 * 24 * 60 * 60_000
})

/** Expired boxes are swept this often (and on every access to their box), or more often for a short TTL */
export const SWEEP_INTERVAL_MS = 60 * 60_000
/** …but never more often than this, however short the TTL */
export const MIN_SWEEP_INTERVAL_MS = 1_000

/** Signature domain and payload type of deposit tokens: a token signature is valid for nothing else */
export const DEPOSIT_TOKEN_DOMAIN = 'presence-mesh-deposit-token'
export const DEPOSIT_TOKEN_PAYLOAD_TYPE = fromString('/presence-mesh/deposit-token/1')
/** A token is an envelope of two peer ids, a key and a signature: well under this */
export const MAX_DEPOSIT_TOKEN_SIZE = 1024
/** How long the tokens a recipient hands its contacts last; receipts bring one, signed afresh at most hourly */
export const DEPOSIT_TOKEN_TTL_MS = 30 * 24 * 60 * 60_000
/** Tokens expiring further ahead are refused: nobody issues them, and they could never be taken back */
export const MAX_DEPOSIT_TOKEN_LIFETIME_MS = 366 * 24 * 60 * 60_000

/** The largest time to live of a mailbox item: a year (the deposit tokens' horizon) */
export const MAX_MAIL_TTL_MS = 365 * 24 * 60 * 60_000

/**
 * Largest message a depositor sends: `Deposit` = a box of at most
 * MAX_BOX_SIZE, a recipient peer id (an identity multihash, under 64 bytes)
 * and a deposit token of at most MAX_DEPOSIT_TOKEN_SIZE, with their tags and
 * lengths
 */
export const DEPOSIT_FRAME_LIMIT = MAX_BOX_SIZE + MAX_DEPOSIT_TOKEN_SIZE + 256
/**
 * Largest message a drainer sends: a `DrainRequest` is one uint32 (6 bytes);
 * a `DrainAck` names at most the DRAIN_BATCH_ITEMS ids of the batch it
 * answers, each a base32 sha2-256 multihash of 56 characters plus 2 bytes of
 * tag and length (256 × 58 = 14,848 bytes)
 */
export const DRAIN_FRAME_LIMIT = 16 * 1024
/**
 * Inbound streams at once on one connection (libp2p's maxInboundStreams).
 * A sender deposits one box per stream, one at a time per message; a
 * recipient drains one batch at a time; a mailbox notifies once per deposit
 */
export const DEPOSIT_STREAMS_PER_CONNECTION = 8
export const DRAIN_STREAMS_PER_CONNECTION = 2
export const NOTIFY_STREAMS_PER_CONNECTION = 2

/** What the mailbox service provides, for other services' `serviceDependencies` */
export const MAILBOX_CAPABILITY = '@presence-mesh/mailbox'
