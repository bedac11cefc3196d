#!/usr/bin/env python3
"""Fills an EMP server for bench/scale.sh: USERS accounts, each deploying APPS_PER_USER apps in one PUT /v1/apps,
then waits until every app runs. Prints one JSON object of figures; writes "TOKEN APP_ID" lines to the file given, for
wrk. Standard library only; CLIENTS requests in flight at once.

usage: drive.py API USERS APPS_PER_USER CLIENTS TARGETS_FILE
"""
import concurrent.futures
import http.client
import json
import sys
import threading
import time
import urllib.parse

api, users, per_user, clients, targets_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
address = urllib.parse.urlparse(api)
local = threading.local()


def call(method, path, token=None, body=None):
    if not hasattr(local, "connection"):
        local.connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    for attempt in range(3):
        try:
            local.connection.request(method, path, body=data, headers=headers)
            answer = local.connection.getresponse()
            text = answer.read()
            break
        except (ConnectionError, http.client.HTTPException):
            local.connection.close()
            local.connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
            if attempt == 2:
                raise
    if answer.status >= 300:
        raise SystemExit(f"drive.py: {method} {path} answered {answer.status}: {text[:300]!r}")
    return json.loads(text) if text else None


def account(index):
    credentials = {"username": f"user{index:05d}", "password": "bench-password-1"}
    call("POST", "/v1/accounts", body=credentials)
    return call("POST", "/v1/sessions", body=credentials)["token"]


def spec(index, app):
    # The simulated cluster runs nothing: the command only has to be one.
    return {"name": f"app{app:03d}", "command": ["sleep", "infinity"], "replicas": 1, "max_replicas": 4}


def deploy(token):
    started = time.perf_counter()
    answer = call("PUT", "/v1/apps", token, [spec(0, app) for app in range(per_user)])
    return time.perf_counter() - started, [item["app"]["id"] if "app" in item else item["id"] for item in answer]


started = time.perf_counter()
operator = account(0)
with concurrent.futures.ThreadPoolExecutor(clients) as pool:
    tokens = [operator] + list(pool.map(account, range(1, users)))
accounts_seconds = time.perf_counter() - started

started = time.perf_counter()
with concurrent.futures.ThreadPoolExecutor(clients) as pool:
    deployed = list(pool.map(deploy, tokens))
deploy_seconds = time.perf_counter() - started
latencies = sorted(seconds for seconds, _ in deployed)

started = time.perf_counter()
total = users * per_user
while True:
    apps = call("GET", "/v1/apps?all=true", operator)
    running = sum(1 for app in apps if app["state"] == "running")
    if len(apps) == total and running == total:
        break
    if time.perf_counter() - started > 600:
        raise SystemExit(f"drive.py: {running} of {total} apps running after 600 s")
    time.sleep(0.5)
ready_seconds = time.perf_counter() - started

with open(targets_file, "w") as out:
    for token, (_, ids) in zip(tokens, deployed):
        for app_id in ids:
            out.write(f"{token} {app_id}\n")

print(json.dumps({
    "users": users,
    "apps": total,
    "accounts_s": round(accounts_seconds, 2),
    "deploy_s": round(deploy_seconds, 2),
    "deploy_ms_per_app": round(deploy_seconds * 1000 / total, 3),
    "deploy_put_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
    "deploy_put_p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1),
    "all_running_after_s": round(ready_seconds, 2),
    "operator_token": operator,
}))
