/* The C API under hostile input and hostile servers: huge and zero timeouts (client and per
 * request) refused naming the setting; yh_error_maybe_sent after a connection reset in the
 * middle of the response (true), a refused port (false) and the other kinds; the request log
 * callback (fields, calling thread, user pointer, two threads) and YUNHUNI_LOG on stderr (run in
 * child processes); proxies (explicit, from HTTP_PROXY, none); a server that closes keep-alive
 * connections after each response; and bounded fuzzing with a fixed seed: mutated event bodies
 * through yh_event_parse, random operations, field names, values and setter types through
 * yh_request_* and yh_client_send against a recording stub.
 *
 *   test_hardening EVENTS_TSV REQUESTS_BY_NAME_TSV
 *   test_hardening --log-child MODE PORT      (run by the test itself, with YUNHUNI_LOG set)
 */
#include "testlib.h"

#include <sys/wait.h>

#define SENTINEL ((void *)(uintptr_t)0x5e17)

static const char *APP = "b0a5d1e5a2c64f0e9a7e3c1d5f000001";
static const char *CERT = "c3e7a9f1d2b44e8c8a6b1f0e2d000001";
static const char *SECRET = "5d8f2a7c9e1b4d6fa3c0e8b7d9000001";
static const char *CALL_ID = "0123456789abcdef0123456789abcdef";
static const char *OK_BODY =
    "{\"code\":\"000000\",\"msg\":\"ok\",\"data\":{\"callId\":\"0123456789abcdef0123456789abcdef\",\"user_data\":null}}";
/* A minimal end event, parsed by the log children. */
static const char *EVENT_BODY = "{\"event\":\"duo_callback.end\",\"id\":\"feedfacefeedfacefeedfacefeedface\"}";

static const char *argv0;

/* Runs CALL (which writes to `e_`) and checks a validation-kind failure WANT naming FIELD. */
#define ARG_CASE(WANT, FIELD, CALL)                             \
  do {                                                          \
    yh_error *e_ = NULL;                                        \
    yh_result r_ = (CALL);                                      \
    check_error(r_, e_, (WANT), "validation", (FIELD), #CALL); \
  } while (0)

/* ---- helpers ---------------------------------------------------------------------------- */

/* The HTTP response of a success, with or without `Connection: close`. */
static char *ok_response(bool close_header) {
  char *out = NULL;
  size_t n = strlen(OK_BODY) + 200;
  out = malloc(n);
  snprintf(out, n, "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: %zu\r\n%s\r\n%s",
           strlen(OK_BODY), close_header ? "Connection: close\r\n" : "", OK_BODY);
  return out;
}

static yh_client_builder *builder_for(const char *base_url, uint64_t timeout_ms) {
  yh_client_builder *b = NULL;
  yh_error *err = NULL;
  if (yh_client_builder_new(APP, CERT, SECRET, &b, &err) != YH_OK ||
      yh_client_builder_set_base_url(b, base_url, &err) != YH_OK ||
      yh_client_builder_set_timeout_ms(b, timeout_ms, &err) != YH_OK ||
      yh_client_builder_set_connect_timeout_ms(b, timeout_ms < 5000 ? timeout_ms : 5000, &err) != YH_OK) {
    printf("FAIL cannot make settings for %s: %s\n", base_url, show(yh_error_message(err)));
    exit(2);
  }
  return b;
}

static yh_client *build(yh_client_builder *b) {
  yh_client *c = NULL;
  yh_error *err = NULL;
  if (yh_client_builder_build(b, &c, &err) != YH_OK) {
    printf("FAIL cannot build a client: %s\n", show(yh_error_message(err)));
    exit(2);
  }
  return c;
}

static yh_client *client_for(const char *base_url, uint64_t timeout_ms) {
  yh_client_builder *b = builder_for(base_url, timeout_ms);
  yh_client *c = build(b);
  yh_client_builder_free(b);
  return c;
}

/* A voice callback request by name, with `user_data` set when not NULL. */
static yh_request *duo_request(const char *to2, const char *user_data) {
  yh_request *r = NULL;
  if (yh_request_new("duo_callback", &r, NULL) != YH_OK || yh_request_set_str(r, "to1", "13800000001", NULL) != YH_OK ||
      yh_request_set_str(r, "to2", to2, NULL) != YH_OK || yh_request_set_int(r, "max_call_duration", 600, NULL) != YH_OK ||
      (user_data != NULL && yh_request_set_str(r, "user_data", user_data, NULL) != YH_OK)) {
    printf("FAIL cannot make a duo_callback request\n");
    exit(2);
  }
  return r;
}

/* Sends `r` through `c` (with `options` when not NULL); frees any response; returns the result
 * and the error (or NULL). */
static yh_result send_req(yh_client *c, yh_request *r, yh_call_options *options, yh_error **err) {
  yh_response *resp = NULL;
  *err = NULL;
  yh_result res = options ? yh_client_send_with(c, r, options, &resp, err) : yh_client_send(c, r, &resp, err);
  yh_response_free(resp);
  return res;
}

static bool contains(const char *haystack, const char *needle) {
  return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

static char *closed_url(void) {
  char *url = malloc(64);
  snprintf(url, 64, "http://127.0.0.1:%d", closed_port());
  return url;
}

/* ---- 1. timeouts ------------------------------------------------------------------------ */

static void test_client_timeouts(void) {
  group("client timeouts: huge and zero ones refused naming the setting, never a panic");
  struct {
    const char *what;
    uint64_t timeout, connect;
    const char *field;
  } cases[] = {
      {"timeout UINT64_MAX ms", UINT64_MAX, 5000, "timeout"},
      {"timeout 24 h + 1 ms", 86400001, 5000, "timeout"},
      {"timeout 0", 0, 5000, "timeout"},
      {"connect timeout UINT64_MAX ms", 30000, UINT64_MAX, "connect_timeout"},
      {"connect timeout 0", 30000, 0, "connect_timeout"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    yh_client_builder *b = NULL;
    yh_error *err = NULL;
    yh_client_builder_new(APP, CERT, SECRET, &b, NULL);
    check(yh_client_builder_set_timeout_ms(b, cases[i].timeout, &err) == YH_OK, "%s: set_timeout_ms", cases[i].what);
    check(yh_client_builder_set_connect_timeout_ms(b, cases[i].connect, &err) == YH_OK, "%s: set_connect_timeout_ms",
          cases[i].what);
    yh_client *c = SENTINEL;
    yh_result r = yh_client_builder_build(b, &c, &err);
    check(c == SENTINEL, "%s: no client written", cases[i].what);
    check(contains(yh_error_message(err), "24 hours"), "%s: the message says the limit: %s", cases[i].what,
          show(yh_error_message(err)));
    check_error(r, err, YH_ERR_VALIDATION, "validation", cases[i].field, cases[i].what);
    yh_client_builder_free(b);
  }
  yh_client_builder *b = NULL;
  yh_client_builder_new(APP, CERT, SECRET, &b, NULL);
  yh_client_builder_set_timeout_ms(b, 86400000, NULL);
  yh_client *c = NULL;
  check(yh_client_builder_build(b, &c, NULL) == YH_OK && c != NULL, "a timeout of exactly 24 h is taken");
  yh_client_free(c);
  yh_client_builder_free(b);
  group_end("client timeouts: huge and zero ones refused naming the setting, never a panic");
}

static void test_call_timeouts(void) {
  group("per-request timeout: yh_client_send_with and yh_call_options");
  char *resp = ok_response(true);
  stub *s = stub_start_raw(0, STUB_ANSWER, resp);
  char url[64];
  stub_url(s, url, sizeof url);
  yh_client *c = client_for(url, 10000);
  yh_request *r = duo_request("13800000002", NULL);
  yh_call_options *o = NULL;
  yh_error *err = NULL;
  check(yh_call_options_new(&o, &err) == YH_OK && o != NULL, "yh_call_options_new");
  check(send_req(c, r, o, &err) == YH_OK && stub_count(s) == 1, "options with nothing set: the client's apply (%s)",
        show(yh_error_message(err)));
  yh_error_free(err);

  uint64_t refused[] = {UINT64_MAX, 86400001, 0};
  for (size_t i = 0; i < 3; i++) {
    check(yh_call_options_set_timeout_ms(o, refused[i], NULL) == YH_OK, "set_timeout_ms %llu",
          (unsigned long long)refused[i]);
    int before = stub_count(s);
    yh_result res = send_req(c, r, o, &err);
    check(!yh_error_maybe_sent(err), "timeout %llu ms: not maybe sent", (unsigned long long)refused[i]);
    check_error(res, err, YH_ERR_VALIDATION, "validation", "timeout", "a per-request timeout out of range");
    check(stub_count(s) == before, "timeout %llu ms: nothing sent", (unsigned long long)refused[i]);
  }
  yh_response *out = SENTINEL;
  ARG_CASE(YH_ERR_NULL_ARGUMENT, "options", yh_client_send_with(c, r, NULL, &out, &e_)); /* send_with NULL options */
  check(out == SENTINEL, "send_with NULL options writes nothing");
  ARG_CASE(YH_ERR_NULL_ARGUMENT, "options", yh_call_options_set_timeout_ms(NULL, 5, &e_)); /* set_timeout_ms NULL */
  ARG_CASE(YH_ERR_NULL_ARGUMENT, "options_out", yh_call_options_new(NULL, &e_)); /* yh_call_options_new NULL */
  yh_call_options_free(NULL);
  yh_client_free(c);
  stub_stop(s);

  /* Shorter than the client's: a server that never answers is given up on after 300 ms. */
  s = stub_start(0, STUB_HANG, NULL, NULL);
  stub_url(s, url, sizeof url);
  c = client_for(url, 30000);
  yh_call_options_set_timeout_ms(o, 300, NULL);
  double t0 = now_s();
  yh_result res = send_req(c, r, o, &err);
  double took = now_s() - t0;
  check(took < 10.0, "a 300 ms per-request timeout gave up after %.1f s (client: 30 s)", took);
  check(yh_error_maybe_sent(err), "a timeout after the request was written: maybe sent");
  check(contains(yh_error_message(err), "300ms"), "the message names the real limit: %s", show(yh_error_message(err)));
  check_error(res, err, YH_ERR_TIMEOUT, "timeout", NULL, "per-request timeout");
  yh_client_free(c);
  stub_stop(s);

  /* Longer than the client's: a server answering after 700 ms. */
  s = stub_start_raw(0, STUB_ANSWER, resp);
  s->delay_ms = 700;
  stub_url(s, url, sizeof url);
  c = client_for(url, 300);
  res = send_req(c, r, NULL, &err);
  check_error(res, err, YH_ERR_TIMEOUT, "timeout", NULL, "the client's 300 ms timeout");
  yh_call_options_set_timeout_ms(o, 10000, NULL);
  res = send_req(c, r, o, &err);
  check(res == YH_OK, "a 10 s per-request timeout outlasts the client's 300 ms (%s)", show(yh_error_message(err)));
  yh_error_free(err);
  yh_client_free(c);
  stub_stop(s);
  yh_call_options_free(o);
  yh_request_free(r);
  free(resp);
  group_end("per-request timeout: yh_client_send_with and yh_call_options");
}

/* ---- 2. maybe_sent ---------------------------------------------------------------------- */

static void test_maybe_sent(void) {
  group("yh_error_maybe_sent: reset mid-response true, refused port false");
  char *resp = ok_response(true);
  stub *s = stub_start_raw(0, STUB_RESET, resp);
  char url[64];
  stub_url(s, url, sizeof url);
  yh_client *c = client_for(url, 10000);
  yh_request *r = duo_request("13800000002", "reset-1");
  yh_error *err = NULL;
  yh_result res = send_req(c, r, NULL, &err);
  check(yh_error_maybe_sent(err), "reset mid-response: maybe sent (%s)", show(yh_error_message(err)));
  check(contains(yh_error_message(err), "may have reached the server"), "reset: the message says so: %s",
        show(yh_error_message(err)));
  check_error(res, err, YH_ERR_TRANSPORT, "transport", NULL, "reset mid-response");
  check(stub_count(s) == 1, "reset: the request was received once (%d)", stub_count(s));

  /* The typed send and the cancel carry it too. */
  yh_call_created *call = SENTINEL;
  err = NULL;
  res = yh_client_duo_callback(c, r, &call, &err);
  check(res == YH_ERR_TRANSPORT && yh_error_maybe_sent(err) && call == SENTINEL, "yh_client_duo_callback: maybe sent");
  yh_error_free(err);
  err = NULL;
  res = yh_client_cancel_duo_callback(c, CALL_ID, &err);
  check(res == YH_ERR_TRANSPORT && yh_error_maybe_sent(err), "yh_client_cancel_duo_callback: maybe sent");
  yh_error_free(err);
  check(stub_count(s) == 3, "each was received once (%d)", stub_count(s));
  yh_client_free(c);
  stub_stop(s);

  char *closed = closed_url();
  c = client_for(closed, 3000);
  res = send_req(c, r, NULL, &err);
  check(!yh_error_maybe_sent(err), "refused port: not maybe sent");
  check(!contains(yh_error_message(err), "may have reached"), "refused port: the message does not say so: %s",
        show(yh_error_message(err)));
  check_error(res, err, YH_ERR_TRANSPORT, "transport", NULL, "refused port");
  yh_client_free(c);
  free(closed);

  s = stub_start(0, STUB_ANSWER, "200 OK", "{\"code\":\"030500\",\"msg\":\"same\",\"data\":null}");
  stub_url(s, url, sizeof url);
  c = client_for(url, 5000);
  res = send_req(c, r, NULL, &err);
  check(res == YH_ERR_API && !yh_error_maybe_sent(err), "api error: not maybe sent (it was answered)");
  yh_error_free(err);
  yh_request *same = duo_request("13800000001", NULL);
  res = send_req(c, same, NULL, &err);
  check(res == YH_ERR_VALIDATION && !yh_error_maybe_sent(err), "validation error: not maybe sent");
  yh_error_free(err);
  yh_request_free(same);
  check(!yh_error_maybe_sent(NULL), "yh_error_maybe_sent(NULL) is false");
  yh_client_free(c);
  stub_stop(s);
  yh_request_free(r);
  free(resp);
  group_end("yh_error_maybe_sent: reset mid-response true, refused port false");
}

/* ---- 3. the request log ----------------------------------------------------------------- */

typedef struct {
  int calls;
  bool same_thread;
  pthread_t thread;
  char line[512];
  char method[8];
  char path[256];
  uint16_t status;
  char code[16];
  char kind[16];
  bool code_null, kind_null;
  uint64_t us;
  uint32_t attempts;
} log_seen;

static void copy(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src ? src : ""); }

static void on_log(const yh_request_log *log, void *user) {
  log_seen *seen = user;
  seen->calls++;
  seen->same_thread = pthread_equal(pthread_self(), seen->thread);
  copy(seen->line, sizeof seen->line, yh_request_log_line(log));
  copy(seen->method, sizeof seen->method, yh_request_log_method(log));
  copy(seen->path, sizeof seen->path, yh_request_log_path(log));
  seen->status = yh_request_log_status(log);
  seen->code_null = yh_request_log_code(log) == NULL;
  copy(seen->code, sizeof seen->code, yh_request_log_code(log));
  seen->kind_null = yh_request_log_error_kind(log) == NULL;
  copy(seen->kind, sizeof seen->kind, yh_request_log_error_kind(log));
  seen->us = yh_request_log_duration_us(log);
  seen->attempts = yh_request_log_attempts(log);
}

/* Counts calls per thread: the callback must run on the thread that sent. */
static __thread int t_log_calls = 0;
static int all_log_calls = 0;
static void on_log_count(const yh_request_log *log, void *user) {
  (void)user;
  if (yh_request_log_line(log) != NULL) t_log_calls++;
  pthread_mutex_lock(&t_lock);
  all_log_calls++;
  pthread_mutex_unlock(&t_lock);
}

typedef struct {
  yh_client *client;
  int ok;
  int own_calls;
} log_worker;

static void *log_thread(void *arg) {
  log_worker *w = arg;
  yh_request *r = duo_request("13800000002", NULL);
  for (int i = 0; i < 3; i++) {
    yh_error *err = NULL;
    if (send_req(w->client, r, NULL, &err) == YH_OK) w->ok++;
    yh_error_free(err);
  }
  w->own_calls = t_log_calls;
  yh_request_free(r);
  return NULL;
}

static void test_log_callback(void) {
  group("request log: a callback on the calling thread, every field, never a secret");
  char *resp = ok_response(true);
  stub *s = stub_start_raw(0, STUB_ANSWER, resp);
  char url[64];
  stub_url(s, url, sizeof url);
  log_seen seen;
  memset(&seen, 0, sizeof seen);
  seen.thread = pthread_self();
  yh_client_builder *b = builder_for(url, 5000);
  check(yh_client_builder_set_log(b, on_log, &seen, NULL) == YH_OK, "yh_client_builder_set_log");
  yh_client *c = build(b);
  yh_request *r = duo_request("13800000002", "log-1");
  yh_error *err = NULL;
  check(send_req(c, r, NULL, &err) == YH_OK, "a request with a callback set succeeds");
  check(seen.calls == 1 && seen.same_thread, "called once, on the sending thread (%d calls)", seen.calls);
  check(str_eq(seen.method, "POST") && str_eq(seen.path, "call/duo_callback"), "method and path: %s %s", seen.method,
        seen.path);
  check(seen.status == 200 && str_eq(seen.code, "000000") && seen.kind_null, "status 200, code 000000, no error kind");
  check(seen.attempts == 1 && seen.us > 0 && seen.us < 30000000, "one attempt, %llu us", (unsigned long long)seen.us);
  check(strncmp(seen.line, "POST call/duo_callback -> 200 000000 in ", 40) == 0 && contains(seen.line, " ms"),
        "the line: %s", seen.line);
  char *signature = stub_header(s, 0, "Signature");
  check(signature != NULL && !contains(seen.line, signature) && !contains(seen.line, SECRET),
        "no secret key, no signature in the line");
  free(signature);

  /* A query string, GET. */
  yh_request *list = NULL;
  yh_request_new("ext_list", &list, NULL);
  yh_request_set_int(list, "page_no", 2, NULL);
  check(send_req(c, list, NULL, &err) == YH_OK, "ext_list succeeds");
  char *line = stub_request_line(s, 1);
  char want[300];
  snprintf(want, sizeof want, "GET /v1/account/%s/%s HTTP/1.1", CERT, seen.path);
  check(seen.calls == 2 && str_eq(seen.method, "GET") && str_eq(line, want) && contains(seen.path, "?pageNo=2"),
        "GET with its query: %s (the stub saw %s)", seen.path, show(line));
  free(line);
  yh_request_free(list);

  /* Refused before sending: not logged. */
  yh_request *same = duo_request("13800000001", NULL);
  check(send_req(c, same, NULL, &err) == YH_ERR_VALIDATION && seen.calls == 2, "a refused request is not logged");
  yh_error_free(err);
  yh_request_free(same);
  yh_client_free(c);
  stub_stop(s);

  /* An api error. */
  s = stub_start(0, STUB_ANSWER, "200 OK", "{\"code\":\"030500\",\"msg\":\"same\",\"data\":null}");
  stub_url(s, url, sizeof url);
  check(yh_client_builder_set_base_url(b, url, NULL) == YH_OK, "set_base_url");
  c = build(b);
  check(send_req(c, r, NULL, &err) == YH_ERR_API, "api error");
  yh_error_free(err);
  check(seen.calls == 3 && seen.status == 200 && str_eq(seen.code, "030500") && str_eq(seen.kind, "api"),
        "api error logged: %s", seen.line);
  yh_client_free(c);
  stub_stop(s);

  /* No answer, connect retries. */
  char *closed = closed_url();
  yh_client_builder_set_base_url(b, closed, NULL);
  yh_client_builder_set_connect_retries(b, 2, NULL);
  c = build(b);
  check(send_req(c, r, NULL, &err) == YH_ERR_TRANSPORT, "transport error");
  yh_error_free(err);
  check(seen.calls == 4 && seen.status == 0 && seen.code_null && str_eq(seen.kind, "transport") && seen.attempts == 3,
        "transport logged with 3 attempts: %s", seen.line);
  check(contains(seen.line, "no answer") && contains(seen.line, "(transport error)") &&
            contains(seen.line, "after 3 attempts"),
        "the line says so: %s", seen.line);
  yh_client_free(c);
  free(closed);

  /* Removed: clients built afterwards call nothing. */
  check(yh_client_builder_set_log(b, NULL, NULL, NULL) == YH_OK, "set_log NULL removes the callback");
  c = build(b);
  check(send_req(c, r, NULL, &err) == YH_ERR_TRANSPORT && seen.calls == 4, "no callback after removal");
  yh_error_free(err);
  yh_client_free(c);
  yh_client_builder_free(b);

  /* Two threads sharing one client: each call on the thread that sent. */
  s = stub_start_raw(0, STUB_ANSWER, resp);
  stub_url(s, url, sizeof url);
  b = builder_for(url, 10000);
  yh_client_builder_set_log(b, on_log_count, NULL, NULL);
  c = build(b);
  yh_client_builder_free(b);
  log_worker w[2] = {{c, 0, 0}, {c, 0, 0}};
  pthread_t th[2];
  for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, log_thread, &w[i]);
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  check(w[0].ok == 3 && w[1].ok == 3, "two threads: 3 and 3 requests succeed (%d, %d)", w[0].ok, w[1].ok);
  check(w[0].own_calls == 3 && w[1].own_calls == 3 && all_log_calls == 6 && t_log_calls == 0,
        "each thread's requests logged on that thread (%d, %d of %d)", w[0].own_calls, w[1].own_calls, all_log_calls);
  yh_client_free(c);
  stub_stop(s);

  /* NULL. */
  ARG_CASE(YH_ERR_NULL_ARGUMENT, "builder", yh_client_builder_set_log(NULL, on_log, NULL, &e_)); /* set_log NULL builder */
  check(yh_request_log_line(NULL) == NULL && yh_request_log_method(NULL) == NULL && yh_request_log_path(NULL) == NULL &&
            yh_request_log_code(NULL) == NULL && yh_request_log_error_kind(NULL) == NULL &&
            yh_request_log_status(NULL) == 0 && yh_request_log_duration_us(NULL) == 0 &&
            yh_request_log_attempts(NULL) == 0,
        "accessors of a NULL log give NULL and 0");
  yh_request_free(r);
  free(resp);
  group_end("request log: a callback on the calling thread, every field, never a secret");
}

/* The child: one request to the stub on PORT, one event parsed; MODE "callback" sets one. */
static void on_log_quiet(const yh_request_log *log, void *user) {
  (void)log;
  (*(int *)user)++;
}

static int log_child(const char *mode, const char *port) {
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%s", port);
  int calls = 0;
  yh_client_builder *b = builder_for(url, 5000);
  if (strcmp(mode, "callback") == 0) yh_client_builder_set_log(b, on_log_quiet, &calls, NULL);
  yh_client *c = build(b);
  yh_client_builder_free(b);
  yh_request *r = duo_request("13800000002", "child");
  yh_error *err = NULL;
  yh_result res = send_req(c, r, NULL, &err);
  yh_error_free(err);
  yh_request_free(r);
  yh_client_free(c);
  yh_event *e = NULL;
  yh_result parsed = yh_event_parse((const uint8_t *)EVENT_BODY, strlen(EVENT_BODY), &e, NULL);
  yh_event_free(e);
  printf("sent %d parsed %d calls %d\n", (int)res, (int)parsed, calls);
  return res == YH_OK && parsed == YH_OK ? 0 : 1;
}

/* Runs this program as a log child with YUNHUNI_LOG set to `level` (NULL: unset); returns its
 * stderr (to free) and writes its stdout to `out`. */
static char *run_child(const char *mode, int port, const char *level, char *out, size_t out_n) {
  char port_s[16];
  snprintf(port_s, sizeof port_s, "%d", port);
  extern char **environ;
  size_t n = 0;
  while (environ[n]) n++;
  char **env = calloc(n + 2, sizeof *env);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (strncmp(environ[i], "YUNHUNI_LOG=", 12) != 0) env[k++] = environ[i];
  }
  char setting[64];
  if (level != NULL) {
    snprintf(setting, sizeof setting, "YUNHUNI_LOG=%s", level);
    env[k++] = setting;
  }
  env[k] = NULL;
  char *args[] = {(char *)argv0, "--log-child", (char *)mode, port_s, NULL};
  int err_pipe[2], out_pipe[2];
  if (pipe(err_pipe) != 0 || pipe(out_pipe) != 0) {
    free(env);
    return strdup("pipe failed");
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(err_pipe[1], 2);
    dup2(out_pipe[1], 1);
    close(err_pipe[0]), close(err_pipe[1]), close(out_pipe[0]), close(out_pipe[1]);
    execve(argv0, args, env);
    _exit(127);
  }
  free(env);
  close(err_pipe[1]);
  close(out_pipe[1]);
  size_t cap = 4096, len = 0;
  char *text = malloc(cap);
  ssize_t got;
  while ((got = read(err_pipe[0], text + len, cap - len - 1)) > 0) {
    len += (size_t)got;
    if (cap - len < 256) text = realloc(text, cap *= 2);
  }
  text[len] = '\0';
  size_t olen = 0;
  while (olen + 1 < out_n && (got = read(out_pipe[0], out + olen, out_n - olen - 1)) > 0) olen += (size_t)got;
  out[olen] = '\0';
  close(err_pipe[0]);
  close(out_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    size_t m = len + 64;
    char *more = malloc(m);
    snprintf(more, m, "(exit %d) %s", WIFEXITED(status) ? WEXITSTATUS(status) : -1, text);
    free(text);
    return more;
  }
  return text;
}

static void test_log_env(void) {
  group("YUNHUNI_LOG=debug prints each request and parsed event to stderr; off by default");
  char *resp = ok_response(true);
  stub *s = stub_start_raw(0, STUB_ANSWER, resp);
  char out[256];

  char *err = run_child("plain", s->port, "debug", out, sizeof out);
  check(contains(err, "[yunhuni debug] POST call/duo_callback -> 200 000000 in "),
        "debug: the request line on stderr: %s", err);
  check(contains(err, "[yunhuni debug] event duo_callback.end id=feedfacefeedfacefeedfacefeedface"),
        "debug: the parsed event on stderr: %s", err);
  char *signature = stub_header(s, 0, "Signature");
  check(signature != NULL && !contains(err, signature) && !contains(err, SECRET), "debug: no secret, no signature");
  free(signature);
  check(contains(out, "sent 0 parsed 0"), "debug: the child's work succeeded: %s", out);
  free(err);

  err = run_child("plain", s->port, NULL, out, sizeof out);
  check(str_eq(err, "") && contains(out, "sent 0 parsed 0"), "unset: nothing on stderr: '%s'", err);
  free(err);
  err = run_child("plain", s->port, "off", out, sizeof out);
  check(str_eq(err, ""), "off: nothing on stderr: '%s'", err);
  free(err);
  err = run_child("plain", s->port, "info", out, sizeof out);
  check(str_eq(err, ""), "info: nothing on stderr (requests are debug): '%s'", err);
  free(err);
  err = run_child("plain", s->port, "loud\x1b[2J", out, sizeof out);
  check(contains(err, "YUNHUNI_LOG=loud\\u{1b}[2J is not one of") && !contains(err, "\x1b") &&
            !contains(err, "POST call/duo_callback"),
        "a bad value: named once, escaped, ignored: %s", err);
  free(err);
  err = run_child("callback", s->port, "debug", out, sizeof out);
  check(!contains(err, "POST call/duo_callback") && contains(err, "event duo_callback.end"),
        "a callback set: requests go to it, not to stderr; events still do: %s", err);
  check(contains(out, "calls 1"), "the callback was called once: %s", out);
  free(err);
  err = run_child("plain", s->port, "trace", out, sizeof out);
  check(contains(err, "[yunhuni debug] POST call/duo_callback"), "trace includes debug: %s", err);
  free(err);
  stub_stop(s);
  free(resp);
  group_end("YUNHUNI_LOG=debug prints each request and parsed event to stderr; off by default");
}

/* ---- 4. proxies ------------------------------------------------------------------------- */

static const char *PROXY_VARS[] = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                                   "ALL_PROXY",  "all_proxy",  "NO_PROXY",    "no_proxy"};

static void test_proxy(void) {
  group("proxy: explicit, from HTTP_PROXY, or none");
  char *saved[8];
  for (int i = 0; i < 8; i++) {
    const char *v = getenv(PROXY_VARS[i]);
    saved[i] = v ? strdup(v) : NULL;
    unsetenv(PROXY_VARS[i]);
  }
  char *resp = ok_response(true);
  stub *p = stub_start_raw(0, STUB_PROXY, resp);
  char proxy_url[64], want[128];
  stub_url(p, proxy_url, sizeof proxy_url);
  int target_port = closed_port();
  char target[64];
  snprintf(target, sizeof target, "http://127.0.0.1:%d", target_port);
  yh_request *r = duo_request("13800000002", NULL);
  yh_error *err = NULL;

  /* Explicit. */
  yh_client_builder *b = builder_for(target, 5000);
  check(yh_client_builder_set_proxy(b, proxy_url, NULL) == YH_OK, "set_proxy");
  yh_client *c = build(b);
  check(send_req(c, r, NULL, &err) == YH_OK, "through the proxy (%s)", show(yh_error_message(err)));
  yh_error_free(err);
  char *l0 = stub_request_line(p, 0), *l1 = stub_request_line(p, 1);
  snprintf(want, sizeof want, "CONNECT 127.0.0.1:%d HTTP/1.1", target_port);
  check(str_eq(l0, want), "the proxy was asked for the server: %s", show(l0));
  snprintf(want, sizeof want, "POST /v1/account/%s/call/duo_callback HTTP/1.1", CERT);
  check(str_eq(l1, want), "the request went through it: %s", show(l1));
  free(l0), free(l1);
  yh_client_free(c);
  yh_client_builder_free(b);

  /* From the environment, read when the client is built. */
  setenv("HTTP_PROXY", proxy_url, 1);
  b = builder_for(target, 5000);
  c = build(b);
  int before = stub_count(p);
  check(send_req(c, r, NULL, &err) == YH_OK && stub_count(p) == before + 2, "HTTP_PROXY is used by default (%s)",
        show(yh_error_message(err)));
  yh_error_free(err);
  yh_client_free(c);
  /* None: straight to the (closed) server. */
  check(yh_client_builder_set_no_proxy(b, NULL) == YH_OK, "set_no_proxy");
  c = build(b);
  before = stub_count(p);
  yh_result res = send_req(c, r, NULL, &err);
  check(res == YH_ERR_TRANSPORT && !yh_error_maybe_sent(err) && stub_count(p) == before,
        "no proxy: straight to the server, whatever HTTP_PROXY says");
  yh_error_free(err);
  yh_client_free(c);
  yh_client_builder_free(b);
  unsetenv("HTTP_PROXY");

  /* Refused proxy URLs name the setting and never show a password. */
  const char *bad[] = {"not a proxy url", "ftp://user:pa55word@127.0.0.1:1"};
  for (int i = 0; i < 2; i++) {
    b = builder_for(target, 5000);
    yh_client_builder_set_proxy(b, bad[i], NULL);
    c = SENTINEL;
    res = yh_client_builder_build(b, &c, &err);
    check(!contains(yh_error_message(err), "pa55word"), "proxy %d: no password in the message: %s", i,
          show(yh_error_message(err)));
    check_error(res, err, YH_ERR_VALIDATION, "validation", "proxy", bad[i]);
    check(c == SENTINEL, "a refused proxy writes no client");
    yh_client_builder_free(b);
  }
  ARG_CASE(YH_ERR_NULL_ARGUMENT, "builder", yh_client_builder_set_proxy(NULL, proxy_url, &e_)); /* set_proxy NULL builder */
  b = builder_for(target, 5000);
  ARG_CASE(YH_ERR_NULL_ARGUMENT, "url", yh_client_builder_set_proxy(b, NULL, &e_)); /* set_proxy NULL url */
  ARG_CASE(YH_ERR_INVALID_UTF8, "url", yh_client_builder_set_proxy(b, "\xff\xfe", &e_)); /* set_proxy invalid UTF-8 */
  yh_client_builder_free(b);
  ARG_CASE(YH_ERR_NULL_ARGUMENT, "builder", yh_client_builder_set_no_proxy(NULL, &e_)); /* set_no_proxy NULL builder */
  stub_stop(p);
  yh_request_free(r);
  free(resp);
  for (int i = 0; i < 8; i++) {
    if (saved[i]) setenv(PROXY_VARS[i], saved[i], 1);
    free(saved[i]);
  }
  group_end("proxy: explicit, from HTTP_PROXY, or none");
}

/* ---- 5. a server closing keep-alive connections ------------------------------------------ */

static void test_keepalive_close(void) {
  group("a server closing each connection after its response (no Connection: close)");
  char *resp = ok_response(false);
  stub *s = stub_start_raw(0, STUB_ANSWER, resp);
  char url[64];
  stub_url(s, url, sizeof url);
  yh_client *c = client_for(url, 5000);
  const int n = 30;
  int ok = 0, failed = 0, unsafe_failures = 0;
  for (int i = 0; i < n; i++) {
    char ud[16];
    snprintf(ud, sizeof ud, "ka-%02d", i);
    yh_request *r = duo_request("13800000002", ud);
    yh_error *err = NULL;
    yh_result res = send_req(c, r, NULL, &err);
    if (res == YH_OK) {
      ok++;
    } else {
      failed++;
      bool transport = res == YH_ERR_TRANSPORT || res == YH_ERR_TIMEOUT;
      if (!transport || !yh_error_maybe_sent(err)) {
        unsafe_failures++;
        printf("# keep-alive request %d: result %d, maybe_sent %d: %s\n", i, (int)res, yh_error_maybe_sent(err),
               show(yh_error_message(err)));
      }
    }
    yh_error_free(err);
    yh_request_free(r);
    sleep_ms(20); /* the server's FIN arrives before the next request */
  }
  /* Every request the stub received, by its user_data: none twice. */
  int seen[30] = {0}, received = 0, twice = 0;
  for (int i = 0; i < stub_count(s); i++) {
    char *body = stub_body(s, i);
    char *at = body ? strstr(body, "\"user_data\":\"ka-") : NULL;
    if (at != NULL) {
      int k = atoi(at + 16);
      if (k >= 0 && k < n && seen[k]++ > 0) twice++;
      received++;
    }
    free(body);
  }
  check(twice == 0, "no request received twice (%d duplicates)", twice);
  check(unsafe_failures == 0, "every failure is a transport or timeout error with maybe_sent true (%d not)",
        unsafe_failures);
  check(ok + failed == n && received >= ok && received <= n, "%d sent: %d succeeded, %d failed, %d received", n, ok,
        failed, received);
  printf("# keep-alive closed after each response: %d of %d requests succeeded, %d failed (maybe sent), %d received\n",
         ok, n, failed, received);
  yh_client_free(c);
  stub_stop(s);
  free(resp);
  group_end("a server closing each connection after its response (no Connection: close)");
}

/* ---- 6. bounded fuzzing ----------------------------------------------------------------- */

static uint64_t rng_state = 0x5eed5eed12345678ULL;
static uint64_t rnd(void) {
  uint64_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return rng_state = x;
}
static size_t below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }
static bool chance(int percent) { return (int)below(100) < percent; }

typedef struct {
  char *data;
  size_t len, cap;
} buf;

static void buf_put(buf *b, const void *p, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->data = realloc(b->data, b->cap);
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}
static void buf_str(buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static const char *EXTREMES[] = {"253402300800000", "253402300799999", "-1", "0", "99999999999999999999",
                                 "1e400", "0.5", "-0", "9007199254740993", "\"\"", "null", "true", "[]", "{}",
                                 "\"2020-01-01 00:00:00\"", "-253402300800000", "1.7976931348623157e308"};
static const char *INSERTS[] = {"\\u0000", "\\ud800", "\\u001b[2J", "\xff\xfe", "\xc3", "\"", "\\", "\",\"event\":1,\"",
                                "\x1b]0;title\x07", "\xe2\x80\xae", "{", "}", "[", "]", ",", ":"};

/* A mutation of one of `bodies`. */
static void mutate_event(buf *out, char **bodies, size_t *lens, int nb) {
  int i = (int)below((size_t)nb);
  buf_put(out, bodies[i], lens[i]);
  int rounds = 1 + (int)below(3);
  for (int k = 0; k < rounds; k++) {
    size_t len = out->len;
    size_t at = below(len + 1);
    switch (below(10)) {
    case 0: /* flip bits */
      if (len) out->data[below(len)] ^= (char)(1u << below(8));
      break;
    case 1: /* truncate */
      out->len = at;
      out->data[at] = '\0';
      break;
    case 2: { /* random bytes */
      char junk[8];
      size_t n = 1 + below(sizeof junk);
      for (size_t j = 0; j < n; j++) junk[j] = (char)rnd();
      buf tail = {0};
      buf_put(&tail, out->data + at, len - at);
      out->len = at;
      buf_put(out, junk, n);
      if (tail.data) buf_put(out, tail.data, tail.len);
      free(tail.data);
      break;
    }
    case 3: { /* delete a range */
      size_t n = below(len - at + 1);
      memmove(out->data + at, out->data + at + n, len - at - n + 1);
      out->len -= n;
      break;
    }
    case 4:   /* an extreme value in place of a number or string */
    case 5: { /* after a ':' */
      char *colon = len ? memchr(out->data + at, ':', len - at) : NULL;
      if (colon == NULL) break;
      size_t from = (size_t)(colon - out->data) + 1, to = from;
      if (to < len && out->data[to] == '"') {
        to++;
        while (to < len && out->data[to] != '"') to++;
        if (to < len) to++;
      } else {
        while (to < len && out->data[to] != ',' && out->data[to] != '}') to++;
      }
      buf tail = {0};
      buf_put(&tail, out->data + to, len - to);
      out->len = from;
      buf_str(out, EXTREMES[below(sizeof EXTREMES / sizeof EXTREMES[0])]);
      if (tail.data) buf_put(out, tail.data, tail.len);
      free(tail.data);
      break;
    }
    case 6: { /* an escape or token inserted */
      buf tail = {0};
      buf_put(&tail, out->data + at, len - at);
      out->len = at;
      buf_str(out, INSERTS[below(sizeof INSERTS / sizeof INSERTS[0])]);
      if (tail.data) buf_put(out, tail.data, tail.len);
      free(tail.data);
      break;
    }
    case 7: { /* spliced with another body */
      int j = (int)below((size_t)nb);
      size_t from = below(lens[j] + 1);
      out->len = at;
      buf_put(out, bodies[j] + from, lens[j] - from);
      break;
    }
    case 8: { /* nested deeply */
      buf nested = {0};
      size_t depth = 1 + below(300);
      for (size_t j = 0; j < depth; j++) buf_str(&nested, chance(50) ? "[" : "{\"a\":");
      buf_put(&nested, out->data, out->len);
      free(out->data);
      *out = nested;
      break;
    }
    default: { /* a duplicated key */
      char *key = strstr(out->data, "\"event\"");
      if (key) buf_str(out, ",\"event\":\"conf.end\"}");
      break;
    }
    }
  }
}

static bool time_ok(yh_result r, int64_t t) { return r != YH_OK || (t >= 0 && t <= 253402300799999LL); }

static void test_fuzz_events(const char *path) {
  group("fuzz: mutated event bodies through yh_event_parse");
  FILE *f = fopen(path, "r");
  if (!check(f != NULL, "open %s", path)) return;
  char *bodies[200];
  size_t lens[200];
  int nb = 0;
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0 && nb < 200) {
    char *fld[6];
    if (split_tabs(line, fld, 6) < 3) continue;
    bodies[nb] = unhex(fld[2], &lens[nb]);
    nb++;
  }
  free(line);
  fclose(f);
  check(nb >= 20, "%d event bodies to mutate", nb);
  const int n = 3000;
  int parsed = 0, decode = 0, bad = 0;
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    buf b = {0};
    if (i % 50 == 49) {
      size_t len = below(200);
      for (size_t j = 0; j < len; j++) {
        char c = (char)rnd();
        buf_put(&b, &c, 1);
      }
      if (b.data == NULL) buf_put(&b, "", 0);
    } else {
      mutate_event(&b, bodies, lens, nb);
    }
    yh_event *e = SENTINEL;
    yh_error *err = NULL;
    yh_result r = yh_event_parse((const uint8_t *)b.data, b.len, &e, &err);
    if (r == YH_OK) {
      parsed++;
      bool ok = yh_event_name(e) != NULL && yh_event_json(e, NULL) != NULL && yh_event_raw_json(e, NULL) != NULL &&
                yh_event_get_type(e) != YH_EVENT_NONE;
      int64_t t = 0;
      yh_result tr = yh_event_duo_end_time(e, &t);
      ok &= tr == YH_OK || tr == YH_ABSENT || tr == YH_ERR_WRONG_EVENT;
      ok &= time_ok(tr, t);
      ok &= time_ok(yh_event_duo_begin_time(e, &t), t) && time_ok(yh_event_duo_answer_time1(e, &t), t) &&
            time_ok(yh_event_duo_answer_time2(e, &t), t);
      ok &= time_ok(yh_event_notify_begin_time(e, &t), t) && time_ok(yh_event_notify_end_time(e, &t), t) &&
            time_ok(yh_event_notify_answer_time(e, &t), t);
      const char *s = NULL;
      tr = yh_event_duo_outcome(e, &s);
      ok &= tr != YH_OK || s != NULL;
      if (!ok) {
        bad++;
        if (bad <= 5) printf("FAIL fuzz event %d: a parsed event with bad accessors: %.200s\n", i, b.data);
      }
      yh_event_free(e);
    } else if (r == YH_ERR_DECODE && str_eq(yh_error_kind(err), "decode") && e == SENTINEL &&
               yh_error_message(err) != NULL) {
      decode++;
    } else {
      bad++;
      if (bad <= 5) printf("FAIL fuzz event %d: result %d (%s): %.200s\n", i, (int)r, show(yh_error_message(err)), b.data);
    }
    yh_error_free(err);
    free(b.data);
  }
  check(bad == 0, "every input parsed or refused as decode (%d not)", bad);
  check(parsed > 0 && decode > 0, "both outcomes were reached (%d parsed, %d decode)", parsed, decode);
  printf("# fuzz events: %d inputs (seed fixed), %d parsed, %d decode errors, %d other, %.1f s\n", n, parsed, decode, bad,
         now_s() - t0);
  for (int i = 0; i < nb; i++) free(bodies[i]);
  group_end("fuzz: mutated event bodies through yh_event_parse");
}

/* ---- fuzzing requests ------------------------------------------------------------------- */

typedef struct {
  char *op;
  int nparams;
  char *keys[24];
  char *values[24]; /* JSON text */
} base_case;

static const char *JSON_VALUES[] = {
    "0", "-1", "1", "2147483647", "2147483648", "-2147483649", "9007199254740993", "1e308", "1.5", "-0.0",
    "true", "false", "null", "\"\"", "\"   \"", "\"13800000001\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\u001b[2J\"",
    "\"\xe4\xbd\xa0\xe5\xa5\xbd\"", "[]", "[\"a\",\"b\"]", "[[\"123\",1],[\"x.wav\",0]]", "[1,2]", "[{}]",
    "[{\"name\":\"a\",\"score\":5}]", "{}", "{\"a\":1}", "[[[[[[[[[[]]]]]]]]]]", "[1,", "{", "nul", "", "\"abc",
    "[\"a\",2]", "[[\"1\",99]]", "18446744073709551616"};
static const char *TEXTS[] = {"0", "-5", "30", "99999999999", "true", "false", "1", "yes", "", "a,b,c", "[\"a\"]",
                              "[[\"1\",1]]", "x", "\xff", "13800000001", " 4", "4 ", "0x10", "1e3"};
static const int64_t INTS[] = {0, 1, -1, 30, 600, 2147483647, 2147483648LL, -2147483648LL, INT64_MAX, INT64_MIN,
                               86400, 21600, 21601};

/* A random string: printable, control characters, non-ASCII, invalid UTF-8, or long. */
static char *random_string(void) {
  buf b = {0};
  buf_put(&b, "", 0);
  switch (below(6)) {
  case 0:
    break;
  case 1: {
    size_t n = 1 + below(40);
    for (size_t i = 0; i < n; i++) {
      char c = (char)(' ' + below(95));
      buf_put(&b, &c, 1);
    }
    break;
  }
  case 2: {
    size_t n = 1 + below(20);
    for (size_t i = 0; i < n; i++) {
      char c = (char)(1 + below(255));
      buf_put(&b, &c, 1);
    }
    break;
  }
  case 3:
    buf_str(&b, chance(50) ? "\xe5\x91\xbc\xe5\x8f\xab" : "\xf0\x9f\x93\x9e emoji");
    break;
  case 4:
    for (size_t i = 0; i < 300; i++) buf_str(&b, "0123456789");
    break;
  default:
    buf_str(&b, chance(50) ? "13800000001" : "0123456789abcdef0123456789abcdef");
  }
  return b.data;
}

static int load_base_cases(const char *path, base_case *cases, int max, char **names, int *nnames, int max_names) {
  FILE *f = fopen(path, "r");
  if (f == NULL) return 0;
  char *line = NULL;
  size_t cap = 0;
  int n = 0;
  while (getline(&line, &cap, f) > 0 && n < max) {
    char *fld[40];
    int nf = split_tabs(line, fld, 40);
    if (nf < 3 || strcmp(fld[0], "count") == 0) continue;
    int first = strcmp(fld[2], "wire") == 0 ? 7 : 5;
    base_case *c = &cases[n];
    c->op = unhex(fld[1], NULL);
    c->nparams = 0;
    for (int i = first; i < nf && c->nparams < 24; i++) {
      char *eq = strchr(fld[i], '=');
      if (eq == NULL) continue;
      *eq = '\0';
      c->keys[c->nparams] = unhex(fld[i], NULL);
      c->values[c->nparams] = unhex(eq + 1, NULL);
      bool known = false;
      for (int k = 0; k < *nnames && !known; k++) known = strcmp(names[k], c->keys[c->nparams]) == 0;
      if (!known && *nnames < max_names) names[(*nnames)++] = strdup(c->keys[c->nparams]);
      c->nparams++;
    }
    n++;
  }
  free(line);
  fclose(f);
  return n;
}

static void test_fuzz_requests(const char *path) {
  group("fuzz: random operations, fields, values and setters through yh_request_* and yh_client_send");
  static base_case cases[1000];
  static char *names[400];
  int nnames = 0;
  int ncases = load_base_cases(path, cases, 1000, names, &nnames, 400);
  if (!check(ncases > 100 && nnames > 50, "%d request vectors and %d field names to start from", ncases, nnames)) {
    return;
  }
  char *resp = ok_response(true);
  stub *s = stub_start_raw(0, STUB_ANSWER, resp);
  char url[64];
  stub_url(s, url, sizeof url);
  yh_client *c = client_for(url, 10000);
  const int n = 2000;
  int sent = 0, refused = 0, bad = 0, setter_calls = 0;
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    base_case *bc = &cases[below((size_t)ncases)];
    const char *op = bc->op;
    char junk_op[32];
    if (chance(3)) {
      snprintf(junk_op, sizeof junk_op, "%s%c", op, (char)(chance(50) ? 'x' : 0xff));
      op = junk_op;
    } else if (chance(10)) {
      op = yh_operation_name(below(yh_operation_count()));
    }
    yh_request *r = NULL;
    yh_error *err = NULL;
    yh_result res = yh_request_new(op, &r, &err);
    if (res != YH_OK) {
      if (!((res == YH_ERR_VALIDATION || res == YH_ERR_INVALID_UTF8) && str_eq(yh_error_field(err), "operation") &&
            r == NULL)) {
        bad++;
        printf("FAIL fuzz request %d: yh_request_new(%s) gave %d\n", i, op, (int)res);
      }
      yh_error_free(err);
      continue;
    }
    for (int p = 0; p < bc->nparams; p++) {
      yh_request_set_json(r, bc->keys[p], bc->values[p], NULL);
    }
    int rounds = (int)below(4);
    for (int k = 0; k < rounds; k++) {
      const char *name = chance(85) ? names[below((size_t)nnames)] : (chance(50) ? "no_such_field" : "\xc3(");
      if (chance(50) && bc->nparams > 0) name = bc->keys[below((size_t)bc->nparams)];
      char *str = NULL;
      err = NULL;
      switch (below(6)) {
      case 0:
        str = random_string();
        res = yh_request_set_str(r, name, str, &err);
        break;
      case 1:
        res = yh_request_set_int(r, name, chance(70) ? INTS[below(sizeof INTS / sizeof INTS[0])] : (int64_t)rnd(), &err);
        break;
      case 2:
        res = yh_request_set_bool(r, name, chance(50), &err);
        break;
      case 3:
        res = yh_request_set_text(r, name, chance(70) ? TEXTS[below(sizeof TEXTS / sizeof TEXTS[0])] : (str = random_string()),
                                  &err);
        break;
      case 4:
        res = yh_request_set_json(r, name, JSON_VALUES[below(sizeof JSON_VALUES / sizeof JSON_VALUES[0])], &err);
        break;
      default:
        res = yh_request_unset(r, name, &err);
      }
      setter_calls++;
      if (res != YH_OK && !((res == YH_ERR_VALIDATION || res == YH_ERR_INVALID_UTF8) &&
                            str_eq(yh_error_kind(err), "validation") && yh_error_field(err) != NULL)) {
        bad++;
        printf("FAIL fuzz request %d: a setter on %s gave %d (%s)\n", i, name, (int)res, show(yh_error_message(err)));
      }
      yh_error_free(err);
      free(str);
    }
    int before = stub_count(s);
    res = send_req(c, r, NULL, &err);
    int after = stub_count(s);
    if (res == YH_OK) {
      sent++;
      if (after != before + 1) {
        bad++;
        printf("FAIL fuzz request %d (%s): sent, but the stub received %d requests\n", i, op, after - before);
      }
    } else if (res == YH_ERR_VALIDATION && str_eq(yh_error_kind(err), "validation") && yh_error_field(err) != NULL) {
      refused++;
      if (after != before) {
        bad++;
        printf("FAIL fuzz request %d (%s): refused (%s), but %d requests reached the stub\n", i, op,
               show(yh_error_message(err)), after - before);
      }
    } else {
      bad++;
      printf("FAIL fuzz request %d (%s): result %d (%s)\n", i, op, (int)res, show(yh_error_message(err)));
    }
    yh_error_free(err);
    yh_request_free(r);
  }
  check(bad == 0, "never a crash, a panic, an unexpected kind, or a refused request sent (%d bad)", bad);
  check(sent > 0 && refused > 0, "both outcomes were reached (%d sent, %d refused)", sent, refused);
  printf("# fuzz requests: %d requests (seed fixed), %d setter calls, %d sent, %d refused before sending, %d bad, %.1f s\n",
         n, setter_calls, sent, refused, bad, now_s() - t0);
  yh_client_free(c);
  stub_stop(s);
  free(resp);
  for (int i = 0; i < ncases; i++) {
    free(cases[i].op);
    for (int p = 0; p < cases[i].nparams; p++) free(cases[i].keys[p]), free(cases[i].values[p]);
  }
  for (int i = 0; i < nnames; i++) free(names[i]);
  group_end("fuzz: random operations, fields, values and setters through yh_request_* and yh_client_send");
}

int main(int argc, char **argv) {
  argv0 = argv[0];
  if (argc == 4 && strcmp(argv[1], "--log-child") == 0) return log_child(argv[2], argv[3]);
  if (argc != 3) {
    fprintf(stderr, "usage: %s EVENTS_TSV REQUESTS_BY_NAME_TSV\n", argv[0]);
    return 2;
  }
  /* This program's own stderr log stays off, whatever the environment says. */
  unsetenv("YUNHUNI_LOG");
  test_client_timeouts();
  test_call_timeouts();
  test_maybe_sent();
  test_log_callback();
  test_log_env();
  test_proxy();
  test_keepalive_close();
  test_fuzz_events(argv[1]);
  test_fuzz_requests(argv[2]);
  return finish("test_hardening");
}
