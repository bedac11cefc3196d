package emp.testsupport.mesos;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server on 127.0.0.1, a thread per connection, with keep-alive and chunked streaming responses.
 * The JDK's {@code HttpServer} cannot tell when a client closes a streaming response, and the master must notice at
 * once that a scheduler's subscription connection is gone; a socket of its own can: the connection's thread reads it
 * until end of file.
 */
final class LoopbackHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoopbackHttpServer.class);

    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 200;
    private static final int MAX_BODY = 32 * 1024 * 1024;

    /** A parsed request; header names are lower case. */
    record Request(String method, String path, Map<String, String> query, Map<String, String> headers, byte[] body) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    @FunctionalInterface
    interface Handler {
        void handle(Request request, Exchange exchange) throws IOException;
    }

    private final String name;
    private final Handler handler;
    private final ServerSocket serverSocket;
    private final ExecutorService connections;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Listens on 127.0.0.1:{@code port} ({@code 0}: a free port) at once. */
    LoopbackHttpServer(String name, int port, Handler handler) throws IOException {
        this.name = name;
        this.handler = handler;
        this.serverSocket = new ServerSocket();
        // A master that resumes binds the port it had again, while connections it closed may still be in TIME_WAIT.
        serverSocket.setReuseAddress(true);
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        AtomicInteger counter = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, name + "-connection-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        Thread acceptor = new Thread(this::acceptLoop, name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    /** Stops listening and closes every connection, streaming ones included, as a crash would. */
    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException e) {
            log.debug("{}: closing the listening socket: {}", name, e.toString());
        }
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        connections.shutdownNow();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("{}: accept failed; the server stops listening", name, e);
                }
                return;
            }
            open.add(socket);
            if (closed) {
                closeQuietly(socket);
                return;
            }
            try {
                connections.execute(() -> serve(socket));
            } catch (RuntimeException e) {
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        try {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            while (!closed) {
                Request request = readRequest(in, out);
                if (request == null) {
                    return;
                }
                Exchange exchange = new Exchange(socket, out, request);
                try {
                    handler.handle(request, exchange);
                } catch (RuntimeException e) {
                    log.warn("{}: {} {} failed", name, request.method(), request.path(), e);
                    if (!exchange.responded) {
                        exchange.respondText(500, "Internal server error: " + e);
                    }
                }
                if (exchange.stream != null) {
                    exchange.stream.awaitClientGone(in);
                    return;
                }
                if (!exchange.responded) {
                    exchange.respondText(500, "no response");
                }
                if (exchange.closeAfter) {
                    return;
                }
            }
        } catch (IOException e) {
            // The client went away; nothing to answer.
        } finally {
            open.remove(socket);
            closeQuietly(socket);
        }
    }

    private static Request readRequest(InputStream in, OutputStream out) throws IOException {
        String line = readLine(in);
        while (line != null && line.isEmpty()) {
            line = readLine(in);
        }
        if (line == null) {
            return null;
        }
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/")) {
            throw new IOException("malformed request line: " + line);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; ; i++) {
            String header = readLine(in);
            if (header == null) {
                throw new IOException("end of stream in headers");
            }
            if (header.isEmpty()) {
                break;
            }
            if (i > MAX_HEADERS) {
                throw new IOException("too many headers");
            }
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header: " + header);
            }
            String key = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            headers.merge(key, value, (a, b) -> a + ", " + b);
        }
        if ("HTTP/1.0".equals(parts[2]) && !headers.containsKey("connection")) {
            headers.put("connection", "close");
        }
        if (headers.getOrDefault("expect", "").equalsIgnoreCase("100-continue")) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        byte[] body;
        if (headers.getOrDefault("transfer-encoding", "")
                .toLowerCase(Locale.ROOT)
                .contains("chunked")) {
            body = readChunked(in);
        } else if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new IOException("malformed Content-Length");
            }
            if (length < 0 || length > MAX_BODY) {
                throw new IOException("body too large: " + length);
            }
            body = in.readNBytes((int) length);
            if (body.length != length) {
                throw new IOException("end of stream in body");
            }
        } else {
            body = new byte[0];
        }
        String target = parts[1];
        int question = target.indexOf('?');
        String path = question < 0 ? target : target.substring(0, question);
        Map<String, String> query = new LinkedHashMap<>();
        if (question >= 0) {
            for (String pair : target.substring(question + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String key = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : pair.substring(equals + 1);
                query.put(
                        URLDecoder.decode(key, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        return new Request(parts[0], URLDecoder.decode(path, StandardCharsets.UTF_8), query, headers, body);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                throw new IOException("end of stream in chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
            int size;
            try {
                size = Integer.parseInt(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size: " + sizeLine);
            }
            if (size == 0) {
                String trailer = readLine(in);
                while (trailer != null && !trailer.isEmpty()) {
                    trailer = readLine(in);
                }
                return body.toByteArray();
            }
            if (body.size() + size > MAX_BODY) {
                throw new IOException("body too large");
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new IOException("end of stream in chunk");
            }
            body.write(chunk);
            readLine(in);
        }
    }

    /** A line without its CR LF, or null at end of stream before any byte. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) {
                    return null;
                }
                throw new IOException("end of stream in a line");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("line too long");
            }
            line.write(b);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is all that is left to do with it.
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 200 -> "OK";
            case 202 -> "Accepted";
            case 307 -> "Temporary Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 409 -> "Conflict";
            case 415 -> "Unsupported Media Type";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            default -> "Status " + status;
        };
    }

    /** The answer to one request: a whole response, or the start of a chunked stream. */
    static final class Exchange {
        private final Socket socket;
        private final OutputStream out;
        private final boolean clientWantsClose;
        private boolean responded;
        private boolean closeAfter;
        private ChunkedStream stream;

        private Exchange(Socket socket, OutputStream out, Request request) {
            this.socket = socket;
            this.out = out;
            this.clientWantsClose = request.header("connection")
                    .orElse("")
                    .toLowerCase(Locale.ROOT)
                    .contains("close");
        }

        void respondText(int status, String text) throws IOException {
            respond(status, Map.of("Content-Type", "text/plain; charset=utf-8"), text.getBytes(StandardCharsets.UTF_8));
        }

        void respond(int status, Map<String, String> headers, byte[] body) throws IOException {
            if (responded) {
                throw new IllegalStateException("already responded");
            }
            responded = true;
            closeAfter = clientWantsClose;
            StringBuilder head = new StringBuilder();
            head.append("HTTP/1.1 ")
                    .append(status)
                    .append(' ')
                    .append(reason(status))
                    .append("\r\n");
            headers.forEach(
                    (key, value) -> head.append(key).append(": ").append(value).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\n");
            if (closeAfter) {
                head.append("Connection: close\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }

        /** Sends the status and headers of a chunked response; the caller writes its chunks to the stream. */
        ChunkedStream stream(int status, Map<String, String> headers) throws IOException {
            if (responded) {
                throw new IllegalStateException("already responded");
            }
            responded = true;
            StringBuilder head = new StringBuilder();
            head.append("HTTP/1.1 ")
                    .append(status)
                    .append(' ')
                    .append(reason(status))
                    .append("\r\n");
            headers.forEach(
                    (key, value) -> head.append(key).append(": ").append(value).append("\r\n"));
            head.append("Transfer-Encoding: chunked\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            stream = new ChunkedStream(socket, out);
            return stream;
        }
    }

    /**
     * A streaming response: one chunk per {@link #write}, flushed at once. It ends when the server {@link #finish}es
     * it (the terminating chunk, then the connection closes), {@link #abort}s it (the connection closes, as a network
     * failure would) or the client closes its end; {@code onClose} then runs once.
     */
    static final class ChunkedStream {
        private final Socket socket;
        private final OutputStream out;
        private final AtomicBoolean open = new AtomicBoolean(true);
        private volatile Runnable onClose = () -> {};

        private ChunkedStream(Socket socket, OutputStream out) {
            this.socket = socket;
            this.out = out;
        }

        void onClose(Runnable action) {
            this.onClose = action;
        }

        boolean isOpen() {
            return open.get();
        }

        synchronized void write(byte[] data) throws IOException {
            if (!open.get()) {
                throw new SocketException("the stream is closed");
            }
            try {
                out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(data);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                abort();
                throw e;
            }
        }

        /** Ends the response properly and closes the connection. */
        void finish() {
            synchronized (this) {
                if (open.get()) {
                    try {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    } catch (IOException ignored) {
                        // The client is gone already; closing below is all that is left.
                    }
                }
            }
            abort();
        }

        /** Closes the connection without ending the response. */
        void abort() {
            if (open.compareAndSet(true, false)) {
                closeQuietly(socket);
                onClose.run();
            }
        }

        /** Reads the client's side until it closes; the connection's thread waits here for the stream's end. */
        private void awaitClientGone(InputStream in) {
            try {
                byte[] buffer = new byte[512];
                while (in.read(buffer) >= 0) {
                    // A subscriber sends nothing more on this connection; reading only waits for its end.
                }
            } catch (IOException e) {
                // Reset or closed by us: the stream is over either way.
            }
            abort();
        }
    }
}
