package dev.gantry.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP proxy between HTTP/1.1 clients and the registry that knows when a commit request — the {@code PUT}
 * closing a blob upload ({@code ?digest=}) or a manifest {@code PUT} — has reached the registry and is not answered
 * yet: the moment when the registry is renaming bytes into place and recording them, which is where a crash can
 * hurt. Requests are forwarded unchanged (each request head is read to find where the next one starts: clients do
 * not pipeline, so an answer's first byte ends the wait for the request before it); answers are passed through, as
 * is a connection that opens with a TLS handshake.
 */
final class CommitWatchingProxy implements AutoCloseable {
    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
    private static final int MAX_HEAD = 64 * 1024;
    private static final int TLS_HANDSHAKE = 0x16;

    private final ServerSocket server;
    private final int upstreamPort;
    private final AtomicInteger committing = new AtomicInteger();

    private CommitWatchingProxy(ServerSocket server, int upstreamPort) {
        this.server = server;
        this.upstreamPort = upstreamPort;
    }

    static CommitWatchingProxy start(int upstreamPort) throws IOException {
        CommitWatchingProxy proxy = new CommitWatchingProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()),
                upstreamPort);
        Thread.ofVirtual().name("proxy-accept").start(proxy::accept);
        return proxy;
    }

    String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Commit requests forwarded and not answered, now. */
    int committing() {
        return committing.get();
    }

    /** Waits until a commit request is in flight (true), or the timeout passes (false). */
    boolean awaitCommitInFlight(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (committing.get() == 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(50_000);
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                continue; // closed: the loop ends
            }
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                AtomicBoolean awaiting = new AtomicBoolean();
                Thread.ofVirtual().start(() -> requests(client, upstream, awaiting));
                Thread.ofVirtual().start(() -> answers(upstream, client, awaiting));
            } catch (IOException e) {
                closeQuietly(client); // the registry is down (killed): the client sees its connection refused
            }
        }
    }

    private void requests(Socket client, Socket upstream, AtomicBoolean awaiting) {
        try (client; upstream) {
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = upstream.getOutputStream();
            in.mark(1);
            if (in.read() == TLS_HANDSHAKE) {
                // skopeo tries HTTPS first: passed through raw, the plain-HTTP registry refuses it at once, as it
                // would without the proxy (waiting for an HTTP head here would hold skopeo to its TLS timeout)
                in.reset();
                in.transferTo(out);
                return;
            }
            in.reset();
            for (byte[] head; (head = head(in)) != null; ) {
                String text = new String(head, StandardCharsets.ISO_8859_1);
                String[] requestLine = text.substring(0, text.indexOf('\r')).split(" ");
                boolean commit = requestLine[0].equals("PUT") && (requestLine[1].contains("/manifests/")
                        || requestLine[1].contains("/blobs/uploads/") && requestLine[1].contains("digest="));
                out.write(head);
                String headers = text.toLowerCase(Locale.ROOT);
                if (headers.contains("\r\ntransfer-encoding: chunked")) {
                    chunked(in, out);
                } else {
                    copy(in, out, contentLength(headers));
                }
                out.flush();
                if (commit && awaiting.compareAndSet(false, true)) {
                    committing.incrementAndGet();
                }
            }
        } catch (IOException e) {
            // a side hung up
        } finally {
            if (awaiting.compareAndSet(true, false)) {
                committing.decrementAndGet();
            }
        }
    }

    private void answers(Socket upstream, Socket client, AtomicBoolean awaiting) {
        try (upstream; client) {
            InputStream in = upstream.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (awaiting.compareAndSet(true, false)) {
                    committing.decrementAndGet();
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // a side hung up
        } finally {
            if (awaiting.compareAndSet(true, false)) {
                committing.decrementAndGet();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    /** A request head through its blank line, or null at the end of the stream. */
    private static byte[] head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = b == HEAD_END[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == HEAD_END.length) {
                return head.toByteArray();
            }
            if (head.size() > MAX_HEAD) {
                throw new IOException("request head longer than " + MAX_HEAD + " bytes");
            }
        }
        return null;
    }

    private static long contentLength(String headers) {
        int at = headers.indexOf("\r\ncontent-length:");
        if (at < 0) {
            return 0;
        }
        int start = at + "\r\ncontent-length:".length();
        return Long.parseLong(headers.substring(start, headers.indexOf('\r', start)).trim());
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (length > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length));
            if (n < 0) {
                throw new IOException("request body cut short");
            }
            out.write(buffer, 0, n);
            length -= n;
        }
    }

    /** A chunked body: size lines, chunks, then the trailers through the blank line. */
    private static void chunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String sizeLine = line(in, out);
            long size = Long.parseLong(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                while (!line(in, out).isEmpty()) {
                    // trailers
                }
                return;
            }
            copy(in, out, size + 2); // the chunk and its CRLF
        }
    }

    /** One CRLF-terminated line, forwarded; answered without its CRLF. */
    private static String line(InputStream in, OutputStream out) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        for (int b; (b = in.read()) >= 0; previous = b) {
            out.write(b);
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        throw new IOException("chunked body cut short");
    }
}
