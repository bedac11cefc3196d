package emp.store.redis;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script the store runs in Redis, where it executes atomically: no other command runs between its reads and
 * its writes. Redis knows a loaded script by the SHA-1 of its source, computed here too, so the store can call
 * {@code EVALSHA} without asking Redis first and load the script only when Redis answers {@code NOSCRIPT} (after a
 * restart, or a {@code SCRIPT FLUSH}).
 *
 * @param name   what the script does, for messages
 * @param source the Lua source
 * @param sha    the SHA-1 of the source, in lower-case hex, as {@code SCRIPT LOAD} answers it
 */
record LuaScript(String name, String source, String sha) {
    LuaScript {
        requireNonNull(name, "name is null");
        requireNonNull(source, "source is null");
        requireNonNull(sha, "sha is null");
    }

    static LuaScript of(String name, String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(name, source, HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }

    /**
     * Checks the version each write expects, in order, then applies all writes, or none.
     *
     * <p>KEYS[i], for i up to n = #KEYS - 1, is the hash of write i's collection; ARGV[4i-3..4i] are its kind
     * ({@code P}ut, {@code D}elete, {@code C}heck), its key (the hash's field), the version it expects (-1 for any, 0
     * for absent) and its value (empty unless a put). A field holds {@code <version>:<value>}. A later write to the
     * same entry sees the earlier ones, as in the file store. KEYS[n+1] is the stream of changes: each put and delete
     * adds {@code h} (the hash) and {@code k} (the field) to it, trimmed to about ARGV[4n+1] entries, in the order of
     * the commits. Answers {@code {1, version...}}; {@code {0, i, actual}} when write i found its entry at another
     * version; {@code {2, i}} when write i's field is not in that form (another program wrote it).
     */
    static final LuaScript COMMIT = of("commit", """
            local pending = {}
            local versions = {}
            local n = #KEYS - 1
            for i = 1, n do
              local hash, kind, field = KEYS[i], ARGV[4 * i - 3], ARGV[4 * i - 2]
              local expected = tonumber(ARGV[4 * i - 1])
              local fields = pending[hash]
              if fields == nil then
                fields = {}
                pending[hash] = fields
              end
              local current = fields[field]
              if current == nil then
                local stored = redis.call('HGET', hash, field)
                if stored then
                  current = tonumber(string.match(stored, '^(%d+):'))
                  if current == nil then
                    return {2, i}
                  end
                else
                  current = 0
                end
              end
              if expected ~= -1 and expected ~= current then
                return {0, i, current}
              end
              if kind == 'P' then
                versions[i] = current + 1
              elseif kind == 'D' then
                versions[i] = 0
              else
                versions[i] = current
              end
              fields[field] = versions[i]
            end
            for i = 1, n do
              local kind = ARGV[4 * i - 3]
              if kind == 'P' then
                redis.call('HSET', KEYS[i], ARGV[4 * i - 2], string.format('%d:', versions[i]) .. ARGV[4 * i])
              elseif kind == 'D' then
                redis.call('HDEL', KEYS[i], ARGV[4 * i - 2])
              end
              if kind ~= 'C' then
                redis.call('XADD', KEYS[n + 1], 'MAXLEN', '~', ARGV[4 * n + 1], '*', 'h', KEYS[i], 'k', ARGV[4 * i - 2])
              end
            end
            local reply = {1}
            for i = 1, n do
              reply[i + 1] = versions[i]
            end
            return reply
            """);

    /**
     * Appends to a log, a stream whose entry ids are {@code <sequence>-0}, and trims it to its newest records.
     *
     * <p>KEYS[1] is the log's stream; ARGV[1] the value, ARGV[2] the most records to keep (at least 1, so a log that
     * exists is never empty and its newest entry holds the last sequence). Answers the record's sequence.
     */
    static final LuaScript APPEND = of("append", """
            local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
            local sequence = 1
            if #newest > 0 then
              sequence = tonumber(string.match(newest[1][1], '^(%d+)-')) + 1
            end
            redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], string.format('%d-0', sequence), 'v', ARGV[1])
            return sequence
            """);
}
