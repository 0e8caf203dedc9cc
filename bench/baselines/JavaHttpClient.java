// The Java baseline: what an application does with the vendor's Java SDK's scheme and no SDK of
// ours. It signs every request as that SDK does (MD5 of the body, HMAC-SHA256, Base64, the
// timestamp from SimpleDateFormat; here in UTC+8, since the vendor's local time is refused on a
// machine in another zone) and sends it with Apache HttpClient 5 (a pooled client that keeps
// connections alive), reading the answer as a string and checking its `code`, as the vendor's
// samples do with the raw JSON string they get.

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.SimpleDateFormat;
import java.util.Base64;
import java.util.Date;
import java.util.TimeZone;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

final class JavaHttpClient implements AutoCloseable {
    static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private final String appId;
    private final String certId;
    private final String secretKey;
    private final String baseUrl;
    private final CloseableHttpClient http = HttpClients.createDefault();

    JavaHttpClient(String appId, String certId, String secretKey, String baseUrl) {
        this.appId = appId;
        this.certId = certId;
        this.secretKey = secretKey;
        this.baseUrl = baseUrl.replaceAll("/+$", "");
    }

    static String timestamp() {
        SimpleDateFormat f = new SimpleDateFormat("yyyyMMddHHmmss");
        f.setTimeZone(TimeZone.getTimeZone("GMT+8"));
        return f.format(new Date());
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) {
            s.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
        }
        return s.toString();
    }

    /** POSTs a JSON body to an operation's path; returns the answer as the raw JSON string. */
    String post(String operation, String body) throws Exception {
        String path = "/v1/account/" + certId + "/" + operation;
        String ts = timestamp();
        String md5 = hex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
        String text = "POST\n" + md5 + "\n" + CONTENT_TYPE + "\n" + ts + "\n" + appId + "\n" + path;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        HttpPost post = new HttpPost(baseUrl + path);
        post.setHeader("Accept", "application/json");
        post.setHeader("AppID", appId);
        post.setHeader("CertID", certId);
        post.setHeader("Signature", signature);
        post.setHeader("Timestamp", ts);
        post.setEntity(new StringEntity(body, ContentType.parse(CONTENT_TYPE)));
        return http.execute(post, response -> {
            String answer = EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
            if (response.getCode() != 200) {
                throw new IllegalStateException(operation + ": HTTP " + response.getCode());
            }
            return answer;
        });
    }

    /** The call id of a voice callback, from the raw answer. */
    String duoCallback(String to1, String to2, int maxCallDuration) throws Exception {
        String answer = post("call/duo_callback",
                "{\"to1\":\"" + to1 + "\",\"to2\":\"" + to2 + "\",\"max_call_duration\":" + maxCallDuration + "}");
        if (!answer.contains("\"code\":\"000000\"")) {
            throw new IllegalStateException("duo_callback failed: " + answer);
        }
        int at = answer.indexOf("\"callId\":\"") + 10;
        return answer.substring(at, answer.indexOf('"', at));
    }

    @Override
    public void close() throws Exception {
        http.close();
    }
}
