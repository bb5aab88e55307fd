/**
 * Server-side scripts: each runs atomically in Redis, so a commit never exists without its index
 * entries (or the reverse), a blob never becomes visible half-written, and a ref's compare-and-swap
 * cannot interleave with another client's. Scripts that recompute a fingerprint's head read commit
 * keys they build from the prefix: Cairn targets a single Redis (or Sentinel), not Cluster.
 */

/** KEYS: blob, stats. ARGV: size, bytes. Returns 1 if stored, 0 if the blob was already there. */
export const PUBLISH_SMALL_BLOB = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'size', ARGV[1], 'n', 1, 'd', ARGV[2])
redis.call('HINCRBY', KEYS[2], 'blobs', 1)
redis.call('HINCRBY', KEYS[2], 'blobBytes', ARGV[1])
return 1`

/**
 * KEYS: blob, stats, then (stage, chunk) pairs. ARGV: size, chunk count. Moves every staged chunk into
 * place and writes the manifest last. Returns 1 stored, 0 already there (stage dropped), -1 when a
 * staged chunk is missing (expired): nothing is changed then.
 */
export const PUBLISH_CHUNKED_BLOB = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  for i = 3, #KEYS, 2 do redis.call('DEL', KEYS[i]) end
  return 0
end
for i = 3, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 0 then return -1 end
end
for i = 3, #KEYS, 2 do
  redis.call('RENAME', KEYS[i], KEYS[i + 1])
  redis.call('PERSIST', KEYS[i + 1])
end
redis.call('HSET', KEYS[1], 'size', ARGV[1], 'n', ARGV[2])
redis.call('HINCRBY', KEYS[2], 'blobs', 1)
redis.call('HINCRBY', KEYS[2], 'blobBytes', ARGV[1])
return 1`

/**
 * KEYS: blob, stats. ARGV: chunk key base (chunk i is base..i), and for quarantine the target blob
 * key and target chunk base. Deletes (or moves aside) the manifest and its chunks; 0 if absent.
 */
export const REMOVE_BLOB = `
local n = redis.call('HGET', KEYS[1], 'n')
if not n then return 0 end
local size = redis.call('HGET', KEYS[1], 'size')
n = tonumber(n)
if ARGV[2] then
  redis.call('RENAME', KEYS[1], ARGV[2])
  if n > 1 then
    for i = 0, n - 1 do
      if redis.call('EXISTS', ARGV[1] .. i) == 1 then redis.call('RENAME', ARGV[1] .. i, ARGV[3] .. i) end
    end
  end
else
  redis.call('DEL', KEYS[1])
  if n > 1 then
    for i = 0, n - 1 do redis.call('DEL', ARGV[1] .. i) end
  end
end
redis.call('HINCRBY', KEYS[2], 'blobs', -1)
redis.call('HINCRBY', KEYS[2], 'blobBytes', -tonumber(size))
return 1`

/**
 * KEYS: commit, commit hashes, by time, by fingerprint, head, by func, by status, by tag... .
 * ARGV: json, hash, createdAt, status. Writes the commit and every index entry, and makes it the
 * fingerprint's head if it is completed and newer (createdAt, then hash). 0 if it already existed.
 */
export const PUT_COMMIT = `
-- Lua's string < follows the server's collation locale; hashes are compared byte by byte instead.
local function bytesGreater(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local hash, createdAt = ARGV[2], tonumber(ARGV[3])
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], 0, hash)
for i = 3, #KEYS do
  if i ~= 5 then redis.call('ZADD', KEYS[i], createdAt, hash) end
end
if ARGV[4] == 'completed' then
  local head = redis.call('GET', KEYS[5])
  local newer = true
  if head then
    local current = cjson.decode(head)
    newer = createdAt > current.createdAt or (createdAt == current.createdAt and bytesGreater(hash, current.hash))
  end
  if newer then redis.call('SET', KEYS[5], ARGV[1]) end
end
return 1`

/**
 * KEYS: the same as PUT_COMMIT for the stored commit. ARGV: hash, commit key prefix (commit:).
 * Removes the commit and its index entries; if it was the fingerprint's head, the next newest
 * completed commit becomes the head. 0 if it was already gone.
 */
export const DELETE_COMMIT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local hash = ARGV[1]
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], hash)
for i = 3, #KEYS do
  if i ~= 5 then redis.call('ZREM', KEYS[i], hash) end
end
local head = redis.call('GET', KEYS[5])
if head and cjson.decode(head).hash == hash then
  redis.call('DEL', KEYS[5])
  -- Equal scores come back in reverse member order: newest first, ties by larger hash.
  for _, candidate in ipairs(redis.call('ZREVRANGEBYSCORE', KEYS[4], '+inf', '-inf')) do
    local json = redis.call('GET', ARGV[2] .. candidate)
    if json and cjson.decode(json).status == 'completed' then
      redis.call('SET', KEYS[5], json)
      break
    end
  end
end
return 1`

/**
 * KEYS: refs hash. ARGV: name, mode ('any' | 'absent' | 'equals'), expected, op ('set' | 'del'), value.
 * Returns 1 when it changed the ref (or would have: an unconditional delete of an absent ref), 0 when
 * the expectation failed.
 */
export const SET_REF = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == 'absent' and current then return 0 end
if ARGV[2] == 'equals' and current ~= ARGV[3] then return 0 end
if ARGV[4] == 'set' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[5]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`
