/* The C API without the sandbox: NULL in every pointer argument, invalid UTF-8 in every string
 * argument, validation, the wire format of every request, requests made by name and by the
 * generated typed functions, every transport-level error kind against loopback stubs, error
 * accessors, signing vectors, every request vector (through the typed calls of the first API and
 * by name), the code table and the version.
 *
 *   test_api SIGNING_TSV REQUESTS_TSV REQUESTS_BY_NAME_TSV
 */
#include "testlib.h"

#define SENTINEL ((void *)(uintptr_t)0x5e17)
#define NUL_ARG YH_ERR_NULL_ARGUMENT
#define BAD_UTF8 YH_ERR_INVALID_UTF8

/* Runs CALL (which writes to `err`) and checks a validation-kind failure WANT naming FIELD. */
#define ARG_CASE(WANT, FIELD, CALL)                                  \
  do {                                                               \
    yh_error *err = NULL;                                            \
    yh_result r_ = (CALL);                                           \
    check_error(r_, err, (WANT), "validation", (FIELD), #CALL);      \
  } while (0)

static const char *APP = "b0a5d1e5a2c64f0e9a7e3c1d5f000001";
static const char *CERT = "c3e7a9f1d2b44e8c8a6b1f0e2d000001";
static const char *SECRET = "5d8f2a7c9e1b4d6fa3c0e8b7d9000001";
static const char *BAD = "\xff\xfe bad";

static yh_client *client_for(const char *base_url, uint64_t timeout_ms) {
  yh_client_builder *b = NULL;
  yh_client *c = NULL;
  yh_error *err = NULL;
  if (yh_client_builder_new(APP, CERT, SECRET, &b, &err) != YH_OK ||
      yh_client_builder_set_base_url(b, base_url, &err) != YH_OK ||
      yh_client_builder_set_timeout_ms(b, timeout_ms, &err) != YH_OK ||
      yh_client_builder_set_connect_timeout_ms(b, timeout_ms, &err) != YH_OK ||
      yh_client_builder_build(b, &c, &err) != YH_OK) {
    printf("FAIL cannot make a client for %s: %s\n", base_url, show(yh_error_message(err)));
    exit(2);
  }
  yh_client_builder_free(b);
  return c;
}

static void test_version_and_codes(void) {
  group("version and code table");
  check(str_eq(yh_version(), "0.1.0") || (yh_version() != NULL && yh_version()[0] != '\0'), "yh_version");
  const char *name = SENTINEL, *zh = SENTINEL, *en = SENTINEL;
  check(yh_code_info("020000", &name, &zh, &en) == YH_OK, "yh_code_info 020000");
  check(str_eq(name, "CallNotExists") && str_eq(zh, "呼叫不存在") && en != NULL && en[0] != '\0',
        "yh_code_info 020000 values: %s %s", show(name), show(zh));
  check(yh_code_info("000000", &name, &zh, &en) == YH_OK && str_eq(zh, "请求成功"), "yh_code_info 000000");
  name = zh = en = SENTINEL;
  check(yh_code_info("999999", &name, &zh, &en) == YH_ABSENT, "unknown code is absent");
  check(name == SENTINEL && zh == SENTINEL && en == SENTINEL, "absent code writes nothing");
  check(yh_code_info(NULL, &name, &zh, &en) == NUL_ARG, "yh_code_info code NULL");
  check(yh_code_info("020000", NULL, &zh, &en) == NUL_ARG, "yh_code_info name_out NULL");
  check(yh_code_info("020000", &name, NULL, &en) == NUL_ARG, "yh_code_info zh_out NULL");
  check(yh_code_info("020000", &name, &zh, NULL) == NUL_ARG, "yh_code_info en_out NULL");
  check(yh_code_info(BAD, &name, &zh, &en) == BAD_UTF8, "yh_code_info invalid UTF-8");
  check(name == SENTINEL, "failed lookups write nothing");
  group_end("version and code table");
}

/* NULL in every pointer argument of every function. */
static void test_null_arguments(void) {
  group("NULL in every pointer argument");
  yh_client_builder *builder = NULL;
  yh_client *client = NULL;
  yh_duo_callback *duo = NULL;
  yh_notify_call *notify = NULL;
  yh_verify_call *verify = NULL;
  yh_event *event = NULL;
  yh_error *err = NULL;
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
  yh_client_builder_new(APP, CERT, SECRET, &builder, &err);
  yh_client_builder_set_base_url(builder, url, &err);
  yh_client_builder_build(builder, &client, &err);
  yh_duo_callback_new("13800000001", "13800000002", 60, &duo, &err);
  yh_notify_call_new("13800000001", &notify, &err);
  yh_verify_call_new("13800000001", &verify, &err);
  const char *body = "{\"event\":\"duo_callback.end\",\"id\":\"x\"}";
  yh_event_parse((const uint8_t *)body, strlen(body), &event, &err);
  check(builder && client && duo && notify && verify && event && err == NULL, "fixtures made");

  yh_client_builder *builder_out = SENTINEL;
  yh_client *client_out = SENTINEL;
  yh_duo_callback *duo_out = SENTINEL;
  yh_notify_call *notify_out = SENTINEL;
  yh_verify_call *verify_out = SENTINEL;
  yh_call_created *call_out = SENTINEL;
  yh_event *event_out = SENTINEL;
  char *string_out = SENTINEL;
  const uint8_t *b = (const uint8_t *)"{}";

  /* client settings */
  ARG_CASE(NUL_ARG, "app_id", yh_client_builder_new(NULL, CERT, SECRET, &builder_out, &err));
  ARG_CASE(NUL_ARG, "cert_id", yh_client_builder_new(APP, NULL, SECRET, &builder_out, &err));
  ARG_CASE(NUL_ARG, "secret_key", yh_client_builder_new(APP, CERT, NULL, &builder_out, &err));
  ARG_CASE(NUL_ARG, "builder_out", yh_client_builder_new(APP, CERT, SECRET, NULL, &err));
  ARG_CASE(NUL_ARG, "builder_out", yh_client_builder_from_env(NULL, &err));
  ARG_CASE(NUL_ARG, "builder", yh_client_builder_set_base_url(NULL, url, &err));
  ARG_CASE(NUL_ARG, "base_url", yh_client_builder_set_base_url(builder, NULL, &err));
  ARG_CASE(NUL_ARG, "builder", yh_client_builder_set_account_id(NULL, CERT, &err));
  ARG_CASE(NUL_ARG, "account_id", yh_client_builder_set_account_id(builder, NULL, &err));
  ARG_CASE(NUL_ARG, "builder", yh_client_builder_set_timeout_ms(NULL, 1000, &err));
  ARG_CASE(NUL_ARG, "builder", yh_client_builder_set_connect_timeout_ms(NULL, 1000, &err));
  ARG_CASE(NUL_ARG, "builder", yh_client_builder_set_user_agent(NULL, "x/1", &err));
  ARG_CASE(NUL_ARG, "user_agent", yh_client_builder_set_user_agent(builder, NULL, &err));
  ARG_CASE(NUL_ARG, "builder", yh_client_builder_set_connect_retries(NULL, 1, &err));
  ARG_CASE(NUL_ARG, "builder", yh_client_builder_set_max_idle_connections(NULL, 8, &err));
  ARG_CASE(NUL_ARG, "builder", yh_client_builder_build(NULL, &client_out, &err));
  ARG_CASE(NUL_ARG, "client_out", yh_client_builder_build(builder, NULL, &err));
  ARG_CASE(NUL_ARG, "client_out", yh_client_from_env(NULL, &err));

  /* client */
  check(yh_client_app_id(NULL) == NULL && yh_client_cert_id(NULL) == NULL && yh_client_account_id(NULL) == NULL &&
            yh_client_api_root(NULL) == NULL,
        "client accessors give NULL for NULL");
  ARG_CASE(NUL_ARG, "client", yh_client_duo_callback(NULL, duo, &call_out, &err));
  ARG_CASE(NUL_ARG, "request", yh_client_duo_callback(client, NULL, &call_out, &err));
  ARG_CASE(NUL_ARG, "call_out", yh_client_duo_callback(client, duo, NULL, &err));
  ARG_CASE(NUL_ARG, "client", yh_client_cancel_duo_callback(NULL, "abc", &err));
  ARG_CASE(NUL_ARG, "call_id", yh_client_cancel_duo_callback(client, NULL, &err));
  ARG_CASE(NUL_ARG, "client", yh_client_notify_call(NULL, notify, &call_out, &err));
  ARG_CASE(NUL_ARG, "request", yh_client_notify_call(client, NULL, &call_out, &err));
  ARG_CASE(NUL_ARG, "call_out", yh_client_notify_call(client, notify, NULL, &err));
  ARG_CASE(NUL_ARG, "client", yh_client_verify_call(NULL, verify, &call_out, &err));
  ARG_CASE(NUL_ARG, "request", yh_client_verify_call(client, NULL, &call_out, &err));
  ARG_CASE(NUL_ARG, "call_out", yh_client_verify_call(client, verify, NULL, &err));
  check(yh_call_created_call_id(NULL) == NULL && yh_call_created_user_data(NULL) == NULL,
        "call accessors give NULL for NULL");

  /* requests */
  ARG_CASE(NUL_ARG, "to1", yh_duo_callback_new(NULL, "2", 60, &duo_out, &err));
  ARG_CASE(NUL_ARG, "to2", yh_duo_callback_new("1", NULL, 60, &duo_out, &err));
  ARG_CASE(NUL_ARG, "request_out", yh_duo_callback_new("1", "2", 60, NULL, &err));
  ARG_CASE(NUL_ARG, "request", yh_duo_callback_set_from1(NULL, "1", &err));
  ARG_CASE(NUL_ARG, "from1", yh_duo_callback_set_from1(duo, NULL, &err));
  ARG_CASE(NUL_ARG, "request", yh_duo_callback_set_from2(NULL, "1", &err));
  ARG_CASE(NUL_ARG, "from2", yh_duo_callback_set_from2(duo, NULL, &err));
  ARG_CASE(NUL_ARG, "request", yh_duo_callback_set_ring_tone(NULL, "a.wav", &err));
  ARG_CASE(NUL_ARG, "ring_tone", yh_duo_callback_set_ring_tone(duo, NULL, &err));
  ARG_CASE(NUL_ARG, "request", yh_duo_callback_set_ring_tone_mode(NULL, 0, &err));
  ARG_CASE(NUL_ARG, "request", yh_duo_callback_set_max_dial_duration(NULL, 30, &err));
  ARG_CASE(NUL_ARG, "request", yh_duo_callback_set_recording(NULL, false, &err));
  ARG_CASE(NUL_ARG, "request", yh_duo_callback_set_record_mode(NULL, 0, &err));
  ARG_CASE(NUL_ARG, "request", yh_duo_callback_set_user_data(NULL, "x", &err));
  ARG_CASE(NUL_ARG, "user_data", yh_duo_callback_set_user_data(duo, NULL, &err));
  ARG_CASE(NUL_ARG, "to", yh_notify_call_new(NULL, &notify_out, &err));
  ARG_CASE(NUL_ARG, "request_out", yh_notify_call_new("1", NULL, &err));
  ARG_CASE(NUL_ARG, "request", yh_notify_call_set_from(NULL, "1", &err));
  ARG_CASE(NUL_ARG, "from", yh_notify_call_set_from(notify, NULL, &err));
  ARG_CASE(NUL_ARG, "request", yh_notify_call_set_play_file(NULL, "a.wav", &err));
  ARG_CASE(NUL_ARG, "play_file", yh_notify_call_set_play_file(notify, NULL, &err));
  ARG_CASE(NUL_ARG, "request", yh_notify_call_add_play_item(NULL, "1", YH_PLAY_DIGITS, &err));
  ARG_CASE(NUL_ARG, "content", yh_notify_call_add_play_item(notify, NULL, YH_PLAY_DIGITS, &err));
  ARG_CASE(NUL_ARG, "request", yh_notify_call_set_repeat(NULL, 1, &err));
  ARG_CASE(NUL_ARG, "request", yh_notify_call_set_max_dial_duration(NULL, 30, &err));
  ARG_CASE(NUL_ARG, "request", yh_notify_call_set_user_data(NULL, "x", &err));
  ARG_CASE(NUL_ARG, "user_data", yh_notify_call_set_user_data(notify, NULL, &err));
  ARG_CASE(NUL_ARG, "to", yh_verify_call_new(NULL, &verify_out, &err));
  ARG_CASE(NUL_ARG, "request_out", yh_verify_call_new("1", NULL, &err));
  ARG_CASE(NUL_ARG, "request", yh_verify_call_set_from(NULL, "1", &err));
  ARG_CASE(NUL_ARG, "from", yh_verify_call_set_from(verify, NULL, &err));
  ARG_CASE(NUL_ARG, "request", yh_verify_call_set_verify_code(NULL, "1234", &err));
  ARG_CASE(NUL_ARG, "verify_code", yh_verify_call_set_verify_code(verify, NULL, &err));
  ARG_CASE(NUL_ARG, "request", yh_verify_call_set_play_file(NULL, "a.wav", &err));
  ARG_CASE(NUL_ARG, "play_file", yh_verify_call_set_play_file(verify, NULL, &err));
  ARG_CASE(NUL_ARG, "request", yh_verify_call_set_repeat(NULL, 1, &err));
  ARG_CASE(NUL_ARG, "request", yh_verify_call_set_max_dial_duration(NULL, 30, &err));
  ARG_CASE(NUL_ARG, "request", yh_verify_call_set_user_data(NULL, "x", &err));
  ARG_CASE(NUL_ARG, "user_data", yh_verify_call_set_user_data(verify, NULL, &err));

  /* events */
  ARG_CASE(NUL_ARG, "body", yh_event_parse(NULL, 0, &event_out, &err));
  ARG_CASE(NUL_ARG, "event_out", yh_event_parse((const uint8_t *)body, strlen(body), NULL, &err));
  check(yh_event_get_type(NULL) == YH_EVENT_NONE, "yh_event_get_type(NULL)");
  size_t len = 12345;
  check(yh_event_name(NULL) == NULL && yh_event_id(NULL) == NULL && yh_event_raw_json(NULL, &len) == NULL &&
            yh_event_json(NULL, &len) == NULL && len == 12345,
        "event accessors give NULL for NULL and leave len_out alone");
  check(yh_event_raw_json(event, NULL) != NULL && yh_event_json(event, NULL) != NULL, "len_out may be NULL");

  /* signing */
  ARG_CASE(NUL_ARG, "method", yh_sign(NULL, "/p", "t", "ts", "a", b, 2, "k", &string_out, &err));
  ARG_CASE(NUL_ARG, "uri", yh_sign("POST", NULL, "t", "ts", "a", b, 2, "k", &string_out, &err));
  ARG_CASE(NUL_ARG, "content_type", yh_sign("POST", "/p", NULL, "ts", "a", b, 2, "k", &string_out, &err));
  ARG_CASE(NUL_ARG, "timestamp", yh_sign("POST", "/p", "t", NULL, "a", b, 2, "k", &string_out, &err));
  ARG_CASE(NUL_ARG, "app_id", yh_sign("POST", "/p", "t", "ts", NULL, b, 2, "k", &string_out, &err));
  ARG_CASE(NUL_ARG, "body", yh_sign("POST", "/p", "t", "ts", "a", NULL, 2, "k", &string_out, &err));
  ARG_CASE(NUL_ARG, "secret_key", yh_sign("POST", "/p", "t", "ts", "a", b, 2, NULL, &string_out, &err));
  ARG_CASE(NUL_ARG, "signature_out", yh_sign("POST", "/p", "t", "ts", "a", b, 2, "k", NULL, &err));
  ARG_CASE(NUL_ARG, "method", yh_string_to_sign(NULL, "/p", "t", "ts", "a", b, 2, &string_out, &err));
  ARG_CASE(NUL_ARG, "uri", yh_string_to_sign("POST", NULL, "t", "ts", "a", b, 2, &string_out, &err));
  ARG_CASE(NUL_ARG, "content_type", yh_string_to_sign("POST", "/p", NULL, "ts", "a", b, 2, &string_out, &err));
  ARG_CASE(NUL_ARG, "timestamp", yh_string_to_sign("POST", "/p", "t", NULL, "a", b, 2, &string_out, &err));
  ARG_CASE(NUL_ARG, "app_id", yh_string_to_sign("POST", "/p", "t", "ts", NULL, b, 2, &string_out, &err));
  ARG_CASE(NUL_ARG, "body", yh_string_to_sign("POST", "/p", "t", "ts", "a", NULL, 2, &string_out, &err));
  ARG_CASE(NUL_ARG, "string_out", yh_string_to_sign("POST", "/p", "t", "ts", "a", b, 2, NULL, &err));

  /* error accessors and frees */
  check(yh_error_result(NULL) == YH_OK && yh_error_kind(NULL) == NULL && yh_error_message(NULL) == NULL &&
            yh_error_code(NULL) == NULL && yh_error_status(NULL) == 0 && yh_error_field(NULL) == NULL &&
                yh_error_platform_message(NULL) == NULL,
        "error accessors on NULL");
  yh_error_free(NULL);
  yh_client_builder_free(NULL);
  yh_client_free(NULL);
  yh_call_created_free(NULL);
  yh_duo_callback_free(NULL);
  yh_notify_call_free(NULL);
  yh_verify_call_free(NULL);
  yh_event_free(NULL);
  yh_string_free(NULL);
  check(true, "every _free ignores NULL");

  /* a NULL err_out still gives the code */
  check(yh_duo_callback_new(NULL, "2", 60, &duo_out, NULL) == NUL_ARG, "err_out may be NULL");

  check(builder_out == SENTINEL && client_out == SENTINEL && duo_out == SENTINEL && notify_out == SENTINEL &&
            verify_out == SENTINEL && call_out == SENTINEL && event_out == SENTINEL && string_out == SENTINEL,
        "no output written on failure");

  yh_event_free(event);
  yh_verify_call_free(verify);
  yh_notify_call_free(notify);
  yh_duo_callback_free(duo);
  yh_client_free(client);
  yh_client_builder_free(builder);
  group_end("NULL in every pointer argument");
}

/* Invalid UTF-8 in every string argument. */
static void test_invalid_utf8(void) {
  group("invalid UTF-8 in every string argument");
  yh_client_builder *builder = NULL;
  yh_client *client = NULL;
  yh_duo_callback *duo = NULL;
  yh_notify_call *notify = NULL;
  yh_verify_call *verify = NULL;
  yh_error *e0 = NULL;
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
  yh_client_builder_new(APP, CERT, SECRET, &builder, &e0);
  yh_client_builder_set_base_url(builder, url, &e0);
  yh_client_builder_build(builder, &client, &e0);
  yh_duo_callback_new("13800000001", "13800000002", 60, &duo, &e0);
  yh_notify_call_new("13800000001", &notify, &e0);
  yh_verify_call_new("13800000001", &verify, &e0);
  check(e0 == NULL, "fixtures made");
  yh_client_builder *builder_out = SENTINEL;
  yh_duo_callback *duo_out = SENTINEL;
  yh_notify_call *notify_out = SENTINEL;
  yh_verify_call *verify_out = SENTINEL;
  char *string_out = SENTINEL;
  const uint8_t *b = (const uint8_t *)"{}";

  ARG_CASE(BAD_UTF8, "app_id", yh_client_builder_new(BAD, CERT, SECRET, &builder_out, &err));
  ARG_CASE(BAD_UTF8, "cert_id", yh_client_builder_new(APP, BAD, SECRET, &builder_out, &err));
  ARG_CASE(BAD_UTF8, "secret_key", yh_client_builder_new(APP, CERT, BAD, &builder_out, &err));
  ARG_CASE(BAD_UTF8, "base_url", yh_client_builder_set_base_url(builder, BAD, &err));
  ARG_CASE(BAD_UTF8, "account_id", yh_client_builder_set_account_id(builder, BAD, &err));
  ARG_CASE(BAD_UTF8, "user_agent", yh_client_builder_set_user_agent(builder, BAD, &err));
  ARG_CASE(BAD_UTF8, "call_id", yh_client_cancel_duo_callback(client, BAD, &err));
  ARG_CASE(BAD_UTF8, "to1", yh_duo_callback_new(BAD, "2", 60, &duo_out, &err));
  ARG_CASE(BAD_UTF8, "to2", yh_duo_callback_new("1", BAD, 60, &duo_out, &err));
  ARG_CASE(BAD_UTF8, "from1", yh_duo_callback_set_from1(duo, BAD, &err));
  ARG_CASE(BAD_UTF8, "from2", yh_duo_callback_set_from2(duo, BAD, &err));
  ARG_CASE(BAD_UTF8, "ring_tone", yh_duo_callback_set_ring_tone(duo, BAD, &err));
  ARG_CASE(BAD_UTF8, "user_data", yh_duo_callback_set_user_data(duo, BAD, &err));
  ARG_CASE(BAD_UTF8, "to", yh_notify_call_new(BAD, &notify_out, &err));
  ARG_CASE(BAD_UTF8, "from", yh_notify_call_set_from(notify, BAD, &err));
  ARG_CASE(BAD_UTF8, "play_file", yh_notify_call_set_play_file(notify, BAD, &err));
  ARG_CASE(BAD_UTF8, "content", yh_notify_call_add_play_item(notify, BAD, YH_PLAY_FILE, &err));
  ARG_CASE(BAD_UTF8, "user_data", yh_notify_call_set_user_data(notify, BAD, &err));
  ARG_CASE(BAD_UTF8, "to", yh_verify_call_new(BAD, &verify_out, &err));
  ARG_CASE(BAD_UTF8, "from", yh_verify_call_set_from(verify, BAD, &err));
  ARG_CASE(BAD_UTF8, "verify_code", yh_verify_call_set_verify_code(verify, BAD, &err));
  ARG_CASE(BAD_UTF8, "play_file", yh_verify_call_set_play_file(verify, BAD, &err));
  ARG_CASE(BAD_UTF8, "user_data", yh_verify_call_set_user_data(verify, BAD, &err));
  ARG_CASE(BAD_UTF8, "method", yh_sign(BAD, "/p", "t", "ts", "a", b, 2, "k", &string_out, &err));
  ARG_CASE(BAD_UTF8, "uri", yh_sign("POST", BAD, "t", "ts", "a", b, 2, "k", &string_out, &err));
  ARG_CASE(BAD_UTF8, "content_type", yh_sign("POST", "/p", BAD, "ts", "a", b, 2, "k", &string_out, &err));
  ARG_CASE(BAD_UTF8, "timestamp", yh_sign("POST", "/p", "t", BAD, "a", b, 2, "k", &string_out, &err));
  ARG_CASE(BAD_UTF8, "app_id", yh_sign("POST", "/p", "t", "ts", BAD, b, 2, "k", &string_out, &err));
  ARG_CASE(BAD_UTF8, "secret_key", yh_sign("POST", "/p", "t", "ts", "a", b, 2, BAD, &string_out, &err));
  ARG_CASE(BAD_UTF8, "method", yh_string_to_sign(BAD, "/p", "t", "ts", "a", b, 2, &string_out, &err));
  ARG_CASE(BAD_UTF8, "uri", yh_string_to_sign("POST", BAD, "t", "ts", "a", b, 2, &string_out, &err));
  ARG_CASE(BAD_UTF8, "content_type", yh_string_to_sign("POST", "/p", BAD, "ts", "a", b, 2, &string_out, &err));
  ARG_CASE(BAD_UTF8, "timestamp", yh_string_to_sign("POST", "/p", "t", BAD, "a", b, 2, &string_out, &err));
  ARG_CASE(BAD_UTF8, "app_id", yh_string_to_sign("POST", "/p", "t", "ts", BAD, b, 2, &string_out, &err));
  check(builder_out == SENTINEL && duo_out == SENTINEL && notify_out == SENTINEL && verify_out == SENTINEL &&
            string_out == SENTINEL,
        "no output written on failure");

  /* A body is bytes: invalid UTF-8 there is not an argument error (events fall back to Latin-1). */
  {
    const char latin1[] = "{\"event\":\"duo_callback.end\",\"user_data\":\"caf\xe9\"}";
    yh_event *ev = NULL;
    yh_error *err = NULL;
    check(yh_event_parse((const uint8_t *)latin1, strlen(latin1), &ev, &err) == YH_OK, "Latin-1 event body parses");
    const char *ud = NULL;
    check(yh_event_duo_user_data(ev, &ud) == YH_OK && str_eq(ud, "caf\xc3\xa9"), "Latin-1 user_data as UTF-8: %s",
          show(ud));
    yh_event_free(ev);
    yh_error_free(err);
  }

  yh_verify_call_free(verify);
  yh_notify_call_free(notify);
  yh_duo_callback_free(duo);
  yh_client_free(client);
  yh_client_builder_free(builder);
  group_end("invalid UTF-8 in every string argument");
}

/* Rules checked before sending: kind validation, the field named, nothing sent. */
static void test_validation(void) {
  group("validation errors name the field and send nothing");
  stub *s = stub_start(0, STUB_ANSWER, "500 Nope", "");
  char url[64];
  stub_url(s, url, sizeof url);
  yh_client *c = client_for(url, 5000);
  yh_call_created *call = SENTINEL;

  yh_duo_callback *same = NULL;
  yh_duo_callback_new("13800000001", "13800000001", 60, &same, NULL);
  ARG_CASE(YH_ERR_VALIDATION, "to2", yh_client_duo_callback(c, same, &call, &err));
  yh_duo_callback_free(same);

  yh_duo_callback *d = NULL;
  yh_duo_callback_new("13800000001", "13800000002", 0, &d, NULL);
  ARG_CASE(YH_ERR_VALIDATION, "max_call_duration", yh_client_duo_callback(c, d, &call, &err));
  yh_duo_callback_free(d);

  yh_duo_callback_new("13800000001", "13800000002", 60, &d, NULL);
  yh_duo_callback_set_ring_tone_mode(d, 1, NULL);
  ARG_CASE(YH_ERR_VALIDATION, "ring_tone_mode", yh_client_duo_callback(c, d, &call, &err));
  yh_duo_callback_set_ring_tone_mode(d, 0, NULL);
  yh_duo_callback_set_max_dial_duration(d, 301, NULL);
  ARG_CASE(YH_ERR_VALIDATION, "max_dial_duration", yh_client_duo_callback(c, d, &call, &err));
  yh_duo_callback_free(d);

  yh_notify_call *n = NULL;
  yh_notify_call_new("13800000001", &n, NULL);
  ARG_CASE(YH_ERR_VALIDATION, "play_content", yh_client_notify_call(c, n, &call, &err));
  yh_notify_call_add_play_item(n, "12a", YH_PLAY_DIGITS, NULL);
  ARG_CASE(YH_ERR_VALIDATION, "play_content[0]", yh_client_notify_call(c, n, &call, &err));
  yh_notify_call_free(n);

  yh_verify_call *v = NULL;
  yh_verify_call_new("13800000001", &v, NULL);
  yh_verify_call_set_verify_code(v, "12ab", NULL);
  ARG_CASE(YH_ERR_VALIDATION, "verify_code", yh_client_verify_call(c, v, &call, &err));
  yh_verify_call_free(v);

  ARG_CASE(YH_ERR_VALIDATION, "call_id", yh_client_cancel_duo_callback(c, " ", &err));

  /* settings */
  yh_client_builder *b = NULL;
  yh_client *out = SENTINEL;
  yh_client_builder_new(APP, CERT, SECRET, &b, NULL);
  yh_client_builder_set_timeout_ms(b, 0, NULL);
  ARG_CASE(YH_ERR_VALIDATION, "timeout", yh_client_builder_build(b, &out, &err));
  yh_client_builder_set_timeout_ms(b, 1000, NULL);
  yh_client_builder_set_connect_timeout_ms(b, 0, NULL);
  ARG_CASE(YH_ERR_VALIDATION, "connect_timeout", yh_client_builder_build(b, &out, &err));
  yh_client_builder_set_connect_timeout_ms(b, 1000, NULL);
  check(yh_client_builder_set_max_idle_connections(b, 65537, NULL) == YH_OK, "max_idle_connections is set");
  ARG_CASE(YH_ERR_VALIDATION, "max_idle_connections", yh_client_builder_build(b, &out, &err));
  yh_client_builder_set_max_idle_connections(b, UINT64_MAX, NULL);
  ARG_CASE(YH_ERR_VALIDATION, "max_idle_connections", yh_client_builder_build(b, &out, &err));
  yh_client_builder_set_max_idle_connections(b, 0, NULL);
  yh_client *idle0 = NULL;
  check(yh_client_builder_build(b, &idle0, NULL) == YH_OK && idle0 != NULL, "max_idle_connections 0 is accepted");
  yh_client_free(idle0);
  yh_client_builder_set_max_idle_connections(b, 65536, NULL);
  yh_client_builder_set_base_url(b, "ftp://example", NULL);
  ARG_CASE(YH_ERR_VALIDATION, "base_url", yh_client_builder_build(b, &out, &err));
  yh_client_builder_free(b);
  yh_client_builder_new("", CERT, SECRET, &b, NULL);
  ARG_CASE(YH_ERR_VALIDATION, "app_id", yh_client_builder_build(b, &out, &err));
  yh_client_builder_free(b);
  check(out == SENTINEL && call == SENTINEL, "no output written on failure");

  check(stub_count(s) == 0, "nothing reached the server (%d requests)", stub_count(s));
  yh_client_free(c);
  stub_stop(s);
  group_end("validation errors name the field and send nothing");
}

/* Checks the stub's i-th request: path, headers, signature, exact body. */
static void check_wire(stub *s, int i, const char *op, const char *want_body) {
  char want_line[256];
  snprintf(want_line, sizeof want_line, "POST /v1/account/%s/%s HTTP/1.1", CERT, op);
  char *line = stub_request_line(s, i);
  check(str_eq(line, want_line), "%s: request line %s", op, show(line));
  char *body = stub_body(s, i);
  check(str_eq(body, want_body), "%s: body\n  got  %s\n  want %s", op, show(body), want_body);
  char *app = stub_header(s, i, "AppID"), *cert = stub_header(s, i, "CertID");
  char *ts = stub_header(s, i, "Timestamp"), *sig = stub_header(s, i, "Signature");
  char *ctype = stub_header(s, i, "Content-Type");
  check(str_eq(app, APP) && str_eq(cert, CERT), "%s: AppID and CertID headers", op);
  check(ts != NULL && strlen(ts) == 14, "%s: Timestamp header %s", op, show(ts));
  if (ts && body && ctype) {
    char path[256];
    snprintf(path, sizeof path, "/v1/account/%s/%s", CERT, op);
    char *mine = NULL;
    yh_result r = yh_sign("POST", path, ctype, ts, APP, (const uint8_t *)body, strlen(body), SECRET, &mine, NULL);
    check(r == YH_OK && str_eq(mine, sig), "%s: Signature header %s matches yh_sign %s", op, show(sig), show(mine));
    yh_string_free(mine);
  }
  free(line);
  free(body);
  free(app);
  free(cert);
  free(ts);
  free(sig);
  free(ctype);
}

/* Every parameter of every request reaches the wire, with the platform's names. */
static void test_wire_format(void) {
  group("every request parameter is sent");
  stub *s = stub_start(0, STUB_ANSWER, "200 OK",
                       "{\"code\":\"000000\",\"msg\":\"ok\",\"data\":{\"callId\":\"0123456789abcdef0123456789abcdef\","
                       "\"user_data\":\"ud-echo\"}}");
  char url[64];
  stub_url(s, url, sizeof url);
  yh_client *c = client_for(url, 5000);
  yh_error *err = NULL;

  yh_duo_callback *d = NULL;
  yh_duo_callback_new("13800000001", "13800000002", 600, &d, &err);
  yh_duo_callback_set_from1(d, "02000000001", &err);
  yh_duo_callback_set_from2(d, "02000000002", &err);
  yh_duo_callback_set_ring_tone(d, "ring.wav", &err);
  yh_duo_callback_set_ring_tone_mode(d, 2, &err);
  yh_duo_callback_set_max_dial_duration(d, 30, &err);
  yh_duo_callback_set_recording(d, true, &err);
  yh_duo_callback_set_record_mode(d, 3, &err);
  yh_duo_callback_set_user_data(d, "订单-42 \"q\"", &err);
  check(err == NULL, "setters succeed");
  yh_call_created *call = NULL;
  yh_result r = yh_client_duo_callback(c, d, &call, &err);
  check(r == YH_OK, "duo_callback against the stub: %d %s", (int)r, show(yh_error_message(err)));
  check(str_eq(yh_call_created_call_id(call), "0123456789abcdef0123456789abcdef"), "call id");
  check(str_eq(yh_call_created_user_data(call), "ud-echo"), "user data echoed");
  yh_call_created_free(call);
  check_wire(s, 0, "call/duo_callback",
             "{\"to1\":\"13800000001\",\"to2\":\"13800000002\",\"max_call_duration\":600,\"from1\":\"02000000001\","
             "\"from2\":\"02000000002\",\"ring_tone\":\"ring.wav\",\"ring_tone_mode\":2,\"max_dial_duration\":30,"
             "\"recording\":true,\"record_mode\":3,\"user_data\":\"\\u8ba2\\u5355-42 \\\"q\\\"\"}"); /* bodies are ASCII */
  yh_duo_callback_free(d);

  /* optional fields never set are left out */
  yh_duo_callback_new("13800000001", "13800000002", 60, &d, &err);
  r = yh_client_duo_callback(c, d, &call, &err);
  yh_call_created_free(call);
  check_wire(s, 1, "call/duo_callback", "{\"to1\":\"13800000001\",\"to2\":\"13800000002\",\"max_call_duration\":60}");
  yh_duo_callback_free(d);

  r = yh_client_cancel_duo_callback(c, "0123456789abcdef0123456789abcdef", &err);
  check(r == YH_OK, "cancel against the stub");
  check_wire(s, 2, "call/duo_callback_cancel", "{\"callId\":\"0123456789abcdef0123456789abcdef\"}");

  yh_notify_call *n = NULL;
  yh_notify_call_new("13800000003", &n, &err);
  yh_notify_call_set_from(n, "02000000001", &err);
  yh_notify_call_set_play_file(n, "a.wav|b.wav", &err);
  yh_notify_call_add_play_item(n, "hello.wav", YH_PLAY_FILE, &err);
  yh_notify_call_add_play_item(n, "123", YH_PLAY_DIGITS, &err);
  yh_notify_call_add_play_item(n, "3245.24", YH_PLAY_AMOUNT, &err);
  yh_notify_call_add_play_item(n, "2020-05-09 14:30", YH_PLAY_DATE_TIME, &err);
  yh_notify_call_set_repeat(n, 2, &err);
  yh_notify_call_set_max_dial_duration(n, 40, &err);
  yh_notify_call_set_user_data(n, "n-1", &err);
  r = yh_client_notify_call(c, n, &call, &err);
  check(r == YH_OK && str_eq(yh_call_created_call_id(call), "0123456789abcdef0123456789abcdef"), "notify_call");
  yh_call_created_free(call);
  check_wire(s, 3, "call/notify_call",
             "{\"to\":\"13800000003\",\"from\":\"02000000001\",\"play_file\":\"a.wav|b.wav\",\"play_content\":"
             "[[\"hello.wav\",0,\"\"],[\"123\",1,\"\"],[\"3245.24\",3,\"\"],[\"2020-05-09 14:30\",4,\"\"]],"
             "\"repeat\":2,\"max_dial_duration\":40,\"user_data\":\"n-1\"}");
  yh_notify_call_free(n);

  yh_verify_call *v = NULL;
  yh_verify_call_new("13800000004", &v, &err);
  yh_verify_call_set_from(v, "02000000001", &err);
  yh_verify_call_set_verify_code(v, "759345", &err);
  yh_verify_call_set_play_file(v, "prompt.wav", &err);
  yh_verify_call_set_repeat(v, 1, &err);
  yh_verify_call_set_max_dial_duration(v, 50, &err);
  yh_verify_call_set_user_data(v, "v-1", &err);
  r = yh_client_verify_call(c, v, &call, &err);
  /* The platform's answer to a verification call carries no user data; this stub's does. */
  check(r == YH_OK && str_eq(yh_call_created_user_data(call), "ud-echo"), "verify_call: the answer's user data");
  yh_call_created_free(call);
  check_wire(s, 4, "call/verify_call",
             "{\"to\":\"13800000004\",\"from\":\"02000000001\",\"verify_code\":\"759345\",\"play_file\":\"prompt.wav\","
             "\"repeat\":1,\"max_dial_duration\":50,\"user_data\":\"v-1\"}");
  yh_verify_call_free(v);
  check(err == NULL, "no error along the way");

  /* client accessors */
  check(str_eq(yh_client_app_id(c), APP) && str_eq(yh_client_cert_id(c), CERT) &&
            str_eq(yh_client_account_id(c), CERT),
        "client accessors");
  char root[128];
  snprintf(root, sizeof root, "%s/v1/account/%s/", url, CERT);
  check(str_eq(yh_client_api_root(c), root), "api root %s", show(yh_client_api_root(c)));
  yh_client_free(c);

  /* account id from the console URL, and set explicitly */
  yh_client_builder *b = NULL;
  yh_client_builder_new(APP, CERT, SECRET, &b, NULL);
  yh_client_builder_set_base_url(b, "http://api.yunhuni.com/v1/account/c1d2597d7d8ba80a4808d383d0b554f7/", NULL);
  yh_client_builder_set_user_agent(b, "test-suite/1", NULL);
  yh_client_builder_set_connect_retries(b, 2, NULL);
  yh_client_builder_build(b, &c, NULL);
  check(str_eq(yh_client_account_id(c), "c1d2597d7d8ba80a4808d383d0b554f7"), "account id from the base URL");
  yh_client_free(c);
  yh_client_builder_set_account_id(b, "acct-2", NULL);
  yh_client_builder_build(b, &c, NULL);
  check(str_eq(yh_client_account_id(c), "acct-2"), "account id set explicitly");
  yh_client_free(c);
  yh_client_builder_free(b);

  stub_stop(s);
  group_end("every request parameter is sent");
}

/* ---- request vectors (requests.tsv, from tests/vectors/requests.json) ------------------ */

#define MAX_PARAMS 60

/* One parameter of a request vector: a string, an integer, a boolean, or a play item. */
typedef struct {
  char *key;
  char type; /* 's', 'i', 'b' or 'p' */
  char *str; /* 's' and 'p': the decoded bytes, NUL-terminated */
  size_t str_len;
  long long num; /* 'i', 'b', and the play type of 'p' */
} req_param;

/* Parses "KEY=T:VALUE" in place; false if malformed. */
static bool parse_param(char *field, req_param *p) {
  p->key = field;
  p->type = '?';
  p->str = NULL;
  p->str_len = 0;
  p->num = 0;
  char *eq = strchr(field, '=');
  if (eq == NULL || eq[1] == '\0' || eq[2] != ':') return false;
  *eq = '\0';
  p->type = eq[1];
  char *value = eq + 3, *end = NULL;
  switch (p->type) {
    case 's':
      if (strlen(value) % 2 != 0) return false;
      p->str = unhex(value, &p->str_len);
      return true;
    case 'i':
    case 'b':
      errno = 0;
      p->num = strtoll(value, &end, 10);
      return errno == 0 && end != value && *end == '\0';
    case 'p': {
      char *colon = strchr(value, ':');
      if (colon == NULL || (colon - value) % 2 != 0) return false;
      *colon = '\0';
      errno = 0;
      p->num = strtoll(colon + 1, &end, 10);
      if (errno != 0 || end == colon + 1 || *end != '\0') return false;
      p->str = unhex(value, &p->str_len);
      return true;
    }
    default:
      return false;
  }
}

static const req_param *find_param(const req_param *ps, int n, const char *key) {
  for (int i = 0; i < n; i++) {
    if (strcmp(ps[i].key, key) == 0) return &ps[i];
  }
  return NULL;
}

static bool required(const char *name, const req_param *p, char type) {
  return check(p != NULL && p->type == type, "request %s: a required parameter is missing or of the wrong type",
               name);
}

/* Runs one step of building or sending a request while every step before it succeeded. */
#define REQ_STEP(CALL)      \
  do {                      \
    if (r == YH_OK) {       \
      r = (CALL);           \
    }                       \
  } while (0)

/* Reports a parameter this test does not know how to pass. */
#define REQ_UNKNOWN(P) \
  check(false, "request %s: parameter %s (type %c) is not known to this test", name, (P)->key, (P)->type)

/* Builds and sends one vector's request through `c` (or `cancel_c` for the cancel); returns the
 * result, with `*err` set on failure and `*call_id` (a copy) on success. */
static yh_result send_request(const char *name, const char *op, const req_param *ps, int n, yh_client *c,
                              yh_client *cancel_c, yh_error **err, char **call_id) {
  yh_result r = YH_OK;
  yh_call_created *call = NULL;
  if (strcmp(op, "duo_callback") == 0) {
    const req_param *to1 = find_param(ps, n, "to1"), *to2 = find_param(ps, n, "to2");
    const req_param *mcd = find_param(ps, n, "max_call_duration");
    if (!required(name, to1, 's') || !required(name, to2, 's') || !required(name, mcd, 'i')) return YH_ERR_PANIC;
    yh_duo_callback *d = NULL;
    REQ_STEP(yh_duo_callback_new(to1->str, to2->str, mcd->num, &d, err));
    for (int i = 0; i < n && r == YH_OK; i++) {
      const req_param *p = &ps[i];
      if (p == to1 || p == to2 || p == mcd) continue;
      if (strcmp(p->key, "from1") == 0 && p->type == 's') {
        r = yh_duo_callback_set_from1(d, p->str, err);
      } else if (strcmp(p->key, "from2") == 0 && p->type == 's') {
        r = yh_duo_callback_set_from2(d, p->str, err);
      } else if (strcmp(p->key, "ring_tone") == 0 && p->type == 's') {
        r = yh_duo_callback_set_ring_tone(d, p->str, err);
      } else if (strcmp(p->key, "ring_tone_mode") == 0 && p->type == 'i') {
        r = yh_duo_callback_set_ring_tone_mode(d, p->num, err);
      } else if (strcmp(p->key, "max_dial_duration") == 0 && p->type == 'i') {
        r = yh_duo_callback_set_max_dial_duration(d, p->num, err);
      } else if (strcmp(p->key, "recording") == 0 && p->type == 'b') {
        r = yh_duo_callback_set_recording(d, p->num != 0, err);
      } else if (strcmp(p->key, "record_mode") == 0 && p->type == 'i') {
        r = yh_duo_callback_set_record_mode(d, p->num, err);
      } else if (strcmp(p->key, "user_data") == 0 && p->type == 's') {
        r = yh_duo_callback_set_user_data(d, p->str, err);
      } else {
        REQ_UNKNOWN(p);
        r = YH_ERR_PANIC;
      }
    }
    REQ_STEP(yh_client_duo_callback(c, d, &call, err));
    yh_duo_callback_free(d);
  } else if (strcmp(op, "cancel_duo_callback") == 0) {
    const req_param *id = find_param(ps, n, "call_id");
    if (!required(name, id, 's')) return YH_ERR_PANIC;
    if (n != 1) {
      check(false, "request %s: parameters other than call_id", name);
      return YH_ERR_PANIC;
    }
    REQ_STEP(yh_client_cancel_duo_callback(cancel_c, id->str, err));
    if (r == YH_OK) *call_id = strdup("");
    return r;
  } else if (strcmp(op, "notify_call") == 0) {
    const req_param *to = find_param(ps, n, "to");
    if (!required(name, to, 's')) return YH_ERR_PANIC;
    yh_notify_call *q = NULL;
    REQ_STEP(yh_notify_call_new(to->str, &q, err));
    for (int i = 0; i < n && r == YH_OK; i++) {
      const req_param *p = &ps[i];
      if (p == to) continue;
      if (strcmp(p->key, "from") == 0 && p->type == 's') {
        r = yh_notify_call_set_from(q, p->str, err);
      } else if (strcmp(p->key, "play_file") == 0 && p->type == 's') {
        r = yh_notify_call_set_play_file(q, p->str, err);
      } else if (strcmp(p->key, "play_content") == 0 && p->type == 'p') {
        r = yh_notify_call_add_play_item(q, p->str, p->num, err);
      } else if (strcmp(p->key, "repeat") == 0 && p->type == 'i') {
        r = yh_notify_call_set_repeat(q, p->num, err);
      } else if (strcmp(p->key, "max_dial_duration") == 0 && p->type == 'i') {
        r = yh_notify_call_set_max_dial_duration(q, p->num, err);
      } else if (strcmp(p->key, "user_data") == 0 && p->type == 's') {
        r = yh_notify_call_set_user_data(q, p->str, err);
      } else {
        REQ_UNKNOWN(p);
        r = YH_ERR_PANIC;
      }
    }
    REQ_STEP(yh_client_notify_call(c, q, &call, err));
    yh_notify_call_free(q);
  } else if (strcmp(op, "verify_call") == 0) {
    const req_param *to = find_param(ps, n, "to");
    if (!required(name, to, 's')) return YH_ERR_PANIC;
    yh_verify_call *q = NULL;
    REQ_STEP(yh_verify_call_new(to->str, &q, err));
    for (int i = 0; i < n && r == YH_OK; i++) {
      const req_param *p = &ps[i];
      if (p == to) continue;
      if (strcmp(p->key, "from") == 0 && p->type == 's') {
        r = yh_verify_call_set_from(q, p->str, err);
      } else if (strcmp(p->key, "verify_code") == 0 && p->type == 's') {
        r = yh_verify_call_set_verify_code(q, p->str, err);
      } else if (strcmp(p->key, "play_file") == 0 && p->type == 's') {
        r = yh_verify_call_set_play_file(q, p->str, err);
      } else if (strcmp(p->key, "repeat") == 0 && p->type == 'i') {
        r = yh_verify_call_set_repeat(q, p->num, err);
      } else if (strcmp(p->key, "max_dial_duration") == 0 && p->type == 'i') {
        r = yh_verify_call_set_max_dial_duration(q, p->num, err);
      } else if (strcmp(p->key, "user_data") == 0 && p->type == 's') {
        r = yh_verify_call_set_user_data(q, p->str, err);
      } else {
        REQ_UNKNOWN(p);
        r = YH_ERR_PANIC;
      }
    }
    REQ_STEP(yh_client_verify_call(c, q, &call, err));
    yh_verify_call_free(q);
  } else {
    check(false, "request %s: unknown operation %s", name, op);
    return YH_ERR_PANIC;
  }
  if (r == YH_OK) {
    *call_id = strdup(show(yh_call_created_call_id(call)));
    yh_call_created_free(call);
  }
  return r;
}

/* Every request vector through the real client against loopback stubs that record the request:
 * the exact body for a body case; for an error case a validation error naming the field, and
 * nothing sent. */
static void test_request_vectors(const char *path) {
  group("request vectors through the typed calls of the first API");
  FILE *f = fopen(path, "r");
  if (!check(f != NULL, "open %s", path)) {
    group_end("request vectors through the typed calls of the first API");
    return;
  }
  stub *s = stub_start(0, STUB_ANSWER, "200 OK",
                       "{\"code\":\"000000\",\"msg\":\"请求成功\",\"data\":{\"callId\":\"0123456789abcdef0123456789abcdef\","
                       "\"user_data\":null}}");
  stub *cs = stub_start(0, STUB_ANSWER, "200 OK", "{\"code\":\"000000\",\"msg\":\"请求成功\",\"data\":null}");
  char url[64], cancel_url[64];
  stub_url(s, url, sizeof url);
  stub_url(cs, cancel_url, sizeof cancel_url);
  yh_client *c = client_for(url, 10000);
  yh_client *cc = client_for(cancel_url, 10000);
  char *line = NULL;
  size_t cap = 0;
  int declared = -1, cases = 0, bodies = 0, errors = 0;
  while (getline(&line, &cap, f) > 0) {
    char *fld[MAX_PARAMS + 4];
    int nf = split_tabs(line, fld, MAX_PARAMS + 4);
    if (declared < 0) {
      if (!check(nf == 2 && strcmp(fld[0], "count") == 0, "%s: first line is the count", path)) break;
      declared = atoi(fld[1]);
      continue;
    }
    cases++;
    char *name = unhex(fld[0], NULL);
    if (!check(nf >= 4 && nf < MAX_PARAMS + 4, "request %s: %d fields", name, nf)) {
      free(name);
      continue;
    }
    const char *op = fld[1];
    bool want_body = strcmp(fld[2], "body") == 0;
    size_t want_len = 0;
    char *want = unhex(fld[3], &want_len);
    req_param ps[MAX_PARAMS];
    int n = 0;
    bool ok = check(want_body || strcmp(fld[2], "error") == 0, "request %s: expect %s", name, fld[2]);
    for (int i = 4; i < nf; i++) {
      ok &= check(parse_param(fld[i], &ps[n]), "request %s: parameter field %d is well formed", name, i);
      if (ps[n].str != NULL && strlen(ps[n].str) != ps[n].str_len) {
        ok &= check(false, "request %s: %s holds a NUL byte, which a C string cannot carry", name, ps[n].key);
      }
      n++;
    }
    const char *wire_op = strcmp(op, "duo_callback") == 0          ? "call/duo_callback"
                          : strcmp(op, "cancel_duo_callback") == 0 ? "call/duo_callback_cancel"
                          : strcmp(op, "notify_call") == 0         ? "call/notify_call"
                          : strcmp(op, "verify_call") == 0         ? "call/verify_call"
                                                                   : NULL;
    ok &= check(wire_op != NULL, "request %s: known operation %s", name, op);
    if (ok) {
      stub *target = strcmp(op, "cancel_duo_callback") == 0 ? cs : s;
      int before = stub_count(target), other_before = stub_count(target == s ? cs : s);
      yh_error *err = NULL;
      char *call_id = NULL;
      yh_result r = send_request(name, op, ps, n, c, cc, &err, &call_id);
      int sent = stub_count(target) - before;
      check(stub_count(target == s ? cs : s) == other_before, "request %s: nothing sent to the other stub", name);
      if (want_body) {
        bodies++;
        check(r == YH_OK, "request %s: succeeds (result %d: %s)", name, (int)r, show(yh_error_message(err)));
        yh_error_free(err);
        if (strcmp(op, "cancel_duo_callback") != 0) {
          check(str_eq(call_id, "0123456789abcdef0123456789abcdef"), "request %s: call id %s", name, show(call_id));
        }
        if (check(sent == 1, "request %s: one request reached the stub (%d)", name, sent)) {
          char *body = stub_body(target, before);
          check(body != NULL && strlen(body) == want_len && memcmp(body, want, want_len) == 0,
                "request %s: body byte for byte\n  got  %s\n  want %s", name, show(body), want);
          check_wire(target, before, wire_op, want); /* the path, the headers and the signature */
          free(body);
        }
      } else {
        errors++;
        char what[512];
        snprintf(what, sizeof what, "request %s", name);
        check_error(r, err, YH_ERR_VALIDATION, "validation", want, what);
        check(sent == 0, "request %s: nothing reached the stub (%d requests)", name, sent);
      }
      free(call_id);
    }
    for (int i = 0; i < n; i++) free(ps[i].str);
    free(want);
    free(name);
  }
  free(line);
  fclose(f);
  check(declared > 0 && cases == declared, "read %d of %d request vectors", cases, declared);
  printf("# %d request vectors through the typed calls of the first API: %d bodies, %d validation errors\n", cases,
         bodies, errors);
  yh_client_free(c);
  yh_client_free(cc);
  stub_stop(s);
  stub_stop(cs);
  group_end("request vectors through the typed calls of the first API");
}

/* ---- requests by name and the generated typed functions --------------------------------- */

#define STUB_CALL_ID "0123456789abcdef0123456789abcdef"
#define STUB_DATA "{\"callId\":\"" STUB_CALL_ID "\",\"user_data\":null}"
#define STUB_ANSWER_BODY "{\"code\":\"000000\",\"msg\":\"请求成功\",\"data\":" STUB_DATA "}"

/* Every operation is listed once, by a static name that yh_request_new takes back. */
static void test_operations(void) {
  group("operations are listed");
  size_t n = yh_operation_count();
  check(n == 73, "73 operations, got %zu", n);
  int accepted = 0;
  for (size_t i = 0; i < n; i++) {
    const char *name = yh_operation_name(i);
    if (!check(name != NULL && name[0] != '\0', "operation %zu has a name", i)) continue;
    for (size_t j = 0; j < i; j++) {
      check(!str_eq(name, yh_operation_name(j)), "operation %s listed twice", name);
    }
    check(yh_operation_name(i) == name, "operation %s: the name is static", name);
    yh_request *r = NULL;
    yh_error *err = NULL;
    if (check(yh_request_new(name, &r, &err) == YH_OK, "yh_request_new(\"%s\"): %s", name, show(yh_error_message(err)))) {
      accepted++;
      check(str_eq(yh_request_operation(r), name), "yh_request_operation gives %s", name);
    }
    yh_error_free(err);
    yh_request_free(r);
  }
  check(accepted == (int)n, "every listed name makes a request (%d of %zu)", accepted, n);
  check(yh_operation_name(n) == NULL && yh_operation_name((size_t)-1) == NULL, "past the end: NULL");
  /* The alias of the first API's cancel. */
  yh_request *r = NULL;
  check(yh_request_new("cancel_duo_callback", &r, NULL) == YH_OK &&
            str_eq(yh_request_operation(r), "duo_callback_cancel"),
        "the alias cancel_duo_callback is duo_callback_cancel");
  yh_request_free(r);
  group_end("operations are listed");
}

/* NULL, invalid UTF-8, unknown operations and fields, wrong types: each names what was wrong. */
static void test_by_name_arguments(void) {
  group("by name: bad arguments are named and change nothing");
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
  yh_client *client = client_for(url, 2000);
  yh_request *req = NULL;
  check(yh_request_new("duo_callback", &req, NULL) == YH_OK, "fixture made");
  yh_request *req_out = SENTINEL;
  yh_response *resp_out = SENTINEL;
  yh_call_created *call_out = SENTINEL;

  /* yh_request_new */
  ARG_CASE(NUL_ARG, "operation", yh_request_new(NULL, &req_out, &err));
  ARG_CASE(BAD_UTF8, "operation", yh_request_new(BAD, &req_out, &err));
  ARG_CASE(YH_ERR_VALIDATION, "operation", yh_request_new("no_such_operation", &req_out, &err));
  ARG_CASE(NUL_ARG, "request_out", yh_request_new("conf_create", NULL, &err));
  {
    yh_error *err = NULL;
    yh_request_new("no_such_operation", &req_out, &err);
    check(strstr(show(yh_error_message(err)), "no_such_operation") != NULL, "the unknown operation is quoted: %s",
          show(yh_error_message(err)));
    yh_error_free(err);
  }

  /* the setters: NULL and invalid UTF-8 */
  ARG_CASE(NUL_ARG, "request", yh_request_set_str(NULL, "to1", "1", &err));
  ARG_CASE(NUL_ARG, "name", yh_request_set_str(req, NULL, "1", &err));
  ARG_CASE(BAD_UTF8, "name", yh_request_set_str(req, BAD, "1", &err));
  ARG_CASE(NUL_ARG, "to1", yh_request_set_str(req, "to1", NULL, &err));
  ARG_CASE(BAD_UTF8, "to1", yh_request_set_str(req, "to1", BAD, &err));
  ARG_CASE(NUL_ARG, "request", yh_request_set_int(NULL, "max_call_duration", 1, &err));
  ARG_CASE(NUL_ARG, "name", yh_request_set_int(req, NULL, 1, &err));
  ARG_CASE(NUL_ARG, "request", yh_request_set_bool(NULL, "recording", true, &err));
  ARG_CASE(BAD_UTF8, "name", yh_request_set_bool(req, BAD, true, &err));
  ARG_CASE(NUL_ARG, "request", yh_request_set_text(NULL, "to1", "1", &err));
  ARG_CASE(NUL_ARG, "user_data", yh_request_set_text(req, "user_data", NULL, &err));
  ARG_CASE(BAD_UTF8, "user_data", yh_request_set_text(req, "user_data", BAD, &err));
  ARG_CASE(NUL_ARG, "request", yh_request_set_json(NULL, "to1", "\"1\"", &err));
  ARG_CASE(NUL_ARG, "to1", yh_request_set_json(req, "to1", NULL, &err));
  ARG_CASE(BAD_UTF8, "to1", yh_request_set_json(req, "to1", BAD, &err));
  ARG_CASE(NUL_ARG, "request", yh_request_unset(NULL, "to1", &err));
  ARG_CASE(NUL_ARG, "name", yh_request_unset(req, NULL, &err));

  /* unknown fields and wrong types, checked by the core */
  ARG_CASE(YH_ERR_VALIDATION, "colour", yh_request_set_str(req, "colour", "red", &err));
  ARG_CASE(YH_ERR_VALIDATION, "colour", yh_request_unset(req, "colour", &err));
  ARG_CASE(YH_ERR_VALIDATION, "maxCallDuration", yh_request_set_int(req, "maxCallDuration", 60, &err));
  ARG_CASE(YH_ERR_VALIDATION, "max_call_duration", yh_request_set_str(req, "max_call_duration", "60", &err));
  ARG_CASE(YH_ERR_VALIDATION, "to1", yh_request_set_int(req, "to1", 1, &err));
  ARG_CASE(YH_ERR_VALIDATION, "to1", yh_request_set_bool(req, "to1", true, &err));
  ARG_CASE(YH_ERR_VALIDATION, "recording", yh_request_set_int(req, "recording", 1, &err));
  ARG_CASE(YH_ERR_VALIDATION, "max_call_duration", yh_request_set_int(req, "max_call_duration", 1LL << 40, &err));
  ARG_CASE(YH_ERR_VALIDATION, "max_call_duration", yh_request_set_text(req, "max_call_duration", "sixty", &err));
  ARG_CASE(YH_ERR_VALIDATION, "recording", yh_request_set_text(req, "recording", "maybe", &err));
  ARG_CASE(YH_ERR_VALIDATION, "to1", yh_request_set_json(req, "to1", "{not json", &err));
  ARG_CASE(YH_ERR_VALIDATION, "to1", yh_request_set_json(req, "to1", "13800000001", &err));
  {
    yh_error *err = NULL;
    yh_request_set_str(req, "colour", "red", &err);
    const char *m = show(yh_error_message(err));
    check(strstr(m, "duo_callback") != NULL && strstr(m, "to1") != NULL, "the unknown field's message lists the fields: %s", m);
    yh_error_free(err);
    yh_request_set_str(req, "max_call_duration", "60", &err);
    check(strstr(show(yh_error_message(err)), "integer") != NULL, "the wrong type's message says what was expected: %s",
          show(yh_error_message(err)));
    yh_error_free(err);
  }

  /* list items are checked and named by position */
  yh_request *notify = NULL;
  yh_request_new("notify_call", &notify, NULL);
  ARG_CASE(YH_ERR_VALIDATION, "play_content[1]", yh_request_set_json(notify, "play_content", "[[\"1\",1],[2,1]]", &err));
  ARG_CASE(YH_ERR_VALIDATION, "play_content", yh_request_set_json(notify, "play_content", "{\"a\":1}", &err));
  yh_request *skills = NULL;
  yh_request_new("agent_set_skills", &skills, NULL);
  ARG_CASE(YH_ERR_VALIDATION, "opts[0].score",
           yh_request_set_json(skills, "opts", "[{\"opt\":1,\"name\":\"a\",\"score\":\"high\"}]", &err));
  ARG_CASE(YH_ERR_VALIDATION, "opts[0].level", yh_request_set_json(skills, "opts", "[{\"opt\":1,\"level\":2}]", &err));

  /* yh_client_send and the typed sends */
  ARG_CASE(NUL_ARG, "client", yh_client_send(NULL, req, &resp_out, &err));
  ARG_CASE(NUL_ARG, "request", yh_client_send(client, NULL, &resp_out, &err));
  ARG_CASE(NUL_ARG, "response_out", yh_client_send(client, req, NULL, &err));
  ARG_CASE(NUL_ARG, "client", yh_client_ivr_call(NULL, req, &call_out, &err));
  ARG_CASE(NUL_ARG, "request", yh_client_ivr_call(client, NULL, &call_out, &err));
  ARG_CASE(NUL_ARG, "call_out", yh_client_ivr_call(client, req, NULL, &err));
  /* a request of another operation, refused before anything is sent */
  ARG_CASE(YH_ERR_VALIDATION, "request", yh_client_ivr_call(client, req, &call_out, &err));
  ARG_CASE(YH_ERR_VALIDATION, "request", yh_client_notify_call(client, req, &call_out, &err));
  /* the generated constructors and setters */
  ARG_CASE(NUL_ARG, "conf_id", yh_conf_start_play_new(NULL, "[]", &req_out, &err));
  ARG_CASE(NUL_ARG, "files", yh_conf_start_play_new("c1", NULL, &req_out, &err));
  ARG_CASE(BAD_UTF8, "conf_id", yh_conf_start_play_new(BAD, "[]", &req_out, &err));
  ARG_CASE(YH_ERR_VALIDATION, "files[0]", yh_conf_start_play_new("c1", "[1]", &req_out, &err));
  ARG_CASE(YH_ERR_VALIDATION, "files", yh_conf_start_play_new("c1", "a.wav", &req_out, &err));
  ARG_CASE(NUL_ARG, "request_out", yh_conf_create_new(60, NULL, &err));
  ARG_CASE(YH_ERR_VALIDATION, "max_duration", yh_conf_create_new(1LL << 33, &req_out, &err));
  ARG_CASE(NUL_ARG, "request", yh_conf_create_set_max_parts(NULL, 5, &err));
  ARG_CASE(NUL_ARG, "bgm_file", yh_conf_create_set_bgm_file(req, NULL, &err));
  ARG_CASE(BAD_UTF8, "bgm_file", yh_conf_create_set_bgm_file(req, BAD, &err));
  /* a setter of one operation on a request of another: the field is not one of its fields */
  ARG_CASE(YH_ERR_VALIDATION, "max_parts", yh_conf_create_set_max_parts(req, 5, &err));

  /* response accessors and frees with NULL */
  size_t len = 99;
  check(yh_response_json(NULL, &len) == NULL && len == 99 && yh_response_call_id(NULL) == NULL &&
            yh_request_operation(NULL) == NULL,
        "response and request accessors give NULL for NULL");
  yh_response_free(NULL);
  yh_request_free(NULL);
  check(req_out == SENTINEL && resp_out == SENTINEL && call_out == SENTINEL, "no output written on failure");

  /* nothing of the above changed the request: sending it finds its required fields missing */
  ARG_CASE(YH_ERR_VALIDATION, "to1", yh_client_send(client, req, &resp_out, &err));
  check(resp_out == SENTINEL, "no response written on failure");
  yh_request_free(skills);
  yh_request_free(notify);
  yh_request_free(req);
  yh_client_free(client);
  group_end("by name: bad arguments are named and change nothing");
}

/* The request line, body and signature of the stub's i-th request, for any method. */
static void check_request(stub *s, int i, const char *what, const char *method, const char *path, const char *query,
                          const char *body) {
  char *line = stub_request_line(s, i);
  char want[1024];
  snprintf(want, sizeof want, "%s /v1/account/%s/%s%s%s HTTP/1.1", method, CERT, path, query[0] ? "?" : "", query);
  check(str_eq(line, want), "%s: request line\n  got  %s\n  want %s", what, show(line), want);
  char *got = stub_body(s, i);
  check(str_eq(got, body), "%s: body\n  got  %s\n  want %s", what, show(got), body);
  char *ts = stub_header(s, i, "Timestamp"), *sig = stub_header(s, i, "Signature");
  char *ctype = stub_header(s, i, "Content-Type");
  char signed_path[512];
  snprintf(signed_path, sizeof signed_path, "/v1/account/%s/%s", CERT, path);
  char *mine = NULL;
  yh_result r = yh_sign(method, signed_path, ctype ? ctype : "", ts ? ts : "", APP, (const uint8_t *)show(got),
                        got ? strlen(got) : 0, SECRET, &mine, NULL);
  check(r == YH_OK && sig != NULL && str_eq(mine, sig), "%s: Signature %s matches yh_sign %s", what, show(sig), show(mine));
  yh_string_free(mine);
  free(line);
  free(got);
  free(ts);
  free(sig);
  free(ctype);
}

/* The generated typed functions and the by-name ones on the wire, for each method. */
static void test_by_name_requests(void) {
  group("by name and typed: every method on the wire, the answer as JSON");
  stub *s = stub_start(0, STUB_ANSWER, "200 OK", STUB_ANSWER_BODY);
  char url[64];
  stub_url(s, url, sizeof url);
  yh_client *c = client_for(url, 5000);
  yh_error *err = NULL;
  yh_response *resp = NULL;
  int sent = 0;

  /* POST, typed: required fields as arguments, optional ones by typed setters */
  yh_conf_create *conf = NULL;
  yh_conf_create_new(600, &conf, &err);
  yh_conf_create_set_max_parts(conf, 5, &err);
  yh_conf_create_set_recording(conf, true, &err);
  yh_conf_create_set_bgm_file(conf, "bgm.wav", &err);
  yh_conf_create_set_user_data(conf, "会议-1", &err);
  check(err == NULL, "typed conf_create made: %s", show(yh_error_message(err)));
  yh_result r = yh_client_send(c, conf, &resp, &err);
  check(r == YH_OK, "conf_create sent: %s", show(yh_error_message(err)));
  size_t len = 0;
  check(str_eq(yh_response_json(resp, &len), STUB_DATA) && len == strlen(STUB_DATA), "the answer's data as JSON: %s",
        show(yh_response_json(resp, NULL)));
  check(yh_response_call_id(resp) == NULL, "no call id for an operation that places no call");
  yh_response_free(resp);
  check_request(s, sent++, "conf_create", "POST", "conf/create", "",
                "{\"max_duration\":600,\"max_parts\":5,\"recording\":true,\"bgm_file\":\"bgm.wav\",\"user_data\":\"\\u4f1a\\u8bae-1\"}");
  /* unset by name: left out */
  yh_request_unset(conf, "bgm_file", &err);
  yh_request_unset(conf, "recording", &err);
  yh_client_send(c, conf, &resp, &err);
  yh_response_free(resp);
  check_request(s, sent++, "conf_create after unset", "POST", "conf/create", "",
                "{\"max_duration\":600,\"max_parts\":5,\"user_data\":\"\\u4f1a\\u8bae-1\"}");
  yh_request_free(conf);

  /* POST with a path parameter and a JSON list; by name with every setter kind */
  yh_conf_start_play *play = NULL;
  yh_conf_start_play_new("c/1 2", "[\"a.wav\",\"b.wav\"]", &play, &err);
  ARG_CASE(YH_ERR_VALIDATION, "conf_id", yh_client_send(c, play, &resp, &err));
  yh_request_set_text(play, "conf_id", "conf 1", &err);
  yh_request_set_text(play, "files", "x.wav,y.wav", &err);
  r = yh_client_send(c, play, &resp, &err);
  check(r == YH_OK, "conf_start_play sent: %s", show(yh_error_message(err)));
  yh_response_free(resp);
  check_request(s, sent++, "conf_start_play", "POST", "conf/start_play/conf%201", "", "{\"files\":[\"x.wav\",\"y.wav\"]}");
  yh_request_free(play);

  /* GET with query parameters, by name */
  yh_request *list = NULL;
  yh_request_new("ext_list", &list, &err);
  yh_request_set_int(list, "page_no", 2, &err);
  yh_request_set_text(list, "page_size", "50", &err);
  r = yh_client_send(c, list, &resp, &err);
  check(r == YH_OK, "ext_list sent: %s", show(yh_error_message(err)));
  yh_response_free(resp);
  check_request(s, sent++, "ext_list", "GET", "callcenter/extension", "pageNo=2&pageSize=50", "");
  /* the rules are checked when sending: 1001 is set, then refused */
  check(yh_request_set_int(list, "page_size", 1001, &err) == YH_OK, "page_size 1001 is set");
  ARG_CASE(YH_ERR_VALIDATION, "page_size", yh_client_send(c, list, &resp, &err));
  yh_request_free(list);

  /* DELETE, path and query from one field */
  yh_subaccount_delete *del = NULL;
  yh_subaccount_delete_new("sub-9", &del, &err);
  r = yh_client_send(c, del, &resp, &err);
  check(r == YH_OK, "subaccount_delete sent: %s", show(yh_error_message(err)));
  yh_response_free(resp);
  check_request(s, sent++, "subaccount_delete", "DELETE", "management/subaccount/sub-9", "subaccountId=sub-9", "");
  yh_request_free(del);

  /* a list of objects, by JSON */
  yh_agent_set_skills *skills = NULL;
  yh_agent_set_skills_new("agent-1", "[{\"opt\":1,\"name\":\"sales\",\"score\":5,\"enabled\":true},{\"opt\":2,\"name\":\"old\"}]",
                          &skills, &err);
  r = yh_client_send(c, skills, &resp, &err);
  check(r == YH_OK, "agent_set_skills sent: %s", show(yh_error_message(err)));
  yh_response_free(resp);
  check_request(s, sent++, "agent_set_skills", "POST", "callcenter/agent/agent-1/skills", "",
                "{\"opts\":[{\"opt\":1,\"name\":\"sales\",\"score\":5,\"enabled\":true},{\"opt\":2,\"name\":\"old\"}]}");
  yh_request_free(skills);

  /* operations that place a call: the call id, by yh_client_send and by the typed send */
  yh_ivr_call *ivr = NULL;
  yh_ivr_call_new("13800000001", 600, &ivr, &err);
  yh_ivr_call_set_user_data(ivr, "ivr-1", &err);
  r = yh_client_send(c, ivr, &resp, &err);
  check(r == YH_OK && str_eq(yh_response_call_id(resp), STUB_CALL_ID), "ivr_call by yh_client_send: call id %s",
        r == YH_OK ? show(yh_response_call_id(resp)) : "-");
  yh_response_free(resp);
  check_request(s, sent++, "ivr_call", "POST", "call/ivr_call", "",
                "{\"to\":\"13800000001\",\"max_call_duration\":600,\"user_data\":\"ivr-1\"}");
  yh_call_created *call = NULL;
  r = yh_client_ivr_call(c, ivr, &call, &err);
  check(r == YH_OK && str_eq(yh_call_created_call_id(call), STUB_CALL_ID), "ivr_call by yh_client_ivr_call");
  yh_call_created_free(call);
  sent++;
  yh_request_free(ivr);

  /* the first API's typed request is a yh_request too */
  yh_duo_callback *duo = NULL;
  yh_duo_callback_new("13800000001", "13800000002", 60, &duo, &err);
  yh_request_set_json(duo, "user_data", "\"by json\"", &err);
  r = yh_client_send(c, duo, &resp, &err);
  check(r == YH_OK && str_eq(yh_response_call_id(resp), STUB_CALL_ID), "duo_callback by yh_client_send");
  yh_response_free(resp);
  check_request(s, sent++, "duo_callback", "POST", "call/duo_callback", "",
                "{\"to1\":\"13800000001\",\"to2\":\"13800000002\",\"max_call_duration\":60,\"user_data\":\"by json\"}");
  yh_duo_callback_free(duo);
  check(err == NULL, "no error along the way: %s", show(yh_error_message(err)));
  yh_error_free(err);
  check(stub_count(s) == sent, "%d requests reached the stub, %d expected", stub_count(s), sent);

  /* an answer without a call id, for an operation that places a call, is a decode error */
  stub *odd = stub_start(0, STUB_ANSWER, "200 OK", "{\"code\":\"000000\",\"msg\":\"ok\",\"data\":{\"confId\":\"c\"}}");
  char odd_url[64];
  stub_url(odd, odd_url, sizeof odd_url);
  yh_client *oc = client_for(odd_url, 5000);
  yh_request *v = NULL;
  yh_request_new("verify_call", &v, NULL);
  yh_request_set_str(v, "to", "13800000001", NULL);
  yh_request_set_str(v, "verify_code", "1234", NULL);
  yh_response *none = SENTINEL;
  err = NULL;
  r = yh_client_send(oc, v, &none, &err);
  check_error(r, err, YH_ERR_DECODE, "decode", NULL, "a call answer without callId");
  check(none == SENTINEL, "no response written on failure");
  yh_request_free(v);
  yh_client_free(oc);
  stub_stop(odd);

  yh_client_free(c);
  stub_stop(s);
  group_end("by name and typed: every method on the wire, the answer as JSON");
}

/* Every request vector by name: yh_request_new, yh_request_set_json per parameter, yh_client_send;
 * method, path, query and body as the vector gives them, or a validation error naming the field
 * with nothing sent. */
static void test_request_vectors_by_name(const char *path) {
  group("request vectors by name");
  FILE *f = fopen(path, "r");
  if (!check(f != NULL, "open %s", path)) {
    group_end("request vectors by name");
    return;
  }
  stub *s = stub_start(0, STUB_ANSWER, "200 OK", STUB_ANSWER_BODY);
  char url[64];
  stub_url(s, url, sizeof url);
  yh_client *c = client_for(url, 10000);
  char *line = NULL;
  size_t cap = 0;
  int declared = -1, cases = 0, wires = 0, errors = 0, operations = 0;
  char seen[128][64];
  while (getline(&line, &cap, f) > 0) {
    char *fld[MAX_PARAMS + 8];
    int nf = split_tabs(line, fld, MAX_PARAMS + 8);
    if (declared < 0) {
      if (!check(nf == 2 && strcmp(fld[0], "count") == 0, "%s: first line is the count", path)) break;
      declared = atoi(fld[1]);
      continue;
    }
    cases++;
    char *name = unhex(fld[0], NULL);
    if (!check(nf >= 5, "request %s: %d fields", name, nf)) {
      free(name);
      continue;
    }
    char *op = unhex(fld[1], NULL);
    bool wire = strcmp(fld[2], "wire") == 0;
    int first_param = wire ? 7 : 5;
    if (!check((wire && nf >= 7) || (!wire && strcmp(fld[2], "error") == 0), "request %s: expect %s", name, fld[2])) {
      free(op);
      free(name);
      continue;
    }
    int before = stub_count(s);
    yh_request *req = NULL;
    yh_response *resp = SENTINEL;
    yh_error *err = NULL;
    yh_result r = yh_request_new(op, &req, &err);
    const char *canonical = yh_request_operation(req); /* an alias counts as its operation */
    bool known = canonical == NULL;
    for (int i = 0; i < operations && !known; i++) known = strcmp(seen[i], canonical) == 0;
    if (!known && operations < 128) snprintf(seen[operations++], sizeof seen[0], "%s", canonical);
    for (int i = first_param; i < nf && r == YH_OK; i++) {
      char *eq = strchr(fld[i], '=');
      if (!check(eq != NULL, "request %s: parameter %d is KEY=JSON", name, i)) {
        r = YH_ERR_PANIC;
        break;
      }
      *eq = '\0';
      char *key = unhex(fld[i], NULL), *json = unhex(eq + 1, NULL);
      r = yh_request_set_json(req, key, json, &err);
      free(key);
      free(json);
    }
    if (r == YH_OK) r = yh_client_send(c, req, &resp, &err);
    int sent = stub_count(s) - before;
    if (wire) {
      wires++;
      check(r == YH_OK, "request %s (%s): succeeds (result %d: %s)", name, op, (int)r, show(yh_error_message(err)));
      if (r == YH_OK) {
        check(str_eq(yh_response_json(resp, NULL), STUB_DATA), "request %s: the answer's data", name);
        const char *id = yh_response_call_id(resp);
        check(id == NULL || str_eq(id, STUB_CALL_ID), "request %s: call id %s", name, show(id));
        yh_response_free(resp);
      }
      yh_error_free(err);
      if (check(sent == 1, "request %s: one request reached the stub (%d)", name, sent)) {
        char *rl = stub_request_line(s, before);
        char *got_body = stub_body(s, before);
        /* the request line: METHOD /v1/account/CERT/PATH[?QUERY] HTTP/1.1 */
        char *sp1 = rl ? strchr(rl, ' ') : NULL;
        char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
        if (check(sp1 && sp2, "request %s: request line %s", name, show(rl))) {
          *sp1 = '\0';
          *sp2 = '\0';
          char *target = sp1 + 1, *q = strchr(target, '?');
          if (q) *q++ = '\0';
          char prefix[128];
          snprintf(prefix, sizeof prefix, "/v1/account/%s/", CERT);
          bool in_account = strncmp(target, prefix, strlen(prefix)) == 0;
          check(in_account, "request %s: path %s under %s", name, target, prefix);
          const char *got_path = in_account ? target + strlen(prefix) : target;
          const char *got_query = q ? q : "";
          if (strcmp(fld[3], "-") != 0) {
            check(strcmp(rl, fld[3]) == 0, "request %s: method %s, expected %s", name, rl, fld[3]);
          }
          if (strcmp(fld[4], "-") != 0) {
            char *want_path = unhex(fld[4], NULL);
            check(str_eq(got_path, want_path), "request %s: path %s, expected %s", name, got_path, want_path);
            free(want_path);
          }
          if (strcmp(fld[5], "-") != 0) {
            char *want_query = unhex(fld[5], NULL);
            check(str_eq(got_query, want_query), "request %s: query %s, expected %s", name, got_query, want_query);
            free(want_query);
          }
        }
        if (strcmp(fld[6], "null") == 0) {
          check(got_body != NULL && got_body[0] == '\0', "request %s: no body, got %s", name, show(got_body));
        } else if (strcmp(fld[6], "-") != 0) {
          size_t want_len = 0;
          char *want = unhex(fld[6], &want_len);
          check(got_body != NULL && strlen(got_body) == want_len && memcmp(got_body, want, want_len) == 0,
                "request %s: body byte for byte\n  got  %s\n  want %s", name, show(got_body), want);
          free(want);
        }
        free(rl);
        free(got_body);
      }
    } else {
      errors++;
      char *want_field = unhex(fld[4], NULL);
      char what[512];
      snprintf(what, sizeof what, "request %s (%s)", name, op);
      check(strcmp(fld[3], "validation") == 0, "%s: expects kind %s", what, fld[3]);
      check_error(r, err, YH_ERR_VALIDATION, fld[3], want_field, what);
      check(resp == SENTINEL, "%s: no response written", what);
      check(sent == 0, "%s: nothing reached the stub (%d requests)", what, sent);
      free(want_field);
    }
    yh_request_free(req);
    free(op);
    free(name);
  }
  free(line);
  fclose(f);
  check(declared > 0 && cases == declared, "read %d of %d request vectors", cases, declared);
  printf("# %d request vectors by name over %d operations: %d on the wire, %d validation errors\n", cases,
         operations, wires, errors);
  yh_client_free(c);
  stub_stop(s);
  group_end("request vectors by name");
}

/* Runs one duo_callback against a stub answering `response` and checks the error. */
static void error_from_stub(const char *name, stub_mode mode, const char *http_status, const char *body,
                            uint64_t timeout_ms, yh_result want, const char *kind, uint16_t status, const char *code) {
  group(name);
  stub *s = stub_start(0, mode, http_status, body);
  char url[64];
  stub_url(s, url, sizeof url);
  yh_client *c = client_for(url, timeout_ms);
  yh_duo_callback *d = NULL;
  yh_duo_callback_new("13800000001", "13800000002", 60, &d, NULL);
  yh_call_created *call = SENTINEL;
  yh_error *err = NULL;
  double t0 = now_s();
  yh_result r = yh_client_duo_callback(c, d, &call, &err);
  double took = now_s() - t0;
  check(status == yh_error_status(err), "%s: status %u, expected %u", name, yh_error_status(err), status);
  check(str_eq(yh_error_code(err), code), "%s: code %s", name, show(yh_error_code(err)));
  check(yh_error_field(err) == NULL, "%s: no field", name);
  check((want == YH_ERR_API) == (yh_error_platform_message(err) != NULL), "%s: platform message only for api", name);
  check_error(r, err, want, kind, NULL, name);
  check(call == SENTINEL, "%s: no output written", name);
  if (want == YH_ERR_TIMEOUT) {
    check(took < (double)timeout_ms / 1000.0 + 10.0, "%s: gave up after %.1f s", name, took);
  }
  yh_duo_callback_free(d);
  yh_client_free(c);
  stub_stop(s);
  group_end(name);
}

static void test_error_kinds(void) {
  error_from_stub("http: HTTP 500", STUB_ANSWER, "500 Internal Server Error", "oops!", 5000, YH_ERR_HTTP, "http",
                  500, NULL);
  error_from_stub("decode: HTTP 200 with junk", STUB_ANSWER, "200 OK", "not json!", 5000, YH_ERR_DECODE, "decode",
                  200, NULL);
  error_from_stub("api: HTTP 200 with a platform code", STUB_ANSWER, "200 OK",
                  "{\"code\":\"030500\",\"msg\":\"same number\",\"data\":null}", 5000, YH_ERR_API, "api", 200,
                  "030500");
  error_from_stub("auth: HTTP 401", STUB_ANSWER, "401 Unauthorized", "HTTP Status 401 - Bad credentials\n", 5000,
                  YH_ERR_AUTH, "auth", 401, NULL);
  error_from_stub("timeout: a server that never answers", STUB_HANG, NULL, NULL, 1000, YH_ERR_TIMEOUT, "timeout", 0,
                  NULL);

  group("transport: nothing listening");
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
  yh_client *c = client_for(url, 3000);
  yh_error *err = NULL;
  yh_result r = yh_client_cancel_duo_callback(c, "0123456789abcdef0123456789abcdef", &err);
  check(yh_error_status(err) == 0 && yh_error_code(err) == NULL, "transport: no status, no code");
  check_error(r, err, YH_ERR_TRANSPORT, "transport", NULL, "transport: closed port");
  yh_client_free(c);
  group_end("transport: nothing listening");
}

/* Every signing vector, through yh_string_to_sign and yh_sign. */
static void test_signing(const char *path) {
  group("signing vectors");
  FILE *f = fopen(path, "r");
  if (!check(f != NULL, "open %s", path)) return;
  char *line = NULL;
  size_t cap = 0;
  int cases = 0;
  while (getline(&line, &cap, f) > 0) {
    char *fld[10];
    if (split_tabs(line, fld, 10) != 10) continue;
    const char *name = fld[0];
    char *method = unhex(fld[1], NULL), *uri = unhex(fld[2], NULL), *ctype = unhex(fld[3], NULL);
    char *ts = unhex(fld[4], NULL), *app = unhex(fld[5], NULL), *secret = unhex(fld[6], NULL);
    size_t body_len = 0;
    char *body = unhex(fld[7], &body_len);
    char *want_sts = unhex(fld[8], NULL);
    const char *want_sig = fld[9];
    char *sts = NULL, *sig = NULL;
    yh_error *err = NULL;
    yh_result r1 = yh_string_to_sign(method, uri, ctype, ts, app, (const uint8_t *)body, body_len, &sts, &err);
    yh_result r2 = yh_sign(method, uri, ctype, ts, app, (const uint8_t *)body, body_len, secret, &sig, &err);
    check(r1 == YH_OK && str_eq(sts, want_sts), "signing %s: string to sign", name);
    check(r2 == YH_OK && str_eq(sig, want_sig), "signing %s: signature %s, expected %s", name, show(sig), want_sig);
    yh_string_free(sts);
    yh_string_free(sig);
    yh_error_free(err);
    free(method), free(uri), free(ctype), free(ts), free(app), free(secret), free(body), free(want_sts);
    cases++;
  }
  free(line);
  fclose(f);
  check(cases >= 40, "read %d signing vectors", cases);
  printf("# %d signing vectors\n", cases);
  group_end("signing vectors");
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s SIGNING_TSV REQUESTS_TSV REQUESTS_BY_NAME_TSV\n", argv[0]);
    return 2;
  }
  test_version_and_codes();
  test_null_arguments();
  test_invalid_utf8();
  test_validation();
  test_wire_format();
  test_error_kinds();
  test_signing(argv[1]);
  test_request_vectors(argv[2]);
  test_operations();
  test_by_name_arguments();
  test_by_name_requests();
  test_request_vectors_by_name(argv[3]);
  return finish("test_api");
}
