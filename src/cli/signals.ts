/**
 * Stopping a long-running command (`pmesh start`, `pmesh gateway`) on
 * SIGINT or SIGTERM, gracefully.
 */

/**
 * Resolves at the first SIGINT or SIGTERM. Call it before saying the command
 * runs: whoever reads that line may signal at once, and a signal with no
 * listener kills the process without a graceful stop
 */
export async function stopRequested (): Promise<void> {
  return new Promise<void>(resolve => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
