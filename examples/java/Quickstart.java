// Quickstart: place a voice callback (语音回拨) and read its end event.
//
// The platform calls party 1, then party 2, connects them, and POSTs a `duo_callback.end` event
// to the app's callback URL when the call is over. This program receives that event on
// http://127.0.0.1:$WEBHOOK_PORT/yunhuni/events (8080 by default), so the app's callback URL
// must point there. Credentials come from YUNHUNI_APP_ID, YUNHUNI_CERT_ID, YUNHUNI_SECRET_KEY
// (and YUNHUNI_BASE_URL for a sandbox).
//
//   yunhuni-sandbox --callback-url http://127.0.0.1:8080/yunhuni/events   # prints the credentials
//   javac -cp yunhuni-0.1.0.jar Quickstart.java && java -cp yunhuni-0.1.0.jar:. Quickstart

import com.sun.net.httpserver.HttpServer;
import com.yunhuni.CallCreated;
import com.yunhuni.Client;
import com.yunhuni.Event;
import com.yunhuni.Events;
import com.yunhuni.Requests;
import com.yunhuni.YunhuniException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

public class Quickstart {
    public static void main(String[] args) throws Exception {
        String portVar = System.getenv("WEBHOOK_PORT");
        int port = portVar == null ? 8080 : Integer.parseInt(portVar);

        // The webhook: answer 200 at once, then parse the body with the SDK.
        CompletableFuture<Events.DuoCallbackEnd> ended = new CompletableFuture<>();
        HttpServer hooks = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        hooks.createContext("/yunhuni/events", exchange -> {
            byte[] body = readAll(exchange.getRequestBody());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            try {
                Event event = Events.parse(body);
                if (event instanceof Events.DuoCallbackEnd) {
                    ended.complete((Events.DuoCallbackEnd) event);
                }
            } catch (YunhuniException e) {
                System.err.println("not an event: " + e.getMessage());
            }
        });
        hooks.start();

        try (Client client = Client.fromEnv()) {
            CallCreated call = client.duoCallback(
                    new Requests.DuoCallback("13800000001", "13800000002", 600).userData("order-42"));
            System.out.println("call placed: " + call.callId());

            Events.DuoCallbackEnd end = ended.get(60, TimeUnit.SECONDS);
            System.out.println("call " + end.id() + " (" + end.userData() + ") ended: " + end.get("outcome")
                    + ", talked " + end.get("talk_seconds") + " s");
        } catch (YunhuniException e) {
            System.err.println(e.kind() + " error: " + e.getMessage());
            System.exit(1);
        } finally {
            hooks.stop(0);
        }
    }

    private static byte[] readAll(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
