package com.yunhuni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.yunhuni.testing.Sandbox;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/** The in-process sandbox: the quickstart, scripted numbers, 64 threads on one client, the example program. */
class SandboxTest {
    private static Requests.DuoCallback call(String userData) {
        return new Requests.DuoCallback("13800000001", "13800000002", 60).userData(userData);
    }

    @Test
    void quickstartInProcess() {
        try (Sandbox sandbox = Sandbox.builder().timeScale(200).start(); Client client = sandbox.client()) {
            CallCreated created = client.duoCallback(call("order-42"));
            assertEquals(32, created.callId().length());
            assertEquals("order-42", created.userData());
            byte[] body = sandbox.waitForEnd(created.callId(), Duration.ofSeconds(30));
            Event event = Events.parse(body);
            assertTrue(event instanceof Events.DuoCallbackEnd, event.toString());
            Events.DuoCallbackEnd end = (Events.DuoCallbackEnd) event;
            assertEquals(created.callId(), end.id());
            assertEquals("order-42", end.userData());
            assertEquals("connected", end.get("outcome"));
            assertNotNull(end.beginTime());
        }
    }

    @Test
    void scriptedNumbers() {
        try (Sandbox sandbox = Sandbox.builder().timeScale(200).start(); Client client = sandbox.client()) {
            Map<String, Object> busy = new HashMap<>();
            busy.put("answer", "busy");
            sandbox.setBehavior("13800000002", busy);
            CallCreated created = client.duoCallback(call("busy"));
            Event end = Events.parse(sandbox.waitForEnd(created.callId(), Duration.ofSeconds(30)));
            assertFalse("connected".equals(end.get("outcome")), end.toString());
            assertEquals(1, sandbox.calls().size());
            assertEquals(created.callId(), sandbox.call(created.callId()).get("id"));
            YunhuniException e = assertThrows(YunhuniException.class,
                    () -> sandbox.setBehavior("13800000003", Collections.singletonMap("answer", "sometimes")));
            assertEquals("behavior", e.field());
            YunhuniException t = assertThrows(YunhuniException.Timeout.class,
                    () -> sandbox.waitForEnd("no-such-call", Duration.ofMillis(50)));
            assertEquals("timeout", t.kind());
        }
    }

    @Test
    void oneClientSixtyFourThreads() throws Exception {
        try (Sandbox sandbox = Sandbox.builder().timeScale(200).start(); Client client = sandbox.client()) {
            int threads = 64;
            int each = 4;
            Set<String> ids = Collections.synchronizedSet(new HashSet<String>());
            List<Throwable> errors = Collections.synchronizedList(new ArrayList<Throwable>());
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int n = t;
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < each; i++) {
                            CallCreated c = client.duoCallback(call("t" + n + "-" + i));
                            assertEquals("t" + n + "-" + i, c.userData());
                            ids.add(c.callId());
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                th.start();
                all.add(th);
            }
            go.countDown();
            for (Thread th : all) {
                th.join(120_000);
            }
            assertTrue(errors.isEmpty(), errors.toString());
            assertEquals(threads * each, ids.size());
            assertEquals(threads * each, sandbox.calls().size(), "every call placed once");

            // The async variants: many at once on the bounded pool, none on this thread.
            String caller = Thread.currentThread().getName();
            List<CompletableFuture<String>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                futures.add(client.duoCallbackAsync(call("a" + i)).thenApply(c -> c.callId()));
            }
            Set<String> asyncIds = new HashSet<>();
            for (CompletableFuture<String> f : futures) {
                asyncIds.add(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(64, asyncIds.size());
            // A client's own executor runs its async calls, never the caller's thread.
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            Set<String> ranOn = Collections.synchronizedSet(new HashSet<String>());
            try (Client own = sandbox.clientBuilder().executor(r -> pool.execute(() -> {
                ranOn.add(Thread.currentThread().getName());
                r.run();
            })).build()) {
                own.requestAsync(call("where")).get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdown();
            }
            assertEquals(1, ranOn.size(), ranOn.toString());
            assertFalse(ranOn.contains(caller), ranOn.toString());
            assertEquals(threads * each + 65, sandbox.calls().size());
        }
    }

    @Test
    void closingWhileCallsAreInFlightWaitsForThem() throws Exception {
        try (Sandbox sandbox = Sandbox.builder().timeScale(200).start()) {
            Client client = sandbox.client();
            List<CompletableFuture<CallCreated>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(client.duoCallbackAsync(call("c" + i)));
            }
            client.close();
            int ok = 0;
            for (CompletableFuture<CallCreated> f : futures) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                    ok++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
                }
            }
            assertEquals(ok, sandbox.calls().size(), "a call either ran whole or was refused as closed");
        }
    }

    /**
     * {@code java -Xcheck:jni -cp CP MAIN}; from Java 22 on with {@code --enable-native-access=ALL-UNNAMED},
     * without which the JVM warns that {@code System.load} is a restricted method.
     */
    private static List<String> javaCommand(String javaBin, String classpath, String main) {
        List<String> cmd = new ArrayList<>(java.util.Arrays.asList(javaBin, "-Xcheck:jni"));
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.addAll(java.util.Arrays.asList("-cp", classpath, main));
        return cmd;
    }

    /** The top README's Java snippet, compiled and run as a user pastes it into a main method. */
    @Test
    void theReadmeSnippet() throws Exception {
        String readme = new String(Files.readAllBytes(TestSupport.root().resolve("README.md")), StandardCharsets.UTF_8);
        String section = readme.split("\n## Java\n", 2)[1].split("\n## ", 2)[0];
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```java\n(.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(section);
        assertTrue(m.find(), "a java snippet in the README's Java section");
        String source = "import com.yunhuni.*;\nimport com.yunhuni.testing.Sandbox;\nimport java.time.Duration;\n"
                + "public class ReadmeSnippet {\n    public static void main(String[] args) throws Exception {\n"
                + m.group(1) + "    }\n}\n";
        Path dir = Files.createTempDirectory("yunhuni-readme");
        Path file = dir.resolve("ReadmeSnippet.java");
        Files.write(file, source.getBytes(StandardCharsets.UTF_8));
        String classes = new File(Client.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, err, "--release", "8", "-Xlint:-options", "-cp",
                classes, "-d", dir.toString(), file.toString());
        assertEquals(0, rc, err + "\n" + source);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaCommand(java, classes + File.pathSeparator + dir, "ReadmeSnippet"))
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(TestSupport.readAll(in), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.trim().equals("duo_callback.end connected order-42"), output);
    }

    @Test
    void theExampleProgramAgainstTheSandbox() throws Exception {
        Path example = TestSupport.root().resolve("examples/java/Quickstart.java");
        Path out = Files.createTempDirectory("yunhuni-example");
        String classes = new File(Client.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, "--release", "8", "-Xlint:-options", "-cp", classes, "-d", out.toString(),
                example.toString());
        assertEquals(0, rc, err.toString());
        int port = TestSupport.freePort();
        try (Sandbox sandbox = Sandbox.builder().timeScale(200)
                .callbackUrl("http://127.0.0.1:" + port + "/yunhuni/events").start()) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(javaCommand(java, classes + File.pathSeparator + out, "Quickstart"));
            Map<String, String> env = pb.environment();
            env.put("YUNHUNI_APP_ID", sandbox.appId());
            env.put("YUNHUNI_CERT_ID", sandbox.certId());
            env.put("YUNHUNI_SECRET_KEY", sandbox.secretKey());
            env.put("YUNHUNI_BASE_URL", sandbox.baseUrl());
            env.put("WEBHOOK_PORT", String.valueOf(port));
            env.put("YUNHUNI_LOG", "debug");
            env.remove("YUNHUNI_JAVA_LIB");
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String output;
            try (InputStream in = p.getInputStream()) {
                output = new String(TestSupport.readAll(in), StandardCharsets.UTF_8);
            }
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the example ended");
            assertEquals(0, p.exitValue(), output);
            assertTrue(output.contains("call placed: "), output);
            assertTrue(output.contains("(order-42) ended: connected"), output);
            // YUNHUNI_LOG=debug: core's logger writes each request to stderr, never the secret.
            assertTrue(output.contains("[yunhuni debug]") && output.contains("duo_callback"), output);
            assertFalse(output.contains(sandbox.secretKey()), output);
            assertFalse(output.contains("WARNING"), "no -Xcheck:jni warning: " + output);
        }
    }
}
