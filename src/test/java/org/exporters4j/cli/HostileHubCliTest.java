package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.exporters4j.hub.HubSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A hostile Hub server behind {@code HF_ENDPOINT} (issue 12 items 12, 16, 17, 18): {@code inspect <hub id>} exits 1
 * with one line naming the URL and the problem, never "internal error", never the endpoint's password, and a stall
 * ends at the configured timeout.
 */
class HostileHubCliTest {
    /** The model info request {@code inspect org/model} makes first. */
    private static final String MODEL_INFO = "/api/models/org/model/revision/main";

    @TempDir
    Path temp;

    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "hostile-hub");
        thread.setDaemon(true);
        return thread;
    });
    private ServerSocket socket;

    /** What the server writes after reading a request head. */
    private interface Answer {
        void write(OutputStream out) throws IOException, InterruptedException;
    }

    @AfterEach
    void stop() throws IOException {
        if (socket != null) {
            socket.close();
        }
        executor.shutdownNow();
    }

    @Test
    void aRedirectToAFileUrlIsOneLineWithoutTheEndpointsPassword() throws IOException {
        serve(out -> write(out, "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n"));
        String line = inspectFails(Map.of("HF_ENDPOINT", "http://me:pa55word@127.0.0.1:" + socket.getLocalPort()));
        assertTrue(line.contains("http://***@127.0.0.1:" + socket.getLocalPort() + MODEL_INFO
                + " redirected (HTTP 302) to 'file:/etc/passwd', which is not an http(s) URL with a host"), line);
        assertFalse(line.contains("pa55word"), line);
    }

    @Test
    void aRedirectLoopIsNamedWithItsCount() throws IOException {
        serve(out -> write(out, "HTTP/1.1 302 Found\r\nLocation: /api/models/org/model\r\nContent-Length: 0\r\n\r\n"));
        String line = inspectFails(Map.of("HF_ENDPOINT", "http://127.0.0.1:" + socket.getLocalPort()));
        assertTrue(line.startsWith("redirect loop: http://127.0.0.1:" + socket.getLocalPort() + MODEL_INFO
                + " was redirected 11 times (the limit is 10)"), line);
    }

    @Test
    void aMalformedContentLengthIsOneLineNamingTheUrl() throws IOException {
        serve(out -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 12, 13\r\n\r\n{}"));
        String line = inspectFails(Map.of("HF_ENDPOINT", "http://127.0.0.1:" + socket.getLocalPort()));
        assertTrue(line.startsWith("the server at http://127.0.0.1:" + socket.getLocalPort() + MODEL_INFO
                + " sent a malformed Content-Length header (For input string: \"12, 13\")"), line);
    }

    @Test
    void headersThenSilenceEndAtTheConfiguredTimeout() throws IOException {
        serve(out -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"sha\"");
            TimeUnit.SECONDS.sleep(120);
        });
        String line = inspectFails(Map.of("HF_ENDPOINT", "http://127.0.0.1:" + socket.getLocalPort(),
                "HF_HUB_ETAG_TIMEOUT", "1"));
        assertTrue(line.contains(MODEL_INFO + ": no data for 1 s (HF_HUB_ETAG_TIMEOUT)"), line);
    }

    /** Runs {@code inspect org/model} with these Hub variables; asserts exit 1 and one line; returns the line. */
    private String inspectFails(Map<String, String> environment) {
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.put("HF_HUB_CACHE", temp.resolve("cache").toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine(() -> HubSettings.fromEnvironment(env, temp.resolve("home")));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute("inspect", "org/model");
        assertEquals(1, exitCode, err.toString());
        assertEquals("", out.toString());
        String text = err.toString();
        assertTrue(text.endsWith(System.lineSeparator()), text);
        String line = text.substring(0, text.length() - System.lineSeparator().length());
        assertFalse(line.contains("\n") || line.contains("\r"), "one line: " + text);
        assertFalse(line.startsWith("internal error") || line.contains("Exception"), line);
        return line;
    }

    /** A raw server on 127.0.0.1 giving every request the same answer. */
    private void serve(Answer answer) throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        executor.execute(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket connection = socket.accept();
                    executor.execute(() -> {
                        try (connection) {
                            readHead(connection.getInputStream());
                            answer.write(connection.getOutputStream());
                        } catch (IOException | InterruptedException e) {
                            // the client hung up
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private static void readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                return;
            }
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }
}
