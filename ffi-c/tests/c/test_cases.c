/* Every case table of tests/cases/ that declares its fixtures (callcenter.json, messaging.json),
 * from C against the sandbox (YUNHUNI_* point at it), converted by cases_tsv.py: each case sent
 * by name with yh_request_new / yh_request_set_json / yh_client_send after the steps of its
 * fixture, checked for what the SDK refuses before sending (validation, the field named) and what
 * the platform answers (the data, or the api/http error and its code or status). Scripted
 * numbers go through the sandbox's admin endpoint (PUT /sandbox/numbers/{number}).
 *
 * A saved or awaited value is read from the answer's JSON by the last key of its path (the
 * first `"key":` in the text): enough for the tables' paths (`id`, `0.id`, `conditionId`, ...).
 *
 *   test_cases CASES.tsv */
#include "testlib.h"

static yh_client *client = NULL;

#define MAX_CELLS 64
#define MAX_STEPS 256
#define MAX_NAMES 16

/* A fixture step: its line's cells (owned by `line`). */
typedef struct {
  char *line;
  char *cells[MAX_CELLS];
  int n;
} record;

static record steps[MAX_STEPS];
static int n_steps = 0;

/* The names of one case: $N, $UNKNOWN and what its fixture saved. */
typedef struct {
  char name[32];
  char value[256];
} binding;

static binding names[MAX_NAMES];
static int n_names = 0;

static void set_name(const char *name, const char *value) {
  for (int i = 0; i < n_names; i++) {
    if (strcmp(names[i].name, name) == 0) {
      snprintf(names[i].value, sizeof names[i].value, "%s", value);
      return;
    }
  }
  if (n_names < MAX_NAMES) {
    snprintf(names[n_names].name, sizeof names[n_names].name, "%s", name);
    snprintf(names[n_names].value, sizeof names[n_names].value, "%s", value);
    n_names++;
  }
}

/* `text` with every $NAME replaced, longer names first ($EXT2 before $EXT). Free it. */
static char *substitute(const char *text) {
  char *out = strdup(text);
  bool done[MAX_NAMES] = {false};
  for (int round = 0; round < n_names; round++) {
    int pick = -1;
    for (int i = 0; i < n_names; i++) {
      if (!done[i] && (pick < 0 || strlen(names[i].name) > strlen(names[pick].name))) pick = i;
    }
    done[pick] = true;
    char from[40];
    snprintf(from, sizeof from, "$%s", names[pick].name);
    size_t n = 0, fl = strlen(from), tl = strlen(names[pick].value);
    for (const char *p = strstr(out, from); p != NULL; p = strstr(p + fl, from)) n++;
    if (n == 0) continue;
    char *next = malloc(strlen(out) + n * tl + 1);
    char *w = next;
    for (const char *p = out;;) {
      const char *hit = strstr(p, from);
      if (hit == NULL) {
        strcpy(w, p);
        break;
      }
      memcpy(w, p, (size_t)(hit - p));
      w += hit - p;
      memcpy(w, names[pick].value, tl);
      w += tl;
      p = hit + fl;
    }
    free(out);
    out = next;
  }
  return out;
}

static int split(char *line, char **cells) {
  int n = 0;
  for (char *p = line; n < MAX_CELLS;) {
    cells[n++] = p;
    char *tab = strchr(p, '\t');
    if (tab == NULL) break;
    *tab = '\0';
    p = tab + 1;
  }
  return n;
}

/* Sends `operation` with `n` fields (names and JSON values, $NAMES substituted). */
static yh_response *send_fields(const char *operation, int n, char **cells, yh_error **err_out) {
  yh_request *request = NULL;
  yh_response *response = NULL;
  if (yh_request_new(operation, &request, err_out) != YH_OK) return NULL;
  for (int i = 0; i < n; i++) {
    char *value = substitute(cells[2 * i + 1]);
    yh_result rc = yh_request_set_json(request, cells[2 * i], value, err_out);
    free(value);
    if (rc != YH_OK) {
      yh_request_free(request);
      return NULL;
    }
  }
  yh_client_send(client, request, &response, err_out);
  yh_request_free(request);
  return response;
}

/* The value of the last key of `path` in `json` (the first `"key":`): a string's content, or
 * false when absent or null. */
static bool path_value(const char *json, const char *path, char *out, size_t cap) {
  const char *key = strrchr(path, '.');
  key = key ? key + 1 : path;
  char pattern[80];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *p = strstr(json, pattern);
  if (p == NULL) return false;
  p += strlen(pattern);
  if (strncmp(p, "null", 4) == 0) return false;
  if (*p != '"') {
    size_t len = strcspn(p, ",}]");
    if (len >= cap) return false;
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
  }
  p++;
  const char *end = strchr(p, '"');
  if (end == NULL || (size_t)(end - p) >= cap) return false;
  memcpy(out, p, (size_t)(end - p));
  out[end - p] = '\0';
  return true;
}

/* Runs the steps of a fixture; false (with a failed check) when one does not succeed. */
static bool run_fixture(const char *fixture, const char *case_name) {
  for (int s = 0; s < n_steps; s++) {
    record *r = &steps[s];
    if (strcmp(r->cells[1], fixture) != 0) continue;
    const char *op = r->cells[2], *until = r->cells[3], *saves = r->cells[4];
    char *json = NULL;
    for (int attempt = 0;; attempt++) {
      yh_error *err = NULL;
      yh_response *resp = send_fields(op, (r->n - 5) / 2, r->cells + 5, &err);
      if (!check(resp != NULL, "%s: fixture step %s: %s", case_name, op, err ? yh_error_message(err) : "")) {
        yh_error_free(err);
        free(json);
        return false;
      }
      free(json);
      json = strdup(yh_response_json(resp, NULL));
      yh_response_free(resp);
      char scratch[256];
      if (strcmp(until, "-") == 0 || path_value(json, until, scratch, sizeof scratch)) break;
      if (!check(attempt < 3000, "%s: fixture step %s never gave %s", case_name, op, until)) {
        free(json);
        return false;
      }
      usleep(10 * 1000);
    }
    if (strcmp(saves, "-") != 0) {
      char *list = strdup(saves);
      for (char *save = NULL, *item = strtok_r(list, "\x1f", &save); item != NULL; item = strtok_r(NULL, "\x1f", &save)) {
        char *eq = strchr(item, '=');
        char value[256];
        if (eq == NULL) continue;
        *eq = '\0';
        if (check(path_value(json, eq + 1, value, sizeof value), "%s: fixture %s saves %s from %s", case_name, op, item,
                  json)) {
          set_name(item, value);
        }
      }
      free(list);
    }
    free(json);
  }
  return true;
}

static void check_data(const char *name, const char *json, const char *data) {
  if (strcmp(data, "-") == 0) return;
  if (strcmp(data, "$ANY") == 0) {
    check(json[0] == '"' && strlen(json) > 2, "%s: a non-empty string, got %s", name, json);
    return;
  }
  char *want = substitute(data);
  if (strchr(want, '\x1f') != NULL || (want[0] == '"' && strstr(want, "\":") != NULL)) {
    for (char *save = NULL, *f = strtok_r(want, "\x1f", &save); f != NULL; f = strtok_r(NULL, "\x1f", &save)) {
      check(strstr(json, f) != NULL, "%s: %s in %s", name, f, json);
    }
  } else {
    check(strcmp(json, want) == 0, "%s: data %s, got %s", name, want, json);
  }
  free(want);
}

static void run_case(char **cells, int n, const char *unknown, int number) {
  const char *name = cells[1], *op = cells[2], *needs = cells[3], *kind = cells[4], *expect = cells[5],
             *data = cells[6];
  n_names = 0;
  char num[16];
  snprintf(num, sizeof num, "%d", number);
  set_name("N", num);
  set_name("UNKNOWN", unknown);
  if (strcmp(needs, "-") != 0 && !run_fixture(needs, name)) return;
  yh_error *err = NULL;
  yh_response *r = send_fields(op, (n - 7) / 2, cells + 7, &err);
  if (strcmp(kind, "ok") == 0) {
    if (check(r != NULL, "%s: answered (%s)", name, err ? yh_error_message(err) : "")) {
      check_data(name, yh_response_json(r, NULL), data);
    }
  } else if (check(r == NULL && err != NULL, "%s: refused", name)) {
    check(strcmp(yh_error_kind(err), kind) == 0, "%s: kind %s, got %s (%s)", name, kind, yh_error_kind(err),
          yh_error_message(err));
    if (strcmp(kind, "validation") == 0) {
      const char *field = yh_error_field(err);
      check(field != NULL && strcmp(field, expect) == 0, "%s: field %s, got %s", name, expect, field ? field : "NULL");
      check(yh_error_status(err) == 0, "%s: nothing sent", name);
    } else if (strcmp(kind, "http") == 0) {
      check(yh_error_status(err) == atoi(expect), "%s: HTTP %s, got %d", name, expect, yh_error_status(err));
    } else {
      const char *code = yh_error_code(err);
      check(code != NULL && strcmp(code, expect) == 0, "%s: code %s, got %s", name, expect, code ? code : "NULL");
      check(yh_error_status(err) == 200, "%s: HTTP 200", name);
    }
  }
  yh_response_free(r);
  yh_error_free(err);
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
  char request[1024];
  int len = snprintf(request, sizeof request,
                     "PUT /sandbox/numbers/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     number, strlen(json), json);
  bool sent = len > 0 && len < (int)sizeof request && write(fd, request, (size_t)len) == len;
  char answer[64] = "";
  ssize_t got = sent ? read(fd, answer, sizeof answer - 1) : -1;
  close(fd);
  return got > 12 && strncmp(answer, "HTTP/1.1 200", 12) == 0;
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
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  char table[64] = "", unknown[64] = "";
  int cases = 0, tables = 0;
  while ((len = getline(&line, &cap, f)) > 0) {
    if (line[len - 1] == '\n') line[len - 1] = '\0';
    char *cells[MAX_CELLS];
    if (line[0] == 'F') {
      if (!check(n_steps < MAX_STEPS, "fixture steps fit")) continue;
      record *r = &steps[n_steps++];
      r->line = strdup(line);
      r->n = split(r->line, r->cells);
      continue;
    }
    int n = split(line, cells);
    if (cells[0][0] == 'T' && n == 3) {
      if (tables++ > 0) group_end(table);
      for (int i = 0; i < n_steps; i++) free(steps[i].line);
      n_steps = 0;
      snprintf(table, sizeof table, "every case of tests/cases/%s.json", cells[1]);
      snprintf(unknown, sizeof unknown, "%s", cells[2]);
      group(table);
    } else if (cells[0][0] == 'S' && n == 3) {
      check(script_number(cells[1], cells[2]), "%s: the number %s is scripted", table, cells[1]);
    } else if (cells[0][0] == 'C' && n >= 7 && (n - 7) % 2 == 0) {
      /* $N: unique in this sandbox even when it served an earlier run (at most 7 digits). */
      run_case(cells, n, unknown, (int)(getpid() % 9000 + 1000) * 1000 + cases % 1000);
      cases++;
    } else {
      check(false, "a line of the table reads: %s", line);
    }
  }
  if (tables > 0) group_end(table);
  for (int i = 0; i < n_steps; i++) free(steps[i].line);
  free(line);
  fclose(f);
  check(tables >= 1 && cases >= 150, "the tables have their cases (%d tables, %d cases)", tables, cases);
  yh_client_free(client);
  return finish("test_cases");
}
