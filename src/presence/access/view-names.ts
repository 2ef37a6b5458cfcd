/**
 * The names of the views a user can grant, apart from the code that seals
 * them (views.ts loads the ciphers): the `pmesh` commands and the API's
 * contract need the names only, and a thin client must start in
 * milliseconds.
 *
 * `full`: everything; `availability`: open or closed and the availability,
 * without note, contact or extensions; `basic`: open or closed only.
 */
export const VIEW_NAMES = ['full', 'availability', 'basic'] as const
export type ViewName = typeof VIEW_NAMES[number]

export function isViewName (name: string): name is ViewName {
  return (VIEW_NAMES as readonly string[]).includes(name)
}

/**
 * For watchers without a rule. `public`: anyone sees the full state, which
 * is published in plaintext; `ask`: the request waits for the user, and
 * strangers see only a closed placeholder; `deny`: refused, and strangers
 * see only the placeholder.
 */
export const DEFAULT_POLICIES = ['public', 'ask', 'deny'] as const
export type DefaultPolicy = typeof DEFAULT_POLICIES[number]
