/* Conferences and recordings from C against the sandbox (YUNHUNI_* point at it): every case of
 * tests/cases/conference.json, converted by conference_tsv.py, sent by name with
 * yh_request_new / yh_request_set_json / yh_client_send, checked for what the SDK refuses before
 * sending (validation, the field named) and what the platform answers (the data, or the api error
 * and its code). A case that needs a conference gets one made here (conf_create), one that needs a
 * member gets a number invited into it; the red-listed number is scripted through the sandbox's
 * admin endpoint (PUT /sandbox/numbers/{number}) over a plain socket.
 *
 *   test_conference CASES.tsv */
#include "testlib.h"

static yh_client *client = NULL;

/* A copy of `text` with every `from` replaced by `to`. Free it. */
static char *replace_all(const char *text, const char *from, const char *to) {
  size_t n = 0, fl = strlen(from);
  for (const char *p = strstr(text, from); p != NULL; p = strstr(p + fl, from)) n++;
  char *out = malloc(strlen(text) + n * strlen(to) + 1);
  char *w = out;
  for (const char *p = text;;) {
    const char *hit = strstr(p, from);
    if (hit == NULL) {
      strcpy(w, p);
      break;
    }
    memcpy(w, p, (size_t)(hit - p));
    w += hit - p;
    strcpy(w, to);
    w += strlen(to);
    p = hit + fl;
  }
  return out;
}

/* Sends `operation` with `n` fields (names and JSON values). Returns the response or NULL with
 * `*err_out` set. */
static yh_response *send_fields(const char *operation, int n, char **names, char **values, yh_error **err_out) {
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

/* Sends an operation expected to succeed; copies `key` of its data into `out`. */
static bool make(const char *operation, int n, char **names, char **values, const char *key, char *out, size_t cap) {
  yh_error *err = NULL;
  yh_response *r = send_fields(operation, n, names, values, &err);
  bool ok = check(r != NULL, "%s: %s", operation, err ? yh_error_message(err) : "answered") &&
            check(json_str(yh_response_json(r, NULL), key, out, cap), "%s: %s in the answer", operation, key);
  yh_response_free(r);
  yh_error_free(err);
  return ok;
}

/* PUT /sandbox/numbers/{number} with `json` to the sandbox of YUNHUNI_BASE_URL; true on 200. */
static bool script_number(const char *number, const char *json) {
  const char *base = getenv("YUNHUNI_BASE_URL");
  int port = 0;
  if (base == NULL || sscanf(base, "http://127.0.0.1:%d", &port) != 1) return false;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    if (fd >= 0) close(fd);
    return false;
  }
  char request[512];
  int len = snprintf(request, sizeof request,
                     "PUT /sandbox/numbers/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     number, strlen(json), json);
  bool sent = write(fd, request, (size_t)len) == len;
  char answer[64] = "";
  ssize_t got = sent ? read(fd, answer, sizeof answer - 1) : -1;
  close(fd);
  return got > 12 && strncmp(answer, "HTTP/1.1 200", 12) == 0;
}

static void run_case(char *line) {
  char *cells[64];
  int n = 0;
  for (char *save = NULL, *c = strtok_r(line, "\t", &save); c != NULL && n < 64; c = strtok_r(NULL, "\t", &save)) {
    cells[n++] = c;
  }
  if (!check(n >= 6 && (n - 6) % 2 == 0, "a case line has its cells (%d)", n)) return;
  const char *name = cells[0], *op = cells[1], *needs = cells[2], *kind = cells[3], *expect = cells[4],
             *data = cells[5];
  char conf[40] = "", call[40] = "";
  if (strcmp(needs, "conf") == 0 || strcmp(needs, "member") == 0) {
    char *names[] = {"max_duration"};
    char *values[] = {"600"};
    if (!make("conf_create", 1, names, values, "confId", conf, sizeof conf)) return;
  }
  if (strcmp(needs, "member") == 0) {
    char quoted[48];
    snprintf(quoted, sizeof quoted, "\"%s\"", conf);
    char *names[] = {"conf_id", "to", "max_duration"};
    char *values[] = {quoted, "\"13900000005\"", "600"};
    if (!make("conf_invite_call", 3, names, values, "callId", call, sizeof call)) return;
    usleep(300 * 1000); /* the member answers after 2 simulated seconds */
  }
  int nf = (n - 6) / 2;
  char *names[32], *values[32];
  for (int i = 0; i < nf; i++) {
    names[i] = cells[6 + 2 * i];
    char *with_conf = replace_all(cells[7 + 2 * i], "$CONF", conf);
    values[i] = replace_all(with_conf, "$CALL", call);
    free(with_conf);
  }
  yh_error *err = NULL;
  yh_response *r = send_fields(op, nf, names, values, &err);
  if (strcmp(kind, "ok") == 0) {
    if (check(r != NULL, "%s: answered (%s)", name, err ? yh_error_message(err) : "")) {
      const char *json = yh_response_json(r, NULL);
      if (strcmp(data, "true") == 0) {
        check(strcmp(json, "true") == 0, "%s: data true, got %s", name, json);
      } else if (strcmp(data, "-") != 0) {
        char *want = strdup(data);
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

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CASES.tsv\n", argv[0]);
    return 2;
  }
  yh_error *err = NULL;
  if (yh_client_from_env(&client, &err) != YH_OK) {
    printf("FAIL yh_client_from_env: %s\n", yh_error_message(err));
    yh_error_free(err);
    return 1;
  }
  FILE *f = fopen(argv[1], "r");
  if (f == NULL) {
    printf("FAIL cannot open %s\n", argv[1]);
    return 1;
  }
  group("every case of tests/cases/conference.json");
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int cases = 0;
  if ((len = getline(&line, &cap, f)) > 0) {
    if (line[len - 1] == '\n') line[len - 1] = '\0';
    check(script_number(line, "{\"code\":\"020001\"}"), "the red-listed number %s is scripted", line);
  }
  while ((len = getline(&line, &cap, f)) > 0) {
    if (line[len - 1] == '\n') line[len - 1] = '\0';
    run_case(line);
    cases++;
  }
  free(line);
  fclose(f);
  check(cases >= 40, "the table has its cases (%d)", cases);
  group_end("every case of tests/cases/conference.json");
  yh_client_free(client);
  return finish("test_conference");
}
