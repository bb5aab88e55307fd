import { runStoreSuite } from '@cairn/conformance/vitest'
import { RedisStore } from '../src/index.js'
import { bareClient, dropPrefix, freshPrefix, rawOracle, redisUrl } from './helpers.js'

runStoreSuite({
  name: 'RedisStore',
  factory: async () => {
    const url = redisUrl()
    const prefix = freshPrefix()
    const bare = bareClient(url)
    // Small chunks, so the suite's blobs (including the large streamed one) cross many chunk borders.
    const open = () => RedisStore.open({ url, prefix, chunkBytes: 256 * 1024 })
    return {
      store: await open(),
      oracle: rawOracle(bare, prefix),
      reopen: open,
      teardown: async () => {
        await dropPrefix(bare, prefix)
        await bare.quit()
      },
    }
  },
  capabilities: RedisStore.capabilities,
  oracle: true,
})
