#!/usr/bin/env node
/**
 * `with-test-servers <command...>`: starts redis-server and moto_server on free loopback ports, runs
 * the command with their URLs in the environment (CAIRN_TEST_REDIS_URL, CAIRN_TEST_S3_ENDPOINT), then
 * stops both by PID. Exits with the command's status; if a server cannot start, exits 1 with the reason.
 */
import { spawn } from 'node:child_process'
import { startMoto } from './moto.js'
import { startRedis } from './redis.js'
import type { ServerProcess } from './server-process.js'
import { TEST_ENV } from './test-env.js'

const command = process.argv.slice(2)
if (command.length === 0) {
  process.stderr.write('usage: with-test-servers <command> [args...]\n')
  process.exit(2)
}

const servers: ServerProcess[] = []
const stopAll = () => Promise.all(servers.map((server) => server.stop()))
let status = 1
try {
  const started = await Promise.allSettled([startRedis(), startMoto()])
  for (const result of started) if (result.status === 'fulfilled') servers.push(result.value)
  for (const result of started) if (result.status === 'rejected') throw result.reason
  const [redis, moto] = servers as [ServerProcess, ServerProcess]
  process.stderr.write(
    `with-test-servers: redis-server pid ${redis.pid} at ${redis.url}, moto_server pid ${moto.pid} at ${moto.url}\n`,
  )
  const child = spawn(command[0] as string, command.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, [TEST_ENV.redis]: redis.url, [TEST_ENV.s3]: moto.url },
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
  status = await new Promise<number>((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`with-test-servers: cannot run ${command[0]}: ${error.message}\n`)
      resolve(127)
    })
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
} catch (error) {
  process.stderr.write(`with-test-servers: ${(error as Error).message}\n`)
  status = 1
} finally {
  await stopAll()
}
process.exit(status)
