-- wrk: GET /v1/apps (MODE "list") or GET /v1/apps/{id} (MODE "one") as a random user of the targets file, whose
-- lines are "TOKEN APP_ID". Usage: wrk ... -s targets.lua URL -- TARGETS_FILE MODE
local targets = {}
local mode = "list"

function init(args)
    for line in io.lines(args[1]) do
        local token, id = line:match("(%S+) (%S+)")
        targets[#targets + 1] = { token = token, id = id }
    end
    mode = args[2] or "list"
    math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
    local target = targets[math.random(#targets)]
    local path = mode == "one" and ("/v1/apps/" .. target.id) or "/v1/apps"
    return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. target.token })
end
