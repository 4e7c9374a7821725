/** Waiting for a child's HTTP endpoint to answer, and giving up early when the child died. */

export interface WaitForHttpOptions {
  readonly timeoutMs: number
  /** Stops waiting as soon as this says the process is gone. */
  readonly isAlive: () => boolean
  /** Whether an answer counts as ready; default: status 200. */
  readonly accept?: (status: number, body: string) => boolean
  readonly intervalMs?: number
}

export type HttpWaitOutcome = 'ready' | 'exited' | 'timeout'

export async function waitForHttp(url: string, options: WaitForHttpOptions): Promise<HttpWaitOutcome> {
  const deadline = Date.now() + options.timeoutMs
  const accept = options.accept ?? ((status: number) => status === 200)
  while (Date.now() < deadline) {
    if (!options.isAlive()) return 'exited'
    const answer = await getText(url, 2000)
    if (answer && accept(answer.status, answer.body)) return 'ready'
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200))
  }
  return 'timeout'
}

/** GET a URL; undefined when nothing answers in time. */
export async function getText(
  url: string,
  timeoutMs: number,
): Promise<{ status: number; body: string } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    return { status: response.status, body: await response.text() }
  } catch {
    return undefined
  }
}
