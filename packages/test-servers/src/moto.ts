import { freePort } from './free-port.js'
import { launch, type ServerProcess } from './server-process.js'

export interface MotoServerOptions {
  port?: number
}

/**
 * Starts `moto_server` (Python moto: an in-memory S3) on 127.0.0.1 and resolves once it answers HTTP.
 * Any credentials work; use `forcePathStyle: true` and region `us-east-1`.
 */
export async function startMoto(options: MotoServerOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  return launch({
    name: 'moto_server',
    command: 'moto_server',
    args: ['-H', '127.0.0.1', '-p', String(port)],
    port,
    url,
    ready: async () => {
      const response = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) })
      await response.arrayBuffer()
    },
    readyTimeoutMs: 30_000,
  })
}
