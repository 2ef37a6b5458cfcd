/** Mailbox protocol ids */
export const DEPOSIT_PROTOCOL = '/presence-mesh/mailbox/deposit/1.0.0'
export const DRAIN_PROTOCOL = '/presence-mesh/mailbox/drain/1.0.0'
/** Mailbox → connected recipient: "you have mail" (no payload); the recipient drains */
export const NOTIFY_PROTOCOL = '/presence-mesh/mailbox/notify/1.0.0'

/** Largest sealed box a mailbox stores: a 64 KiB message body, its envelope and the seal */
export const MAX_BOX_SIZE = 96 * 1024
/** Items a mailbox keeps per recipient before refusing more */
export const DEFAULT_QUOTA_ITEMS = 200
/** Bytes a mailbox keeps per recipient before refusing more */
export const DEFAULT_QUOTA_BYTES = 4 * 1024 * 1024
/** How long an item waits for its recipient */
export const DEFAULT_MAIL_TTL_MS = 7 * 24 * 60 * 60_000
/** Items per drain batch: bounded so one batch stays well under the stream's message limit */
export const DRAIN_BATCH_ITEMS = 16

/**
 * Largest message a depositor sends: `Deposit` = a box of at most
 * MAX_BOX_SIZE and a recipient peer id (an identity multihash, under 64
 * bytes), with their tags and lengths
 */
export const DEPOSIT_FRAME_LIMIT = MAX_BOX_SIZE + 256
/**
 * Largest message a drainer sends: a `DrainRequest` is one uint32 (6 bytes);
 * a `DrainAck` names at most the DRAIN_BATCH_ITEMS ids of the batch it
 * answers, each a base32 sha2-256 multihash of 56 characters plus 2 bytes of
 * tag and length (16 × 58 = 928 bytes)
 */
export const DRAIN_FRAME_LIMIT = 2048
/**
 * Inbound streams at once on one connection (libp2p's maxInboundStreams).
 * A sender deposits one box per stream, one at a time per message; a
 * recipient drains one batch at a time; a mailbox notifies once per deposit
 */
export const DEPOSIT_STREAMS_PER_CONNECTION = 8
export const DRAIN_STREAMS_PER_CONNECTION = 2
export const NOTIFY_STREAMS_PER_CONNECTION = 2
