// Puts, reads and deletes the same file-stored blob over and over, sharing the database with another
// process doing the same; prints how many reads found a row whose file was gone (CAIRN_CORRUPT).
import { SqliteStore } from '../../dist/index.js'

const [path, roundsText] = process.argv.slice(2)
const store = await SqliteStore.open({ path, inlineBlobBytes: 0 })
const bytes = new TextEncoder().encode('the same blob, put and deleted by two processes')
let corrupt = 0
for (let i = 0; i < Number(roundsText); i++) {
  const { hash } = await store.putBlob(bytes)
  try {
    await store.getBlob(hash)
  } catch (error) {
    if (error.code === 'CAIRN_CORRUPT') corrupt++
    else if (error.code !== 'CAIRN_NOT_FOUND') throw error
  }
  await store.deleteBlob(hash)
}
await store.close()
process.stdout.write(JSON.stringify({ corrupt }))
