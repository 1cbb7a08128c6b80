package dev.gantry.registry.api;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 spoken over a plain socket, for the requests an HTTP client would refuse to send or would correct: raw
 * {@code ..} and encoded paths, lying or doubled Content-Length, bodies that stop arriving.
 */
final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawHttp(URL base) throws IOException {
        socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(60_000); // a hang is a failure, not a test that never ends
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** One request in a single write: the head as given (CRLF-terminated lines, then a blank line) and a body. */
    static Answer exchange(URL base, String head, byte[] body) throws IOException {
        try (RawHttp http = new RawHttp(base)) {
            http.send(head.getBytes(StandardCharsets.ISO_8859_1));
            http.sendQuietly(body);
            return http.read();
        }
    }

    /** The body in chunked transfer coding, {@code size} bytes a chunk. */
    static byte[] chunked(byte[] body, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += size) {
            int n = Math.min(size, body.length - at);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes what the server may refuse to read: once it has answered and closed, further bytes are lost, fine. */
    void sendQuietly(byte[] bytes) {
        try {
            send(bytes);
        } catch (IOException e) {
            // the server answered before the body and closed the connection: the answer is still there to read
        }
    }

    /** Sends bytes from another thread, so the answer is read while (or before) they go. */
    Thread sendInBackground(byte[] bytes) {
        Thread writer = Thread.ofVirtual().start(() -> sendQuietly(bytes));
        return writer;
    }

    /** Reads one response; its body by Content-Length, chunks, or up to the end of the connection. */
    Answer read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("the connection closed without an answer");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header; (header = line()) != null && !header.isEmpty(); ) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        byte[] body;
        if (status < 200 || status == 204 || status == 304) {
            body = new byte[0]; // these never carry a body
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            for (int size; (size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0; ) {
                chunks.write(in.readNBytes(size));
                line();
            }
            line();
            body = chunks.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        return new Answer(status, headers, body);
    }

    /** True when the server closes the connection within 10 s (after its answer, nothing more comes). */
    boolean closedByServer() throws IOException {
        socket.setSoTimeout(10_000);
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset: closed as well
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A response as it came over the wire. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The first OCI error of the body, or null when the body is not an OCI error document. */
        JsonObject error() {
            try {
                return new JsonObject(new String(body, StandardCharsets.UTF_8)).getJsonArray("errors").getJsonObject(0);
            } catch (RuntimeException e) {
                return null;
            }
        }

        String code() {
            return error() == null ? null : error().getString("code");
        }

        String detail() {
            return error() == null ? null : String.valueOf(error().getValue("detail"));
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + new String(body, StandardCharsets.UTF_8);
        }
    }
}
