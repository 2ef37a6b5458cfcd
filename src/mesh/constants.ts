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
