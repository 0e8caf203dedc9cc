/* Every event vector through yh_event_parse: the canonical JSON view, the name, type and raw
 * text, and the same view rebuilt from the typed accessors; decode errors for malformed bodies;
 * the accessor conventions (absent, wrong event type, NULL).
 *
 *   test_events EVENTS_TSV
 */
#include "testlib.h"

#define SENTINEL ((void *)(uintptr_t)0x5e17)

typedef yh_result (*int_accessor)(const yh_event *, int64_t *);
typedef yh_result (*str_accessor)(const yh_event *, const char **);

/* One key of the canonical view, in sorted order; NULL accessors mean the event name. */
typedef struct {
  const char *key;
  int_accessor i;
  str_accessor s;
} field;

static const field DUO[] = {
    {"answer_time1", yh_event_duo_answer_time1, NULL},
    {"answer_time2", yh_event_duo_answer_time2, NULL},
    {"begin_time", yh_event_duo_begin_time, NULL},
    {"duration", yh_event_duo_duration, NULL},
    {"end_time", yh_event_duo_end_time, NULL},
    {"error", NULL, yh_event_duo_error},
    {"event", NULL, NULL},
    {"hangup_by", yh_event_duo_hangup_by, NULL},
    {"id", NULL, yh_event_duo_id},
    {"outcome", NULL, yh_event_duo_outcome},
    {"reason", NULL, yh_event_duo_reason},
    {"record_file", NULL, yh_event_duo_record_file},
    {"subaccount_id", NULL, yh_event_duo_subaccount_id},
    {"talk_seconds", yh_event_duo_talk_seconds, NULL},
    {"type", NULL, NULL},
    {"user_data", NULL, yh_event_duo_user_data},
};

static const field NOTIFY[] = {
    {"answer_time", yh_event_notify_answer_time, NULL},
    {"begin_time", yh_event_notify_begin_time, NULL},
    {"dropped_by", NULL, yh_event_notify_dropped_by},
    {"duration", yh_event_notify_duration, NULL},
    {"end_time", yh_event_notify_end_time, NULL},
    {"ended_by", NULL, yh_event_notify_ended_by},
    {"error", NULL, yh_event_notify_error},
    {"event", NULL, NULL},
    {"hangup_by", NULL, yh_event_notify_hangup_by},
    {"id", NULL, yh_event_notify_id},
    {"reason", NULL, yh_event_notify_reason},
    {"subaccount_id", NULL, yh_event_notify_subaccount_id},
    {"type", NULL, NULL},
    {"user_data", NULL, yh_event_notify_user_data},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A growing string. */
typedef struct {
  char *p;
  size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->p = realloc(b->p, b->cap);
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

/* A JSON string, escaped as compact JSON writers do. */
static void put_json_string(buf *b, const char *s) {
  puts_(b, "\"");
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    char esc[8];
    switch (*c) {
      case '"': puts_(b, "\\\""); break;
      case '\\': puts_(b, "\\\\"); break;
      case '\b': puts_(b, "\\b"); break;
      case '\f': puts_(b, "\\f"); break;
      case '\n': puts_(b, "\\n"); break;
      case '\r': puts_(b, "\\r"); break;
      case '\t': puts_(b, "\\t"); break;
      default:
        if (*c < 0x20) {
          snprintf(esc, sizeof esc, "\\u%04x", *c);
          puts_(b, esc);
        } else {
          put(b, (const char *)c, 1);
        }
    }
  }
  puts_(b, "\"");
}

/* The canonical view rebuilt from the typed accessors, keys sorted. */
static char *rebuild(const yh_event *ev, const field *fields, size_t n, const char *name) {
  buf b = {NULL, 0, 0};
  puts_(&b, "{");
  for (size_t i = 0; i < n; i++) {
    const field *f = &fields[i];
    if (i > 0) puts_(&b, ",");
    put_json_string(&b, f->key);
    puts_(&b, ":");
    if (f->i != NULL) {
      int64_t v = -12345;
      yh_result r = f->i(ev, &v);
      if (r == YH_OK) {
        char num[32];
        snprintf(num, sizeof num, "%lld", (long long)v);
        puts_(&b, num);
      } else {
        check(r == YH_ABSENT && v == -12345, "%s: %s gives %d and writes nothing", name, f->key, (int)r);
        puts_(&b, "null");
      }
    } else if (f->s != NULL) {
      const char *v = SENTINEL;
      yh_result r = f->s(ev, &v);
      if (r == YH_OK) {
        check(v != NULL, "%s: %s is not NULL", name, f->key);
        put_json_string(&b, v ? v : "");
      } else {
        check(r == YH_ABSENT && v == SENTINEL, "%s: %s gives %d and writes nothing", name, f->key, (int)r);
        puts_(&b, "null");
      }
    } else {
      put_json_string(&b, yh_event_name(ev));
    }
  }
  puts_(&b, "}");
  return b.p;
}

/* Every accessor of `fields` answers YH_ERR_WRONG_EVENT on `ev` and writes nothing. */
static void check_wrong(const yh_event *ev, const field *fields, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++) {
    int64_t v = -1;
    const char *s = SENTINEL;
    if (fields[i].i) check(fields[i].i(ev, &v) == YH_ERR_WRONG_EVENT && v == -1, "%s: %s is the wrong event", name, fields[i].key);
    if (fields[i].s) check(fields[i].s(ev, &s) == YH_ERR_WRONG_EVENT && s == SENTINEL, "%s: %s is the wrong event", name, fields[i].key);
  }
}

/* Every accessor of `fields` answers YH_ERR_NULL_ARGUMENT for a NULL event or a NULL out. */
static void check_nulls(const yh_event *ev, const field *fields, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int64_t v;
    const char *s;
    if (fields[i].i) {
      check(fields[i].i(NULL, &v) == YH_ERR_NULL_ARGUMENT, "%s(NULL, out)", fields[i].key);
      check(fields[i].i(ev, NULL) == YH_ERR_NULL_ARGUMENT, "%s(event, NULL)", fields[i].key);
    }
    if (fields[i].s) {
      check(fields[i].s(NULL, &s) == YH_ERR_NULL_ARGUMENT, "%s(NULL, out)", fields[i].key);
      check(fields[i].s(ev, NULL) == YH_ERR_NULL_ARGUMENT, "%s(event, NULL)", fields[i].key);
    }
  }
}

static int cases = 0, typed = 0, rejected = 0;
static bool nulls_checked_duo = false, nulls_checked_notify = false;

static void run_case(char **fld) {
  const char *name = fld[0], *want_kind = fld[1];
  size_t body_len = 0;
  char *body = unhex(fld[2], &body_len);
  yh_event *ev = SENTINEL;
  yh_error *err = NULL;
  yh_result r = yh_event_parse((const uint8_t *)body, body_len, &ev, &err);
  cases++;
  if (strcmp(want_kind, "ok") != 0) {
    rejected++;
    check(ev == SENTINEL, "%s: no event written", name);
    check_error(r, err, YH_ERR_DECODE, want_kind, NULL, name);
    free(body);
    return;
  }
  if (!check(r == YH_OK && err == NULL, "%s: parses (%s)", name, show(yh_error_message(err)))) {
    yh_error_free(err);
    free(body);
    return;
  }
  char *sorted = unhex(fld[3], NULL), *ordered = unhex(fld[4], NULL), *raw_want = unhex(fld[5], NULL);
  size_t json_len = 0, raw_len = 0;
  const char *json = yh_event_json(ev, &json_len);
  check(str_eq(json, sorted) || str_eq(json, ordered), "%s: canonical JSON\n  got  %s\n  want %s", name, show(json),
        sorted);
  check(json != NULL && json_len == strlen(json), "%s: JSON length", name);
  const char *raw = yh_event_raw_json(ev, &raw_len);
  check(str_eq(raw, raw_want) && raw_len == strlen(raw_want), "%s: raw JSON", name);

  /* The name and type agree with the view's "event" and "type". */
  const char *ev_name = yh_event_name(ev);
  char key[256];
  snprintf(key, sizeof key, "\"event\":\"%s\"", show(ev_name));
  check(ev_name != NULL && strstr(sorted, key) != NULL, "%s: name %s", name, show(ev_name));
  yh_event_type type = yh_event_get_type(ev);
  if (strstr(sorted, "\"type\":\"duo_callback.end\"")) {
    typed++;
    check(type == YH_EVENT_DUO_CALLBACK_END, "%s: type duo", name);
    char *mine = rebuild(ev, DUO, COUNT(DUO), name);
    check(str_eq(mine, sorted), "%s: typed accessors\n  got  %s\n  want %s", name, mine, sorted);
    free(mine);
    check_wrong(ev, NOTIFY, COUNT(NOTIFY), name);
    if (!nulls_checked_duo) check_nulls(ev, DUO, COUNT(DUO)), nulls_checked_duo = true;
    const char *id = NULL;
    check(yh_event_duo_id(ev, &id) != YH_OK || str_eq(id, yh_event_id(ev)), "%s: yh_event_id", name);
  } else if (strstr(sorted, "\"type\":\"notify_call.end\"") || strstr(sorted, "\"type\":\"verify_call.end\"")) {
    typed++;
    bool notify = strstr(sorted, "\"type\":\"notify_call.end\"") != NULL;
    check(type == (notify ? YH_EVENT_NOTIFY_CALL_END : YH_EVENT_VERIFY_CALL_END), "%s: type notify/verify", name);
    char *mine = rebuild(ev, NOTIFY, COUNT(NOTIFY), name);
    check(str_eq(mine, sorted), "%s: typed accessors\n  got  %s\n  want %s", name, mine, sorted);
    free(mine);
    check_wrong(ev, DUO, COUNT(DUO), name);
    if (!nulls_checked_notify) check_nulls(ev, NOTIFY, COUNT(NOTIFY)), nulls_checked_notify = true;
    const char *id = NULL;
    check(yh_event_notify_id(ev, &id) != YH_OK || str_eq(id, yh_event_id(ev)), "%s: yh_event_id", name);
  } else if (strncmp(sorted, "{\"event\":", 9) != 0 || strstr(sorted, "\"type\":\"event\"") == NULL) {
    /* The other typed events (the ivr.* ones: each key through its accessor in test_ivr.c). */
    typed++;
    check(type != YH_EVENT_OTHER && type != YH_EVENT_NONE, "%s: a typed event's type", name);
    check_wrong(ev, DUO, COUNT(DUO), name);
    check_wrong(ev, NOTIFY, COUNT(NOTIFY), name);
  } else {
    check(type == YH_EVENT_OTHER, "%s: type other", name);
    check(strncmp(sorted, "{\"event\":", 9) == 0, "%s: other events have the generic view", name);
    check_wrong(ev, DUO, COUNT(DUO), name);
    check_wrong(ev, NOTIFY, COUNT(NOTIFY), name);
  }
  yh_event_free(ev);
  free(sorted);
  free(ordered);
  free(raw_want);
  free(body);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s EVENTS_TSV\n", argv[0]);
    return 2;
  }
  group("event vectors");
  FILE *f = fopen(argv[1], "r");
  if (!check(f != NULL, "open %s", argv[1])) return finish("test_events");
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    char *fld[6];
    if (split_tabs(line, fld, 6) != 6) continue;
    run_case(fld);
  }
  free(line);
  fclose(f);
  printf("# %d event vectors: %d typed, %d other, %d rejected\n", cases, typed, cases - typed - rejected, rejected);
  check(cases >= 60 && typed >= 30 && rejected >= 10, "read every vector");
  check(nulls_checked_duo && nulls_checked_notify, "NULL checks of every typed accessor ran");
  group_end("event vectors");

  group("parsing odd input");
  /* Large and binary input never crash; the body is copied. */
  size_t big = 2 * 1024 * 1024;
  uint8_t *junk = malloc(big);
  for (size_t i = 0; i < big; i++) junk[i] = (uint8_t)(i * 131 + 7);
  for (size_t len = 0; len < 64; len++) {
    yh_event *ev = SENTINEL;
    yh_error *err = NULL;
    yh_result r = yh_event_parse(junk, len, &ev, &err);
    check(r == YH_ERR_DECODE && ev == SENTINEL, "junk of %zu bytes is a decode error", len);
    yh_error_free(err);
  }
  yh_event *ev = SENTINEL;
  yh_error *err = NULL;
  yh_result r = yh_event_parse(junk, big, &ev, &err);
  check_error(r, err, YH_ERR_DECODE, "decode", NULL, "a 2 MiB body");
  free(junk);
  const char *wrong = "{\"event\":\"duo_callback.end\",\"hangup_by\":true}";
  err = NULL;
  r = yh_event_parse((const uint8_t *)wrong, strlen(wrong), &ev, &err);
  check_error(r, err, YH_ERR_DECODE, "decode", "hangup_by", "a field of the wrong type is named");
  group_end("parsing odd input");
  return finish("test_events");
}
