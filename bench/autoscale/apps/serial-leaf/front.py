"""The serial-leaf scenario's front: a threaded caller of the leaf.

An http.server.ThreadingHTTPServer (a thread per request, so it is never the bottleneck itself). GET / calls
$LEAF_URL + "/" (set by the platform from the spec's "dependencies": ["leaf"]) with urllib and answers 200 with the
leaf's body; 502 when the leaf answers an error or cannot be reached, 504 when it takes more than 10 s. GET /health
answers 200 at once.

It records no spans: the platform's gateway measures it. It only passes the trace headers the gateway gave it
(B3 and W3C) on to its call of the leaf, as any app that propagates context does, so that the gateway's span of the
leaf call joins the trace of the front's request and the trace graph shows front -> leaf.

Listens on 127.0.0.1:$PORT. Standard library only.
"""

import http.server
import os
import socket
import urllib.error
import urllib.request

LEAF_URL = os.environ["LEAF_URL"].rstrip("/") + "/"
TIMEOUT_SECONDS = 10
TRACE_HEADERS = (
    "X-B3-TraceId",
    "X-B3-SpanId",
    "X-B3-ParentSpanId",
    "X-B3-Sampled",
    "X-B3-Flags",
    "b3",
    "traceparent",
    "tracestate",
)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/health":
            self.answer(200, b"ok\n")
        elif self.path == "/" or self.path.startswith("/?"):
            self.call_leaf()
        else:
            self.answer(404, b"not found\n")

    def call_leaf(self):
        headers = {name: self.headers[name] for name in TRACE_HEADERS if self.headers.get(name) is not None}
        request = urllib.request.Request(LEAF_URL, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                self.answer(200, response.read())
        except urllib.error.HTTPError as e:
            self.answer(502, f"the leaf answered {e.code}\n".encode())
        except (socket.timeout, TimeoutError):
            self.answer(504, f"the leaf did not answer within {TIMEOUT_SECONDS} s\n".encode())
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            if isinstance(reason, (socket.timeout, TimeoutError)):
                self.answer(504, f"the leaf did not answer within {TIMEOUT_SECONDS} s\n".encode())
            else:
                self.answer(502, f"the leaf could not be reached: {reason}\n".encode())

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        # One line per request would cost more than the request at these rates.
        pass


class FrontServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    port = int(os.environ["PORT"])
    server = FrontServer(("127.0.0.1", port), Handler)
    print(f"front: calling {LEAF_URL} on 127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
