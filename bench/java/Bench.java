// The Java benchmark: Client.duoCallback (the SDK, core through JNI) against Apache HttpClient 5
// with the vendor's signing scheme (bench/baselines/JavaHttpClient.java), the same request to the
// same sandbox, sequentially, ours and the baseline in turn. Prints one JSON row.
//
//   java -cp ... Bench --base-url URL [--app-id A --cert-id C --secret-key S] [--quick]
// (the credentials default to YUNHUNI_APP_ID etc., else the sandbox's development ones)

import com.yunhuni.CallCreated;
import com.yunhuni.Client;
import com.yunhuni.Requests;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

public final class Bench {
    interface Call {
        String place() throws Exception;
    }

    static double rate(int n, Call call) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String id = call.place();
            if (id.length() != 32) {
                throw new IllegalStateException("unexpected call id " + id);
            }
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? otherwise : v;
    }

    static double[] stats(List<Double> samples) {
        List<Double> s = new ArrayList<>(samples);
        Collections.sort(s);
        int k = s.size();
        double median = k % 2 == 1 ? s.get(k / 2) : (s.get(k / 2 - 1) + s.get(k / 2)) / 2;
        return new double[] {median, median > 0 ? (s.get(k - 1) - s.get(0)) / median : 0};
    }

    public static void main(String[] args) throws Exception {
        String baseUrl = null;
        String appId = env("YUNHUNI_APP_ID", "b0a5d1e5a2c64f0e9a7e3c1d5f000001");
        String certId = env("YUNHUNI_CERT_ID", "c3e7a9f1d2b44e8c8a6b1f0e2d000001");
        String secretKey = env("YUNHUNI_SECRET_KEY", "5d8f2a7c9e1b4d6fa3c0e8b7d9000001");
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url": baseUrl = args[++i]; break;
                case "--app-id": appId = args[++i]; break;
                case "--cert-id": certId = args[++i]; break;
                case "--secret-key": secretKey = args[++i]; break;
                case "--quick": quick = true; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        int n = quick ? 50 : 2000;
        int reps = quick ? 2 : 7;
        List<Double> ours = new ArrayList<>();
        List<Double> base = new ArrayList<>();
        try (Client client = Client.builder(appId, certId, secretKey).baseUrl(baseUrl).build();
                JavaHttpClient http = new JavaHttpClient(appId, certId, secretKey, baseUrl)) {
            Requests.DuoCallback request = new Requests.DuoCallback("13800000001", "13800000002", 60);
            Call ourCall = () -> {
                CallCreated c = client.duoCallback(request);
                return c.callId();
            };
            Call baseCall = () -> http.duoCallback("13800000001", "13800000002", 60);
            // Warm-up of each side (the JIT, the connections), then interleaved repetitions.
            rate(n, ourCall);
            rate(n, baseCall);
            for (int r = 0; r < reps; r++) {
                ours.add(rate(n, ourCall));
                base.add(rate(n, baseCall));
            }
        }
        double[] o = stats(ours);
        double[] b = stats(base);
        System.out.println("{\"name\": \"java_vs_httpclient: Java Client.duoCallback vs Apache HttpClient 5 + the vendor's signing, sequential\", "
                + "\"ours\": " + o[0] + ", \"baseline\": " + b[0] + ", \"unit\": \"requests/s\", \"target\": 2, "
                + "\"ours_spread\": " + o[1] + ", \"baseline_spread\": " + b[1] + ", \"samples\": " + reps + ", "
                + "\"note\": \"" + n + " requests per sample, after a warm-up of each side; JVM " + System.getProperty("java.version") + "\"}");
    }
}
