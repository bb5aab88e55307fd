import { RedisStore } from '@cairn/redis'
import { startRedis } from '@cairn/test-servers'
import { Redis } from 'ioredis'
import type { Sample } from '../measure.js'
import { benchStoreAgainstBare } from './common.js'
import type { StoreBenchContext } from './context.js'

/** RedisStore next to a bare ioredis client on the same redis-server (started here, on loopback). */
export async function benchRedisStore(context: StoreBenchContext): Promise<Sample[]> {
  const server = await startRedis()
  const bare = new Redis(server.url)
  const store = await RedisStore.open({ url: server.url, prefix: 'bench:' })
  try {
    await bare.set(
      'bare:small',
      JSON.stringify({ hash: 'x'.repeat(64), value: 'a small commit-sized value' }),
    )
    const commitSized = 'c'.repeat(600)
    return await benchStoreAgainstBare('redis', context, store, {
      get: () => bare.get('bare:small'),
      put: (i) => bare.set(`bare:put:${i}`, commitSized),
      putLarge: (bytes, i) =>
        bare.set(`bare:large:${i}`, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
      getLarge: () => bare.getBuffer('bare:large:0'),
    })
  } finally {
    await store.close()
    await bare.quit()
    await server.stop()
  }
}
