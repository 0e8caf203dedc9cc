package com.yunhuni.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The native methods of the binding (the Rust crate {@code yunhuni-java}), and the loading of
 * its library. Internal: use {@link com.yunhuni.Client}, {@link com.yunhuni.Events} and the
 * other public classes.
 *
 * <p>The library is found, in this order: the file named by the system property
 * {@code yunhuni.java.lib} or the environment variable {@code YUNHUNI_JAVA_LIB} (for
 * development); else the jar's resource {@code /native/<os>-<arch>/<library>}, extracted to a
 * temporary file that is deleted when the JVM exits.
 */
public final class Native {
    private Native() {}

    static {
        load();
        String bad = initLog();
        if (bad != null) {
            System.err.println("yunhuni: YUNHUNI_LOG=" + bad
                    + " is not a level (off, error, warn, info, debug, trace); logging stays off");
        }
    }

    /** {@code linux-x86_64}, {@code macos-aarch64}, ...: the folder of the jar's library. */
    public static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.contains("mac") ? "macos" : os.contains("windows") ? "windows" : os;
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        return o + "-" + a;
    }

    private static void load() {
        String override = System.getProperty("yunhuni.java.lib");
        if (override == null || override.isEmpty()) {
            override = System.getenv("YUNHUNI_JAVA_LIB");
        }
        if (override != null && !override.isEmpty()) {
            System.load(new File(override).getAbsolutePath());
            return;
        }
        String file = System.mapLibraryName("yunhuni_java");
        String resource = "/native/" + platform() + "/" + file;
        try (InputStream in = Native.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("yunhuni: this jar carries no native library for "
                        + platform() + " (no resource " + resource
                        + "); set YUNHUNI_JAVA_LIB to the path of " + file);
            }
            File tmp = File.createTempFile("yunhuni_java-", "-" + file);
            tmp.deleteOnExit();
            Files.copy(in, tmp.toPath(), StandardCopyOption.REPLACE_EXISTING);
            System.load(tmp.getAbsolutePath());
        } catch (IOException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                    "yunhuni: could not extract the native library " + resource + ": " + e.getMessage());
            error.initCause(e);
            throw error;
        }
    }

    /** Reads YUNHUNI_LOG (core's stderr logger); the value when it is not a level, else null. */
    private static native String initLog();

    public static native String coreVersion();

    public static native long clientNew(boolean fromEnv, String appId, String certId, String secretKey,
            String baseUrl, String accountId, long timeoutMs, long connectTimeoutMs, String userAgent,
            int connectRetries, int maxIdleConnections, String proxy, boolean noProxy);

    public static native void clientFree(long handle);

    public static native Object clientInfo(long handle);

    public static native Object clientCall(long handle, String operation, String[] keys, Object[] values,
            long timeoutMs);

    public static native Object parseEvent(byte[] body);

    public static native String sign(String method, String uri, String contentType, String timestamp,
            String appId, String secretKey, byte[] body);

    public static native String stringToSign(String method, String uri, String contentType, String timestamp,
            String appId, byte[] body);

    public static native String ivrToXml(Object description);

    public static native Object parseIvrNext(String query);

    public static native Object lookupCode(String code);

    public static native long sandboxStart(String listen, String callbackUrl, double timeScale,
            long webhookTimeoutMs, long apiDelayMs, long expiryMinutes, int utf8Webhooks, boolean log);

    public static native void sandboxFree(long handle);

    public static native Object sandboxInfo(long handle);

    public static native void sandboxSetBehavior(long handle, String number, Object behavior);

    public static native void sandboxClearBehavior(long handle, String number);

    public static native void sandboxSetAppSettings(long handle, Object settings);

    public static native void sandboxSetCallbackUrl(long handle, String url);

    public static native Object sandboxCalls(long handle, String callId);

    public static native Object sandboxWebhooks(long handle, String callId);

    public static native byte[] sandboxWaitForEnd(long handle, String callId, long timeoutMs);
}
