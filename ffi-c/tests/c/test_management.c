/* Management (sub-accounts and numbers) from C against the sandbox (YUNHUNI_* point at it): every
 * case of tests/cases/management.json, converted by management_tsv.py, sent by name with
 * yh_request_new / yh_request_set_json / yh_client_send, checked for what the SDK refuses before
 * sending (validation, the field named) and what the platform answers (the data, or the api error
 * and its code); then a sub-account made here signs at once and is refused once disabled and once
 * deleted.
 *
 *   test_management CASES.tsv */
#include "testlib.h"

static yh_client *primary = NULL;

/* A copy of `text` with every "$SUB" replaced by `sub`. Free it. */
static char *with_sub(const char *text, const char *sub) {
  size_t n = 0;
  for (const char *p = strstr(text, "$SUB"); p != NULL; p = strstr(p + 4, "$SUB")) n++;
  char *out = malloc(strlen(text) + n * strlen(sub) + 1);
  char *w = out;
  for (const char *p = text;;) {
    const char *hit = strstr(p, "$SUB");
    if (hit == NULL) {
      strcpy(w, p);
      break;
    }
    memcpy(w, p, (size_t)(hit - p));
    w += hit - p;
    strcpy(w, sub);
    w += strlen(sub);
    p = hit + 4;
  }
  return out;
}

/* Sends `operation` with `n` fields (names and JSON values). Returns the response or NULL with
 * `*err_out` set. */
static yh_response *send_fields(const yh_client *client, const char *operation, int n, char **names, char **values,
                                yh_error **err_out) {
  yh_request *request = NULL;
  yh_response *response = NULL;
  if (yh_request_new(operation, &request, err_out) != YH_OK) return NULL;
  for (int i = 0; i < n; i++) {
    if (yh_request_set_json(request, names[i], values[i], err_out) != YH_OK) {
      yh_request_free(request);
      return NULL;
    }
  }
  yh_client_send(client, request, &response, err_out);
  yh_request_free(request);
  return response;
}

/* Makes a sub-account; returns its answer's JSON (free it) or NULL. */
static char *create_sub(const yh_client *client, const char *fields_json) {
  char *names[] = {"quotas"};
  char *values[] = {(char *)fields_json};
  yh_error *err = NULL;
  yh_response *r = send_fields(client, "subaccount_create", fields_json ? 1 : 0, names, values, &err);
  if (r == NULL) {
    check(false, "subaccount_create: %s", yh_error_message(err));
    yh_error_free(err);
    return NULL;
  }
  char *json = strdup(yh_response_json(r, NULL));
  yh_response_free(r);
  return json;
}

/* The string value of `"key":"..."` in `json` (no escapes in ids), copied into `out`. */
static bool json_str(const char *json, const char *key, char *out, size_t cap) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  const char *p = strstr(json, pattern);
  if (p == NULL) return false;
  p += strlen(pattern);
  const char *end = strchr(p, '"');
  if (end == NULL || (size_t)(end - p) >= cap) return false;
  memcpy(out, p, (size_t)(end - p));
  out[end - p] = '\0';
  return true;
}

static void run_case(char *line) {
  char *cells[64];
  int n = 0;
  for (char *save = NULL, *c = strtok_r(line, "\t", &save); c != NULL && n < 64; c = strtok_r(NULL, "\t", &save)) {
    cells[n++] = c;
  }
  if (!check(n >= 6 && (n - 6) % 2 == 0, "a case line has its cells (%d)", n)) return;
  const char *name = cells[0], *op = cells[1], *kind = cells[3], *expect = cells[4], *data = cells[5];
  char sub[40] = "";
  if (strcmp(cells[2], "1") == 0) {
    char *made = create_sub(primary, NULL);
    if (made == NULL) return;
    json_str(made, "id", sub, sizeof sub);
    free(made);
  }
  int nf = (n - 6) / 2;
  char *names[32], *values[32];
  for (int i = 0; i < nf; i++) {
    names[i] = cells[6 + 2 * i];
    values[i] = with_sub(cells[7 + 2 * i], sub);
  }
  yh_error *err = NULL;
  yh_response *r = send_fields(primary, op, nf, names, values, &err);
  if (strcmp(kind, "ok") == 0) {
    if (check(r != NULL, "%s: answered (%s)", name, err ? yh_error_message(err) : "")) {
      const char *json = yh_response_json(r, NULL);
      if (strcmp(data, "true") == 0) {
        check(strcmp(json, "true") == 0, "%s: data true, got %s", name, json);
      } else if (strcmp(data, "-") != 0) {
        char *want = with_sub(data, sub);
        for (char *save = NULL, *f = strtok_r(want, "\x1f", &save); f != NULL; f = strtok_r(NULL, "\x1f", &save)) {
          check(strstr(json, f) != NULL, "%s: %s in %s", name, f, json);
        }
        free(want);
      }
    }
  } else if (check(r == NULL && err != NULL, "%s: refused", name)) {
    check(strcmp(yh_error_kind(err), kind) == 0, "%s: kind %s, got %s (%s)", name, kind, yh_error_kind(err),
          yh_error_message(err));
    if (strcmp(kind, "validation") == 0) {
      const char *field = yh_error_field(err);
      check(field != NULL && strcmp(field, expect) == 0, "%s: field %s, got %s", name, expect, field ? field : "NULL");
      check(yh_error_status(err) == 0, "%s: nothing sent", name);
    } else {
      const char *code = yh_error_code(err);
      check(code != NULL && strcmp(code, expect) == 0, "%s: code %s, got %s", name, expect, code ? code : "NULL");
      check(yh_error_status(err) == 200, "%s: HTTP 200", name);
    }
  }
  yh_response_free(r);
  yh_error_free(err);
  for (int i = 0; i < nf; i++) free(values[i]);
}

/* A notify_call by the client; returns the error (free it) or NULL on success. */
static yh_error *notify(const yh_client *client) {
  char *names[] = {"to", "play_content"};
  char *values[] = {"\"13800000001\"", "[[\"hello\",0]]"};
  yh_error *err = NULL;
  yh_response *r = send_fields(client, "notify_call", 2, names, values, &err);
  yh_response_free(r);
  return err;
}

static void refused(yh_error *err, const char *text, const char *what) {
  check(err != NULL && strcmp(yh_error_kind(err), "auth") == 0 && yh_error_status(err) == 401 &&
            strstr(yh_error_message(err), text) != NULL,
        "%s: 401 %s (%s)", what, text, err ? yh_error_message(err) : "accepted");
  yh_error_free(err);
}

static void life_cycle(void) {
  group("life cycle");
  char *made = create_sub(primary, "[{\"type\":\"CallQuota\",\"value\":30}]");
  char id[40], cert[40], secret[40], app[40];
  if (made == NULL || !check(json_str(made, "id", id, sizeof id) && json_str(made, "certId", cert, sizeof cert) &&
                                 json_str(made, "secretKey", secret, sizeof secret) &&
                                 json_str(made, "appId", app, sizeof app),
                             "the answer carries the credentials: %s", made ? made : "")) {
    free(made);
    group_end("life cycle");
    return;
  }
  free(made);
  yh_client_builder *b = NULL;
  yh_client *sub = NULL;
  yh_error *err = NULL;
  check(yh_client_builder_new(app, cert, secret, &b, &err) == YH_OK &&
            yh_client_builder_set_base_url(b, getenv("YUNHUNI_BASE_URL"), &err) == YH_OK &&
            yh_client_builder_build(b, &sub, &err) == YH_OK,
        "a client with the sub-account's credentials");
  yh_client_builder_free(b);
  yh_error_free(err);
  err = notify(sub);
  check(err == NULL, "the new sub-account signs at once (%s)", err ? yh_error_message(err) : "ok");
  yh_error_free(err);

  char *n1[] = {"subaccount_id", "enabled"};
  char id_json[48];
  snprintf(id_json, sizeof id_json, "\"%s\"", id);
  char *off[] = {id_json, "0"};
  err = NULL;
  yh_response_free(send_fields(primary, "subaccount_update", 2, n1, off, &err));
  check(err == NULL, "disabled");
  yh_error_free(err);
  refused(notify(sub), "子账号被禁用", "disabled");

  char *on[] = {id_json, "1"};
  err = NULL;
  yh_response_free(send_fields(primary, "subaccount_update", 2, n1, on, &err));
  yh_error_free(err);
  err = notify(sub);
  check(err == NULL, "enabled again");
  yh_error_free(err);

  char *n2[] = {"subaccount_id"};
  char *del[] = {id_json};
  err = NULL;
  yh_response *r = send_fields(primary, "subaccount_delete", 1, n2, del, &err);
  check(r != NULL && strcmp(yh_response_json(r, NULL), "true") == 0, "deleted");
  yh_response_free(r);
  yh_error_free(err);
  refused(notify(sub), "Bad credentials", "deleted");
  yh_client_free(sub);
  group_end("life cycle");
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CASES.tsv\n", argv[0]);
    return 2;
  }
  yh_error *err = NULL;
  if (yh_client_from_env(&primary, &err) != YH_OK) {
    printf("FAIL yh_client_from_env: %s\n", yh_error_message(err));
    yh_error_free(err);
    return 1;
  }
  FILE *f = fopen(argv[1], "r");
  if (f == NULL) {
    printf("FAIL cannot open %s\n", argv[1]);
    return 1;
  }
  group("every case of tests/cases/management.json");
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int cases = 0;
  while ((len = getline(&line, &cap, f)) > 0) {
    if (line[len - 1] == '\n') line[len - 1] = '\0';
    run_case(line);
    cases++;
  }
  free(line);
  fclose(f);
  check(cases >= 30, "the table has its cases (%d)", cases);
  group_end("every case of tests/cases/management.json");
  life_cycle();
  yh_client_free(primary);
  return finish("test_management");
}
