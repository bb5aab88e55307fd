import { type ChildProcess, spawn } from 'node:child_process'

/** A server started by the tests, stopped by its PID. */
export interface ServerProcess {
  /** What clients connect to (`redis://127.0.0.1:P`, `http://127.0.0.1:P`). */
  readonly url: string
  readonly port: number
  readonly pid: number
  /** Whether the process is still running. */
  readonly running: boolean
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>
  /** SIGKILL, no grace (a crash); resolves once the process has exited. */
  kill(): Promise<void>
}

export interface LaunchSpec {
  name: string
  command: string
  args: string[]
  port: number
  url: string
  /** Resolves once the server answers; rejects with the reason when it cannot. */
  ready(): Promise<void>
  readyTimeoutMs: number
}

/**
 * Starts `spec.command` and waits until `spec.ready()` succeeds. If the process exits first or the
 * timeout passes, it is killed and the error names the command and the tail of its output.
 */
export async function launch(spec: LaunchSpec): Promise<ServerProcess> {
  let output = ''
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  let child: ChildProcess
  try {
    child = spawn(spec.command, spec.args, { stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    throw new Error(`${spec.name}: cannot run ${spec.command}: ${(error as Error).message}`)
  }
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal }
      resolve()
    })
  })
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(
        new Error(
          `${spec.name}: cannot run \`${spec.command}\` (${error.message}).` +
            (spec.command === 'redis-server'
              ? ' Install it with `apt-get install -y redis-server` (scripts/setup.sh does).'
              : ''),
        ),
      ),
    )
  })
  spawnError.catch(() => {})
  const deadline = Date.now() + spec.readyTimeoutMs
  for (;;) {
    if (exited) {
      throw new Error(
        `${spec.name} exited before it was ready (code ${exited.code}, signal ${exited.signal}): ${output.trim()}`,
      )
    }
    try {
      await Promise.race([spec.ready(), spawnError])
      break
    } catch (error) {
      if (String((error as Error).message).includes('cannot run')) throw error
      if (Date.now() > deadline) {
        child.kill('SIGKILL')
        throw new Error(
          `${spec.name} did not answer on port ${spec.port} within ${spec.readyTimeoutMs} ms: ${output.trim()}`,
        )
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  const pid = child.pid as number
  const stopWith = async (signal: NodeJS.Signals, graceMs: number) => {
    if (exited) return
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    await exitedPromise
    clearTimeout(timer)
  }
  return {
    url: spec.url,
    port: spec.port,
    pid,
    get running() {
      return exited === undefined
    },
    stop: (graceMs = 5000) => stopWith('SIGTERM', graceMs),
    kill: () => stopWith('SIGKILL', 0),
  }
}
