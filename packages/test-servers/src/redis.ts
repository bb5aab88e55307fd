import { connect } from 'node:net'
import { freePort } from './free-port.js'
import { launch, type ServerProcess } from './server-process.js'

export interface RedisServerOptions {
  /** Default: a free port. Pass the old port to restart a killed server where clients expect it. */
  port?: number
  /** With a directory, Redis keeps an append-only file there (survives a restart); without, nothing is saved. */
  dir?: string
  /** Extra `redis-server` arguments. */
  args?: string[]
}

/** Starts Debian's `redis-server` on 127.0.0.1 and resolves once it answers PING. */
export async function startRedis(options: RedisServerOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort())
  const persistence = options.dir
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.dir]
    : ['--appendonly', 'no']
  return launch({
    name: 'redis-server',
    command: 'redis-server',
    args: [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      ...persistence,
      ...(options.args ?? []),
    ],
    port,
    url: `redis://127.0.0.1:${port}`,
    ready: () => ping(port),
    readyTimeoutMs: 10_000,
  })
}

function ping(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let reply = ''
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')))
    socket.once('error', reject)
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString()
      if (reply.includes('\r\n')) {
        socket.destroy()
        if (reply.startsWith('+PONG')) resolve()
        else reject(new Error(`unexpected reply ${JSON.stringify(reply)}`))
      }
    })
  })
}
