//! The Lua scripts that keep each room's members in Redis. Each runs
//! atomically, so two copies admitting at once cannot both take the last
//! place. Per room: a sorted set of identities scored by the Unix
//! millisecond their presence runs out, and a hash of identity to
//! [`MemberRecord`]. Every script takes the room's keys in the order
//! [`RoomKeys::run`] gives them: `KEYS[1]` that set, `KEYS[2]` that hash,
//! `KEYS[3]` the room's channel.
//!
//! [`MemberRecord`]: super::MemberRecord
//! [`RoomKeys::run`]: super::records::RoomKeys::run

use redis::Script;
use std::sync::LazyLock;

/// Drops members whose presence ran out (their copy stopped refreshing,
/// so it died) and tells the rest of the room they left, as a
/// `Delivery::AllBut` of `ServerSignal::Left` would.
const PRUNE: &str = r"
local function prune(live, who, channel, now)
  for _, gone in ipairs(redis.call('ZRANGEBYSCORE', live, '-inf', now)) do
    redis.call('HDEL', who, gone)
    redis.call('PUBLISH', channel, cjson.encode({all_but = {identity = gone, signal = {left = {identity = gone}}}}))
  end
  redis.call('ZREMRANGEBYSCORE', live, '-inf', now)
end
";

/// ARGV: now, until, identity, record, places,
/// guest places, key lifetime (ms), `join` or `check`. Returns a refusal's name,
/// or `joined`, the replaced record (or ''), then every identity and record.
pub static JOIN: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{PRUNE}{}",
        r"
local live, who = KEYS[1], KEYS[2]
prune(live, who, KEYS[3], ARGV[1])
local me = cjson.decode(ARGV[4])
local old = redis.call('HGET', who, ARGV[3])
if old then
  if cjson.decode(old).device ~= me.device then return {'open_elsewhere'} end
else
  local members, guests = 0, 0
  for _, value in ipairs(redis.call('HVALS', who)) do
    members = members + 1
    if cjson.decode(value).role == 'guest' then guests = guests + 1 end
  end
  if me.role == 'guest' and guests >= tonumber(ARGV[6]) then return {'guests_full'} end
  if members >= tonumber(ARGV[5]) then return {'room_full'} end
end
if ARGV[8] == 'check' then return {'admitted'} end
redis.call('ZADD', live, ARGV[2], ARGV[3])
redis.call('HSET', who, ARGV[3], ARGV[4])
redis.call('PEXPIRE', live, ARGV[7])
redis.call('PEXPIRE', who, ARGV[7])
local result = {'joined', old or ''}
for _, field in ipairs(redis.call('HGETALL', who)) do result[#result + 1] = field end
return result
"
    ))
});

/// ARGV: identity, copy, connection. Removes the member
/// only if this very connection still holds the place; returns 1 if so.
pub static LEAVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local old = redis.call('HGET', KEYS[2], ARGV[1])
if not old then return 0 end
local was = cjson.decode(old)
if was.copy ~= ARGV[2] or was.connection ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
",
    )
});

/// ARGV: identity, record, until, key lifetime (ms),
/// copy, connection. Extends a member's presence, or puts it back after
/// Redis lost it (a restart); a place taken over by a newer connection is
/// left alone. Returns 1 if the member is present now.
pub static REFRESH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old then
  local was = cjson.decode(old)
  if was.copy ~= ARGV[5] or was.connection ~= ARGV[6] then return 0 end
else
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
",
    )
});

/// ARGV: now. Every present identity and its
/// record; the dashboard's polls so also clear out a dead copy's members.
pub static PRESENCE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{PRUNE}{}",
        r"
prune(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')
local result = {}
if #ids == 0 then return result end
local records = redis.call('HMGET', KEYS[2], unpack(ids))
for i, id in ipairs(ids) do
  if records[i] then
    result[#result + 1] = id
    result[#result + 1] = records[i]
  end
end
return result
"
    ))
});

/// ARGV: now, recipient, message. Publishes only to
/// a member present now, so a signal never leaves its room; returns 1 if sent.
pub static RELAY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local present_until = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not present_until or tonumber(present_until) <= tonumber(ARGV[1]) then return 0 end
redis.call('PUBLISH', KEYS[3], ARGV[3])
return 1
",
    )
});

/// ARGV: the end delivery. Empties the room,
/// then tells every copy following it.
pub static END: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('DEL', KEYS[1], KEYS[2])
return redis.call('PUBLISH', KEYS[3], ARGV[1])
",
    )
});
