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
