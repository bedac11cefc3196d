# Reading wrk's output, for the benchmark scripts; source it.

# wrk_summary FILE: prints "requests/s p50 p90 p99 max non2xx socket_errors" (latencies in ms) from wrk --latency output.
wrk_summary() {
    awk '
        function ms(v) {
            if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
            if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
            if (v ~ /m$/)  { sub(/m$/, "", v);  return v * 60000 }
            if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
            return v + 0
        }
        /Requests\/sec:/ { rps = $2 }
        $1 == "Latency" && NF >= 4 { max = ms($4) }
        $1 == "50%" { p50 = ms($2) }
        $1 == "90%" { p90 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ {
            line = $0; sub(/.*Socket errors: */, "", line); gsub(/, */, ",", line); gsub(/ /, "=", line)
            errors = line
        }
        END {
            printf "%.0f %.2f %.2f %.2f %.2f %s %s\n", rps, p50, p90, p99, max,
                (non2xx == "" ? 0 : non2xx), (errors == "" ? "none" : errors)
        }' "$1"
}
