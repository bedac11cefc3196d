"""The serial-leaf scenario's leaf: serves one request at a time, 50 ms each.

A plain http.server.HTTPServer (not the threading one), so requests wait in the listen queue while one is served:
one replica serves at most about 20 requests a second, and only more replicas serve more. GET / sleeps
WORK_MS (50) milliseconds and answers 200; GET /health answers 200 at once (after whatever request is being
served: the server is serial). It records no spans: the platform's gateway measures it.

Listens on 127.0.0.1:$PORT. Standard library only.
"""

import http.server
import os
import time

WORK_SECONDS = float(os.environ.get("WORK_MS", "50")) / 1000.0


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.0: the connection closes after each answer, so no client can hold the one serving slot idle between
    # requests of a kept-alive connection.
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        if self.path == "/health":
            self.answer(200, b"ok\n")
        elif self.path == "/" or self.path.startswith("/?"):
            time.sleep(WORK_SECONDS)
            self.answer(200, b"leaf\n")
        else:
            self.answer(404, b"not found\n")

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        # One line per request would cost more than the request at these rates.
        pass


class SerialServer(http.server.HTTPServer):
    # The listen backlog (socketserver's default is 5): requests beyond the one being served wait here, in order,
    # instead of having their connection attempts dropped and retried a second later.
    request_queue_size = 128


def main():
    port = int(os.environ["PORT"])
    server = SerialServer(("127.0.0.1", port), Handler)
    print(f"leaf: serving one request at a time, {WORK_SECONDS * 1000:.0f} ms each, on 127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
