package emp.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A replica that takes a request whole and then resets the connection without a byte of answer: the case where the
 * gateway cannot know whether the request was acted on. It may first answer a number of requests on each connection
 * ({@code ok}, keep-alive), as a replica does that drops a connection the gateway keeps for reuse.
 */
final class ResettingBackend implements AutoCloseable {
    private final ServerSocket listener;
    private final Thread acceptor;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final int answeredPerConnection;

    private ResettingBackend(ServerSocket listener, int answeredPerConnection) {
        this.listener = listener;
        this.answeredPerConnection = answeredPerConnection;
        this.acceptor = new Thread(this::acceptLoop, "resetting-backend");
        acceptor.setDaemon(true);
    }

    /** Resets each connection after the first request. */
    static ResettingBackend start() throws IOException {
        return start(0);
    }

    /** Answers {@code answeredPerConnection} requests on each connection, then resets it after the next one. */
    static ResettingBackend start(int answeredPerConnection) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ResettingBackend backend = new ResettingBackend(listener, answeredPerConnection);
        backend.acceptor.start();
        return backend;
    }

    Backend backend(String id) {
        return new Backend(id, new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort()));
    }

    /** How many whole requests it read, answered or reset. */
    int requests() {
        return requests.get();
    }

    /** How many connections it accepted. */
    int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try (Socket socket = listener.accept()) {
                connections.incrementAndGet();
                for (int i = 0; i < answeredPerConnection; i++) {
                    readRequest(socket.getInputStream());
                    requests.incrementAndGet();
                    socket.getOutputStream()
                            .write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                                    .getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().flush();
                }
                readRequest(socket.getInputStream());
                requests.incrementAndGet();
                // Linger 0 makes close() send RST instead of FIN.
                socket.setSoLinger(true, 0);
            } catch (IOException e) {
                // The listener closed, or a client left before its request was whole: nothing to reset.
            }
        }
    }

    private static void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside the request head");
            }
            head.write(b);
        }
        long length = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        in.readNBytes((int) length);
    }
}
