/* The webhook receiver through the C API: settings refused by name, the URL token (absent,
 * wrong, right, percent-encoded, non-UTF-8), sizes before and after reading (a declared 100 MB,
 * a real 2 MiB body), bodies that are empty, not JSON or Latin-1, the delivery's event read with
 * the yh_event_* accessors, duplicates and release, the memory store's entry bound, one
 * receiver shared by four threads, a receiver without a store, NULL everywhere.
 *
 *   test_webhook
 */
#include "testlib.h"

static const char END[] =
    "{\"end_time\":1490930460000,\"begin_time\":1490930400000,\"action\":\"event_notify\","
    "\"id\":\"8a2bc6725b1d2e3f015b1d2f40a10001\",\"answer_time2\":1490930420000,\"user_data\":\"order-42\","
    "\"event\":\"duo_callback.end\",\"answer_time1\":1490930410000,\"hangup_by\":\"1\"}";

static yh_webhook_receiver *make(const char *token, size_t capacity, uint32_t store) {
  yh_webhook_receiver *r = NULL;
  yh_error *err = NULL;
  yh_result rc = yh_webhook_receiver_new(token, NULL, 0, store, capacity, 0, &r, &err);
  check(rc == YH_OK && r != NULL, "yh_webhook_receiver_new: %d %s", (int)rc, show(yh_error_message(err)));
  yh_error_free(err);
  return r;
}

/* Receives `body`; the delivery on success, else NULL with the error's status in *status. */
static yh_webhook_delivery *receive(yh_webhook_receiver *r, const char *query, const char *body, size_t len,
                                    uint16_t *status, yh_result *rc_out) {
  yh_webhook_delivery *d = NULL;
  yh_error *err = NULL;
  yh_result rc = yh_webhook_receive(r, query, (const uint8_t *)body, len, &d, &err);
  if (status) *status = rc == YH_OK ? yh_webhook_delivery_status(d) : yh_error_status(err);
  if (rc_out) *rc_out = rc;
  yh_error_free(err);
  return d;
}

static void settings(void) {
  group("settings");
  yh_webhook_receiver *r = NULL;
  yh_error *err = NULL;
  yh_result rc = yh_webhook_receiver_new("", NULL, 0, YH_WEBHOOK_STORE_MEMORY, 0, 0, &r, &err);
  check_error(rc, err, YH_ERR_VALIDATION, "validation", "token", "empty token");
  char long_token[300];
  memset(long_token, 'x', sizeof long_token - 1);
  long_token[sizeof long_token - 1] = '\0';
  err = NULL;
  rc = yh_webhook_receiver_new(long_token, NULL, 0, YH_WEBHOOK_STORE_MEMORY, 0, 0, &r, &err);
  check_error(rc, err, YH_ERR_VALIDATION, "validation", "token", "299-byte token");
  err = NULL;
  rc = yh_webhook_receiver_new("\xff\xfe", NULL, 0, YH_WEBHOOK_STORE_MEMORY, 0, 0, &r, &err);
  check_error(rc, err, YH_ERR_INVALID_UTF8, "validation", "token", "non-UTF-8 token");
  err = NULL;
  rc = yh_webhook_receiver_new("k", "a b", 0, YH_WEBHOOK_STORE_MEMORY, 0, 0, &r, &err);
  check_error(rc, err, YH_ERR_VALIDATION, "validation", "token_param", "token_param with a space");
  err = NULL;
  rc = yh_webhook_receiver_new(NULL, NULL, 2 * 1024 * 1024, YH_WEBHOOK_STORE_MEMORY, 0, 0, &r, &err);
  check_error(rc, err, YH_ERR_VALIDATION, "validation", "max_body", "max_body over 1 MiB");
  err = NULL;
  rc = yh_webhook_receiver_new(NULL, NULL, 0, 7, 0, 0, &r, &err);
  check_error(rc, err, YH_ERR_VALIDATION, "validation", "store", "store 7");
  err = NULL;
  rc = yh_webhook_receiver_new(NULL, NULL, 0, YH_WEBHOOK_STORE_MEMORY, SIZE_MAX, 0, &r, &err);
  check_error(rc, err, YH_ERR_VALIDATION, "validation", "capacity", "capacity SIZE_MAX");
  err = NULL;
  rc = yh_webhook_receiver_new(NULL, NULL, 0, YH_WEBHOOK_STORE_MEMORY, 0, UINT64_MAX, &r, &err);
  check_error(rc, err, YH_ERR_VALIDATION, "validation", "ttl_ms", "ttl_ms UINT64_MAX");
  err = NULL;
  rc = yh_webhook_receiver_new(NULL, NULL, 0, YH_WEBHOOK_STORE_MEMORY, 0, 0, NULL, &err);
  check_error(rc, err, YH_ERR_NULL_ARGUMENT, "validation", "receiver_out", "NULL receiver_out");
  check(r == NULL, "no receiver written on failure");
  check(str_eq(yh_webhook_redis_key_prefix(), "yunhuni:webhook:"), "redis key prefix %s",
        show(yh_webhook_redis_key_prefix()));
  check(yh_webhook_default_ttl_ms() == 3600000, "default ttl %llu", (unsigned long long)yh_webhook_default_ttl_ms());
  /* The lease protocol's texts and times, core's (what the PHP stores read). */
  const char *claim = yh_webhook_lease_text("claim");
  check(claim != NULL && strstr(claim, "KEYS[1]") != NULL && strstr(claim, "'NX'") != NULL, "claim script %s", show(claim));
  check(yh_webhook_lease_text("release") != NULL && yh_webhook_lease_text("renew") != NULL
            && yh_webhook_lease_text("complete") != NULL, "the four scripts");
  check(str_eq(yh_webhook_lease_text("pending_prefix"), "p:") && str_eq(yh_webhook_lease_text("done_value"), "d"),
        "pending prefix and done value");
  check(yh_webhook_lease_text("nope") == NULL && yh_webhook_lease_text(NULL) == NULL, "unknown text names: NULL");
  check(yh_webhook_lease_ms("lease") == 2000 && yh_webhook_lease_ms("wait") == 4000 && yh_webhook_lease_ms("poll") == 50
            && yh_webhook_lease_ms("unrenewed_lease") == 10000,
        "lease times %lld %lld", (long long)yh_webhook_lease_ms("lease"), (long long)yh_webhook_lease_ms("wait"));
  check(yh_webhook_lease_ms("nope") == -1 && yh_webhook_lease_ms(NULL) == -1, "unknown time names: -1");
  group_end("settings: each refused value is named");
}

static void token_and_size(void) {
  group("token");
  yh_webhook_receiver *r = make("s3cret/+", 0, YH_WEBHOOK_STORE_MEMORY);
  yh_error *err = NULL;
  yh_result rc = yh_webhook_check_head(r, "", 10, &err);
  check(rc == YH_ERR_AUTH && yh_error_status(err) == 401 && str_eq(yh_error_field(err), "token"),
        "no token: %d %u", (int)rc, yh_error_status(err));
  yh_error_free(err);
  err = NULL;
  rc = yh_webhook_check_head(r, "token=s3cret", 10, &err);
  check(rc == YH_ERR_AUTH && yh_error_status(err) == 403, "wrong token: %d %u", (int)rc, yh_error_status(err));
  check(yh_error_message(err) && !strstr(yh_error_message(err), "s3cret"), "the message does not show the token");
  yh_error_free(err);
  check(yh_webhook_check_head(r, "x=1&token=s3cret%2F%2B", 10, NULL) == YH_OK, "right token, percent-encoded");
  check(yh_webhook_check_head(r, "token=s3cret%2F%2B", -1, NULL) == YH_OK, "no Content-Length");
  check(yh_webhook_check_head(r, "token=\xff\xfe", 10, NULL) == YH_ERR_AUTH, "non-UTF-8 query: refused as a token");
  err = NULL;
  rc = yh_webhook_check_head(r, "token=s3cret%2F%2B", 100000000, &err);
  check(rc == YH_ERR_DECODE && yh_error_status(err) == 413 && str_eq(yh_error_field(err), "body"),
        "100 MB declared: %d %u", (int)rc, yh_error_status(err));
  yh_error_free(err);
  check(yh_webhook_check_head(r, "token=s3cret%2F%2B", INT64_MAX, NULL) == YH_ERR_DECODE, "INT64_MAX declared");
  err = NULL;
  rc = yh_webhook_check_head(NULL, "", 0, &err);
  check_error(rc, err, YH_ERR_NULL_ARGUMENT, "validation", "receiver", "NULL receiver");
  err = NULL;
  rc = yh_webhook_check_head(r, NULL, 0, &err);
  check_error(rc, err, YH_ERR_NULL_ARGUMENT, "validation", "query", "NULL query");

  uint16_t status = 0;
  yh_result got;
  yh_webhook_delivery *d = receive(r, "token=nope", "not json", 8, &status, &got);
  check(d == NULL && got == YH_ERR_AUTH && status == 403, "a wrong token is refused before parsing");
  /* A real 2 MiB body. */
  size_t huge_len = 2 * 1024 * 1024;
  char *huge = malloc(huge_len);
  memset(huge, ' ', huge_len);
  d = receive(r, "token=s3cret%2F%2B", huge, huge_len, &status, &got);
  check(d == NULL && got == YH_ERR_DECODE && status == 413, "2 MiB body: %d %u", (int)got, status);
  free(huge);
  yh_webhook_receiver_free(r);
  group_end("token and size: 401, 403, 413, before and after reading");
}

static void bodies(void) {
  group("bodies");
  yh_webhook_receiver *r = make(NULL, 0, YH_WEBHOOK_STORE_MEMORY);
  uint16_t status = 0;
  yh_result got;
  const char *bad[] = {"", "[1]", "{\"action\":\"event_notify\"}", "\xff\xfe\x01", "{\"event\":\"duo_callback.end\",\"hangup_by\":true}"};
  const char *fields[] = {NULL, NULL, "event", NULL, "hangup_by"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    yh_webhook_delivery *d = NULL;
    yh_error *err = NULL;
    got = yh_webhook_receive(r, "", (const uint8_t *)bad[i], strlen(bad[i]), &d, &err);
    check(got == YH_ERR_DECODE && yh_error_status(err) == 400 && d == NULL, "bad body %zu: %d %u", i, (int)got,
          yh_error_status(err));
    if (fields[i]) check(str_eq(yh_error_field(err), fields[i]), "bad body %zu names %s", i, fields[i]);
    yh_error_free(err);
  }
  /* The empty body through a non-NULL pointer of length 0, and a NULL body. */
  yh_webhook_delivery *d = NULL;
  yh_error *err = NULL;
  got = yh_webhook_receive(r, "", NULL, 0, &d, &err);
  check_error(got, err, YH_ERR_NULL_ARGUMENT, "validation", "body", "NULL body");
  err = NULL;
  got = yh_webhook_receive(r, "", (const uint8_t *)END, strlen(END), NULL, &err);
  check_error(got, err, YH_ERR_NULL_ARGUMENT, "validation", "delivery_out", "NULL delivery_out");

  /* Latin-1, as the platform sends it. */
  const char latin1[] = "{\"event\":\"duo_callback.end\",\"id\":\"x1\",\"user_data\":\"caf\xe9\",\"error\":\"????\"}";
  d = receive(r, "", latin1, strlen(latin1), &status, &got);
  check(d != NULL && status == 200, "Latin-1 body: %d", (int)got);
  const char *user_data = NULL;
  check(yh_event_duo_user_data(yh_webhook_delivery_event(d), &user_data) == YH_OK && str_eq(user_data, "caf\xc3\xa9"),
        "Latin-1 user_data read as UTF-8: %s", show(user_data));
  yh_webhook_delivery_free(d);
  yh_webhook_receiver_free(r);
  group_end("bodies: empty, not JSON, no event, wrong types (400, naming the key), Latin-1");
}

static void deliveries(void) {
  group("deliveries");
  yh_webhook_receiver *r = make(NULL, 0, YH_WEBHOOK_STORE_MEMORY);
  uint16_t status = 0;
  yh_webhook_delivery *d = receive(r, "", END, strlen(END), &status, NULL);
  check(d != NULL, "receive");
  check(status == 200 && str_eq(yh_webhook_delivery_body(d), "ok"), "answer 200 ok");
  check(!yh_webhook_delivery_duplicate(d), "first delivery is new");
  check(!yh_webhook_delivery_to_claim(d), "with a store the receiver claims itself");
  const yh_event *e = yh_webhook_delivery_event(d);
  check(yh_event_get_type(e) == YH_EVENT_DUO_CALLBACK_END, "typed event");
  check(str_eq(yh_event_name(e), "duo_callback.end"), "event name");
  const char *outcome = NULL;
  check(yh_event_duo_outcome(e, &outcome) == YH_OK && str_eq(outcome, "connected"), "outcome %s", show(outcome));
  const char *key = yh_webhook_delivery_key(d);
  check(key && strncmp(key, "duo_callback.end:8a2bc6725b1d2e3f015b1d2f40a10001:", 50) == 0 && strlen(key) == 66,
        "key %s", show(key));
  char saved[200];
  snprintf(saved, sizeof saved, "%s", show(key));

  yh_webhook_delivery *again = receive(r, "", END, strlen(END), &status, NULL);
  check(again && yh_webhook_delivery_duplicate(again) && status == 200, "the re-send is a duplicate, answered 200");
  check(again && str_eq(yh_webhook_delivery_key(again), saved), "same key");
  yh_webhook_delivery_free(again);
  check(yh_webhook_release(r, saved, NULL) == YH_OK, "release");
  again = receive(r, "", END, strlen(END), &status, NULL);
  check(again && !yh_webhook_delivery_duplicate(again), "after release the re-send is new");
  yh_webhook_delivery_free(again);
  yh_webhook_delivery_free(d);

  yh_error *err = NULL;
  yh_result rc = yh_webhook_release(r, NULL, &err);
  check_error(rc, err, YH_ERR_NULL_ARGUMENT, "validation", "key", "release NULL key");
  err = NULL;
  rc = yh_webhook_release(r, "\xff", &err);
  check_error(rc, err, YH_ERR_INVALID_UTF8, "validation", "key", "release non-UTF-8 key");

  /* NULL objects. */
  check(yh_webhook_delivery_event(NULL) == NULL && yh_webhook_delivery_key(NULL) == NULL &&
            yh_webhook_delivery_body(NULL) == NULL && yh_webhook_delivery_status(NULL) == 0 &&
            !yh_webhook_delivery_duplicate(NULL) && !yh_webhook_delivery_to_claim(NULL),
        "accessors of NULL");
  yh_webhook_delivery_free(NULL);
  yh_webhook_receiver_free(NULL);
  yh_webhook_receiver_free(r);

  /* Without a store every delivery is new, its key for the caller to claim (but not ivr_start's). */
  r = make(NULL, 0, YH_WEBHOOK_STORE_NONE);
  for (int i = 0; i < 2; i++) {
    d = receive(r, "", END, strlen(END), &status, NULL);
    check(d && !yh_webhook_delivery_duplicate(d), "no store: delivery %d is new", i);
    check(d && yh_webhook_delivery_to_claim(d), "no store: delivery %d to claim", i);
    yh_webhook_delivery_free(d);
  }
  const char start[] = "{\"action\":\"ivr_start\",\"call_id\":\"c2\",\"from\":\"1\",\"to\":\"2\"}";
  d = receive(r, "", start, strlen(start), &status, NULL);
  check(d && yh_event_get_type(yh_webhook_delivery_event(d)) == YH_EVENT_IVR_START && !yh_webhook_delivery_to_claim(d),
        "no store: ivr_start is not to claim");
  yh_webhook_delivery_free(d);
  check(yh_webhook_release(r, "anything", NULL) == YH_OK, "no store: release is a no-op");
  yh_webhook_receiver_free(r);
  group_end("deliveries: event via yh_event_*, key, duplicate, release, NULL, no store");
}

static void bounded(void) {
  group("bounded");
  yh_webhook_receiver *r = make(NULL, 10, YH_WEBHOOK_STORE_MEMORY);
  char body[200];
  for (int i = 0; i < 100; i++) {
    snprintf(body, sizeof body, "{\"event\":\"conf.end\",\"id\":\"c%d\"}", i);
    yh_webhook_delivery *d = receive(r, "", body, strlen(body), NULL, NULL);
    check(d && !yh_webhook_delivery_duplicate(d), "distinct %d is new", i);
    yh_webhook_delivery_free(d);
  }
  snprintf(body, sizeof body, "{\"event\":\"conf.end\",\"id\":\"c99\"}");
  yh_webhook_delivery *d = receive(r, "", body, strlen(body), NULL, NULL);
  check(d && yh_webhook_delivery_duplicate(d), "the newest is remembered");
  yh_webhook_delivery_free(d);
  snprintf(body, sizeof body, "{\"event\":\"conf.end\",\"id\":\"c0\"}");
  d = receive(r, "", body, strlen(body), NULL, NULL);
  check(d && !yh_webhook_delivery_duplicate(d), "the oldest is forgotten past 10 entries");
  yh_webhook_delivery_free(d);
  yh_webhook_receiver_free(r);
  group_end("the memory store holds at most `capacity` entries");
}

static yh_webhook_receiver *shared;
static int firsts;

static void *worker(void *arg) {
  (void)arg;
  char body[100];
  for (int i = 0; i < 50; i++) {
    snprintf(body, sizeof body, "{\"event\":\"ivr.call_end\",\"id\":\"call%d\"}", i);
    yh_webhook_delivery *d = receive(shared, "", body, strlen(body), NULL, NULL);
    check(d != NULL, "thread receive %d", i);
    if (d && !yh_webhook_delivery_duplicate(d)) __atomic_add_fetch(&firsts, 1, __ATOMIC_SEQ_CST);
    yh_webhook_delivery_free(d);
  }
  return NULL;
}

static void threads(void) {
  group("threads");
  shared = make(NULL, 0, YH_WEBHOOK_STORE_MEMORY);
  pthread_t t[4];
  for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, NULL);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  check(firsts == 50, "4 threads x 50 deliveries: %d handled as new (want 50)", firsts);
  yh_webhook_receiver_free(shared);
  group_end("one receiver shared by 4 threads: each delivery new exactly once");
}

int main(void) {
  settings();
  token_and_size();
  bodies();
  deliveries();
  bounded();
  threads();
  return finish("test_webhook");
}
