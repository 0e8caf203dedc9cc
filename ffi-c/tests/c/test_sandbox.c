/* The C API against the sandbox: clients from the environment, every call placed for real, its
 * end event received by a webhook listener and parsed, api and auth errors from the real
 * server's checks, and two threads sharing one client.
 *
 *   YUNHUNI_APP_ID=... YUNHUNI_CERT_ID=... YUNHUNI_SECRET_KEY=... YUNHUNI_BASE_URL=... \
 *   test_sandbox HOOK_PORT
 *
 * The sandbox must POST end events to http://127.0.0.1:HOOK_PORT/.
 */
#include "testlib.h"

#define SENTINEL ((void *)(uintptr_t)0x5e17)

static stub *hooks; /* receives the sandbox's webhooks */

/* Waits for the end event of `call_id` and parses it; NULL after `seconds`. */
static yh_event *wait_for_event(const char *call_id, double seconds) {
  double deadline = now_s() + seconds;
  int seen = 0;
  while (now_s() < deadline) {
    int n = stub_count(hooks);
    for (; seen < n; seen++) {
      char *body = stub_body(hooks, seen);
      yh_event *ev = NULL;
      if (body != NULL && yh_event_parse((const uint8_t *)body, strlen(body), &ev, NULL) == YH_OK) {
        if (str_eq(yh_event_id(ev), call_id)) {
          free(body);
          return ev;
        }
        yh_event_free(ev);
      }
      free(body);
    }
    sleep_ms(50);
  }
  return NULL;
}

static yh_client *from_env(void) {
  yh_client *c = NULL;
  yh_error *err = NULL;
  if (yh_client_from_env(&c, &err) != YH_OK) {
    printf("FAIL yh_client_from_env: %s\n", show(yh_error_message(err)));
    exit(2);
  }
  return c;
}

/* Places a callback and returns its id (caller frees), or NULL. */
static char *place(const yh_client *c, const char *to1, const char *to2, int64_t max_dial, const char *user_data) {
  yh_duo_callback *d = NULL;
  yh_call_created *call = NULL;
  yh_error *err = NULL;
  char *id = NULL;
  yh_duo_callback_new(to1, to2, 600, &d, NULL);
  if (max_dial > 0) yh_duo_callback_set_max_dial_duration(d, max_dial, NULL);
  if (user_data) yh_duo_callback_set_user_data(d, user_data, NULL);
  yh_result r = yh_client_duo_callback(c, d, &call, &err);
  if (check(r == YH_OK, "duo_callback %s -> %s: %d %s", to1, to2, (int)r, show(yh_error_message(err)))) {
    id = strdup(yh_call_created_call_id(call));
  }
  yh_error_free(err);
  yh_call_created_free(call);
  yh_duo_callback_free(d);
  return id;
}

static void test_from_env(void) {
  group("clients from the environment");
  yh_client *c = from_env();
  check(str_eq(yh_client_app_id(c), getenv("YUNHUNI_APP_ID")), "app id from YUNHUNI_APP_ID");
  yh_client_free(c);

  yh_client_builder *b = NULL;
  yh_error *err = NULL;
  check(yh_client_builder_from_env(&b, &err) == YH_OK, "yh_client_builder_from_env");
  yh_client_builder_set_timeout_ms(b, 10000, &err);
  yh_client_builder_set_connect_timeout_ms(b, 2000, &err);
  check(yh_client_builder_build(b, &c, &err) == YH_OK && err == NULL, "build from env with timeouts");
  char *id = place(c, "13800000001", "13800000002", 0, NULL);
  check(id != NULL && strlen(id) == 32, "call placed by a client from the environment");
  free(id);
  yh_client_free(c);
  yh_client_builder_free(b);

  /* A missing variable is named. */
  char *saved = strdup(getenv("YUNHUNI_SECRET_KEY"));
  unsetenv("YUNHUNI_SECRET_KEY");
  yh_client *none = SENTINEL;
  err = NULL;
  yh_result r = yh_client_from_env(&none, &err);
  check_error(r, err, YH_ERR_VALIDATION, "validation", "YUNHUNI_SECRET_KEY", "missing YUNHUNI_SECRET_KEY");
  check(none == SENTINEL, "no client written");
  setenv("YUNHUNI_SECRET_KEY", saved, 1);
  free(saved);
  group_end("clients from the environment");
}

static void test_duo_callback(yh_client *c) {
  group("duo_callback end to end, with its end event");
  yh_duo_callback *d = NULL;
  yh_call_created *call = NULL;
  yh_error *err = NULL;
  yh_duo_callback_new("13800000011", "13800000012", 600, &d, &err);
  yh_duo_callback_set_from1(d, "02000000001", &err);
  yh_duo_callback_set_from2(d, "02000000002", &err);
  yh_duo_callback_set_ring_tone(d, "ring.wav", &err);
  yh_duo_callback_set_ring_tone_mode(d, 0, &err);
  yh_duo_callback_set_max_dial_duration(d, 30, &err);
  yh_duo_callback_set_recording(d, false, &err);
  yh_duo_callback_set_record_mode(d, 0, &err);
  yh_duo_callback_set_user_data(d, "订单-42", &err);
  yh_result r = yh_client_duo_callback(c, d, &call, &err);
  check(r == YH_OK, "duo_callback with every parameter: %s", show(yh_error_message(err)));
  const char *id = yh_call_created_call_id(call);
  check(id != NULL && strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32, "call id is 32 hex: %s", show(id));
  check(str_eq(yh_call_created_user_data(call), "订单-42"), "user data echoed: %s",
        show(yh_call_created_user_data(call)));
  yh_event *ev = id ? wait_for_event(id, 60) : NULL;
  if (check(ev != NULL, "end event received for %s", show(id))) {
    const char *outcome = NULL, *ud = NULL;
    int64_t talk = -1, hangup = -1;
    check(yh_event_get_type(ev) == YH_EVENT_DUO_CALLBACK_END, "duo_callback.end");
    check(yh_event_duo_outcome(ev, &outcome) == YH_OK && str_eq(outcome, "connected"), "outcome %s", show(outcome));
    check(yh_event_duo_talk_seconds(ev, &talk) == YH_OK && talk > 0, "talk seconds %lld", (long long)talk);
    check(yh_event_duo_hangup_by(ev, &hangup) == YH_OK && hangup >= 0 && hangup <= 2, "hangup_by %lld",
          (long long)hangup);
    /* The platform sends ISO-8859-1: characters outside Latin-1 arrive as '?'. */
    check(yh_event_duo_user_data(ev, &ud) == YH_OK && str_eq(ud, "?\?-42"), "user data in the event: %s", show(ud));
  }
  yh_event_free(ev);
  yh_call_created_free(call);
  yh_duo_callback_free(d);
  group_end("duo_callback end to end, with its end event");
}

static void test_reserved_numbers(yh_client *c) {
  group("reserved numbers end as the platform would");
  struct {
    const char *to1, *to2, *outcome;
  } cases[] = {
      {"13900000001", "13800000002", "party1_not_reached"}, /* busy */
      {"13900000003", "13800000002", "party1_not_reached"}, /* unreachable */
      {"13800000001", "13900000002", "party2_not_reached"}, /* no answer */
      {"13900000009", "13800000002", "platform_failure"},   /* engine failure */
      {"13800000001", "13900000004", "connected"},          /* answers then hangs up */
  };
  char *ids[5];
  for (int i = 0; i < 5; i++) ids[i] = place(c, cases[i].to1, cases[i].to2, 10, "reserved");
  for (int i = 0; i < 5; i++) {
    yh_event *ev = ids[i] ? wait_for_event(ids[i], 60) : NULL;
    const char *outcome = NULL;
    check(ev != NULL && yh_event_duo_outcome(ev, &outcome) == YH_OK && str_eq(outcome, cases[i].outcome),
          "%s -> %s ends %s (got %s)", cases[i].to1, cases[i].to2, cases[i].outcome, show(outcome));
    yh_event_free(ev);
    free(ids[i]);
  }
  group_end("reserved numbers end as the platform would");
}

static void test_cancel(yh_client *c) {
  group("cancel a ringing callback");
  char *id = place(c, "13800000001", "13900000002", 300, "to-cancel");
  yh_error *err = NULL;
  yh_result r = id ? yh_client_cancel_duo_callback(c, id, &err) : YH_ERR_PANIC;
  check(r == YH_OK, "cancel: %s", show(yh_error_message(err)));
  yh_error_free(err);
  yh_event *ev = id ? wait_for_event(id, 60) : NULL;
  const char *outcome = NULL;
  check(ev != NULL && yh_event_duo_outcome(ev, &outcome) == YH_OK &&
            (str_eq(outcome, "party1_not_reached") || str_eq(outcome, "party2_not_reached")),
        "a cancelled call ends unconnected (%s)", show(outcome));
  yh_event_free(ev);
  free(id);
  group_end("cancel a ringing callback");
}

static void test_notify_and_verify(yh_client *c) {
  group("notify_call and verify_call");
  yh_notify_call *n = NULL;
  yh_call_created *call = NULL;
  yh_error *err = NULL;
  yh_notify_call_new("13800000021", &n, &err);
  yh_notify_call_add_play_item(n, "123", YH_PLAY_DIGITS, &err);
  yh_notify_call_add_play_item(n, "3245.24", YH_PLAY_AMOUNT, &err);
  yh_notify_call_set_repeat(n, 1, &err);
  yh_notify_call_set_user_data(n, "notify-1", &err);
  yh_result r = yh_client_notify_call(c, n, &call, &err);
  check(r == YH_OK && str_eq(yh_call_created_user_data(call), "notify-1"), "notify_call: %s",
        show(yh_error_message(err)));
  yh_event *ev = r == YH_OK ? wait_for_event(yh_call_created_call_id(call), 60) : NULL;
  const char *ud = NULL;
  check(ev != NULL && yh_event_get_type(ev) == YH_EVENT_NOTIFY_CALL_END &&
            yh_event_notify_user_data(ev, &ud) == YH_OK && str_eq(ud, "notify-1"),
        "notify_call.end received");
  yh_event_free(ev);
  yh_call_created_free(call);
  yh_notify_call_free(n);

  yh_verify_call *v = NULL;
  call = NULL;
  yh_verify_call_new("13800000022", &v, &err);
  yh_verify_call_set_verify_code(v, "759345", &err);
  yh_verify_call_set_user_data(v, "verify-1", &err);
  r = yh_client_verify_call(c, v, &call, &err);
  check(r == YH_OK && yh_call_created_call_id(call) != NULL, "verify_call: %s", show(yh_error_message(err)));
  check(yh_call_created_user_data(call) == NULL, "verify_call echoes no user data");
  ev = r == YH_OK ? wait_for_event(yh_call_created_call_id(call), 60) : NULL;
  check(ev != NULL && (yh_event_get_type(ev) == YH_EVENT_NOTIFY_CALL_END ||
                       yh_event_get_type(ev) == YH_EVENT_VERIFY_CALL_END),
        "verify call's end event received");
  yh_event_free(ev);
  yh_call_created_free(call);
  yh_verify_call_free(v);
  yh_error_free(err);
  group_end("notify_call and verify_call");
}

static void test_server_errors(yh_client *c) {
  group("api and auth errors from the server");
  yh_error *err = NULL;
  yh_result r = yh_client_cancel_duo_callback(c, "0123456789abcdef0123456789abcdef", &err);
  check(str_eq(yh_error_code(err), "020000") && yh_error_status(err) == 200, "api: code %s status %u",
        show(yh_error_code(err)), yh_error_status(err));
  check(yh_error_message(err) && strstr(yh_error_message(err), "020000"), "api: the message names the code");
  check(str_eq(yh_error_platform_message(err), "呼叫不存在"), "api: the server's own msg, got %s",
        show(yh_error_platform_message(err)));
  check_error(r, err, YH_ERR_API, "api", NULL, "cancel of an unknown call");

  yh_client_builder *b = NULL;
  yh_client *bad = NULL;
  yh_client_builder_new(getenv("YUNHUNI_APP_ID"), getenv("YUNHUNI_CERT_ID"), "0000000000000000000000000000000f", &b,
                        NULL);
  yh_client_builder_set_base_url(b, getenv("YUNHUNI_BASE_URL"), NULL);
  yh_client_builder_build(b, &bad, NULL);
  yh_duo_callback *d = NULL;
  yh_duo_callback_new("13800000001", "13800000002", 60, &d, NULL);
  yh_call_created *call = SENTINEL;
  err = NULL;
  r = yh_client_duo_callback(bad, d, &call, &err);
  check(yh_error_status(err) == 401 && yh_error_code(err) == NULL, "auth: status %u", yh_error_status(err));
  check(yh_error_message(err) && strstr(yh_error_message(err), "0000000000000000000000000000000f") == NULL,
        "auth: the message does not contain the secret");
  check_error(r, err, YH_ERR_AUTH, "auth", NULL, "wrong secret key");
  check(call == SENTINEL, "no call written");
  yh_duo_callback_free(d);
  yh_client_free(bad);
  yh_client_builder_free(b);
  group_end("api and auth errors from the server");
}

/* ---- two threads, one client ----------------------------------------------------------- */

#define PER_THREAD 5

typedef struct {
  const yh_client *client;
  int index;
  char *ids[PER_THREAD];
  int api_errors;
} worker;

static void *work(void *arg) {
  worker *w = arg;
  for (int i = 0; i < PER_THREAD; i++) {
    char ud[32];
    snprintf(ud, sizeof ud, "thread-%d-%d", w->index, i);
    w->ids[i] = place(w->client, "13800000031", "13800000032", 0, ud);
    yh_error *err = NULL;
    if (yh_client_cancel_duo_callback(w->client, "ffffffffffffffffffffffffffffffff", &err) == YH_ERR_API &&
        str_eq(yh_error_code(err), "020000")) {
      w->api_errors++;
    }
    yh_error_free(err);
  }
  return NULL;
}

static void test_threads(void) {
  group("two threads share one client");
  yh_client *c = from_env();
  worker w[2];
  pthread_t th[2];
  for (int t = 0; t < 2; t++) {
    memset(&w[t], 0, sizeof w[t]);
    w[t].client = c;
    w[t].index = t;
    pthread_create(&th[t], NULL, work, &w[t]);
  }
  for (int t = 0; t < 2; t++) pthread_join(th[t], NULL);
  int placed = 0;
  for (int t = 0; t < 2; t++) {
    check(w[t].api_errors == PER_THREAD, "thread %d: every concurrent api error came back as such", t);
    for (int i = 0; i < PER_THREAD; i++) {
      if (w[t].ids[i]) placed++;
      for (int u = 0; u < 2; u++)
        for (int j = 0; j < PER_THREAD; j++)
          if ((u != t || j != i) && w[t].ids[i] && w[u].ids[j]) check(strcmp(w[t].ids[i], w[u].ids[j]) != 0, "ids differ");
    }
  }
  check(placed == 2 * PER_THREAD, "%d calls placed from two threads", placed);
  for (int t = 0; t < 2; t++) {
    for (int i = 0; i < PER_THREAD; i++) {
      if (!w[t].ids[i]) continue;
      yh_event *ev = wait_for_event(w[t].ids[i], 60);
      const char *ud = NULL;
      char want[32];
      snprintf(want, sizeof want, "thread-%d-%d", t, i);
      check(ev != NULL && yh_event_duo_user_data(ev, &ud) == YH_OK && str_eq(ud, want), "end event of %s", want);
      yh_event_free(ev);
      free(w[t].ids[i]);
    }
  }
  yh_client_free(c);
  group_end("two threads share one client");
}

int main(int argc, char **argv) {
  if (argc != 2 || getenv("YUNHUNI_BASE_URL") == NULL) {
    fprintf(stderr, "usage: YUNHUNI_*=... %s HOOK_PORT\n", argv[0]);
    return 2;
  }
  hooks = stub_start(atoi(argv[1]), STUB_ANSWER, "200 OK", "");
  test_from_env();
  yh_client *c = from_env();
  test_duo_callback(c);
  test_reserved_numbers(c);
  test_cancel(c);
  test_notify_and_verify(c);
  test_server_errors(c);
  yh_client_free(c);
  test_threads();
  stub_stop(hooks);
  return finish("test_sandbox");
}
