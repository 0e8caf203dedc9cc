/* IVR: every document vector built twice (from its JSON description, and step by step with the
 * element API), every <next> query and every ivr_start body of the vectors; the conventions
 * (NULL, non-UTF-8, outputs untouched on failure, copies that make the order of frees free).
 *
 * The typed ivr.* events and ivr_start: each key of the vector's view read through its generated
 * accessor (`yh_event_<event>_<key>`, found by name with dlsym, so that the vectors and not a
 * hand list drive them).
 *
 *   test_ivr IVR_DOCUMENTS_TSV IVR_NEXT_TSV IVR_START_TSV IVR_EVENTS_TSV
 */
#include "testlib.h"

#include <dlfcn.h>

#define SENTINEL ((void *)(uintptr_t)0x5e17)

/* Checks that `call` (which writes its error to `err`) fails as described. */
#define CE(call, ...)                       \
  do {                                      \
    yh_result r_ = (call);                  \
    check_error(r_, err, __VA_ARGS__);      \
  } while (0)

static int docs = 0, built = 0, refused = 0;

/* Runs the steps of the element API (see gen_vectors_tsv.py) into `response`. Returns false,
 * with the failing call's error in `*err`, when a step fails. */
static bool run_program(char *program, yh_ivr_response *response, yh_error **err) {
  yh_ivr_node *stack[32];
  int depth = 0;
  bool ok = true;
  for (char *step = strtok(program, " "); step != NULL && ok; step = strtok(NULL, " ")) {
    yh_result r = YH_OK;
    char kind = step[0];
    char *arg = step[1] == ':' ? step + 2 : step + 1;
    char *colon = strchr(arg, ':');
    if (kind == 'N') {
      if (depth == 32) return false;
      r = yh_ivr_node_new(arg, &stack[depth], err);
      if (r == YH_OK) depth++;
    } else if (kind == 'S' || kind == 'I' || kind == 'B') {
      *colon = '\0';
      if (kind == 'S') {
        char *value = unhex(colon + 1, NULL);
        r = yh_ivr_node_set_str(stack[depth - 1], arg, value, err);
        free(value);
      } else if (kind == 'I') {
        r = yh_ivr_node_set_int(stack[depth - 1], arg, strtoll(colon + 1, NULL, 10), err);
      } else {
        r = yh_ivr_node_set_bool(stack[depth - 1], arg, colon[1] == '1', err);
      }
    } else if (kind == 'T') {
      char *text = unhex(arg, NULL);
      r = yh_ivr_node_set_text(stack[depth - 1], text, err);
      free(text);
    } else if (kind == 'C') {
      r = yh_ivr_node_add(stack[depth - 2], stack[depth - 1], err);
      /* The parent holds a copy: the child goes at once. */
      yh_ivr_node_free(stack[--depth]);
    } else if (kind == 'A') {
      r = yh_ivr_response_add(response, stack[depth - 1], err);
      yh_ivr_node_free(stack[--depth]);
    } else if (kind == 'X') {
      char *url = unhex(arg, NULL);
      r = yh_ivr_response_next(response, url, err);
      free(url);
    } else if (kind == 'E') {
      r = yh_ivr_response_end_call(response, err);
    }
    ok = r == YH_OK;
  }
  while (depth > 0) yh_ivr_node_free(stack[--depth]);
  return ok;
}

static void run_document(char **fld) {
  const char *name = fld[0];
  char *json = unhex(fld[1], NULL);
  const char *outcome = fld[3];
  char *want = NULL, *want_field = NULL;
  const char *want_kind = "validation";
  if (strcmp(outcome, "xml") == 0) {
    want = unhex(fld[4], NULL);
  } else {
    want_kind = fld[4];
    want_field = unhex(fld[5], NULL);
  }
  docs++;

  /* From the JSON description. */
  yh_ivr_response *response = SENTINEL;
  yh_error *err = NULL;
  yh_result r = yh_ivr_response_from_json(json, YH_CASING_SNAKE, &response, &err);
  char *xml = SENTINEL;
  if (r == YH_OK) {
    r = yh_ivr_response_to_xml(response, YH_CASING_SNAKE, &xml, &err);
    yh_ivr_response_free(response);
  } else {
    check(response == SENTINEL, "%s: no document written", name);
  }
  if (want != NULL) {
    if (check(r == YH_OK, "%s: from JSON: written (%s)", name, show(yh_error_message(err)))) {
      check(str_eq(xml, want), "%s: from JSON: XML\n  got  %s\n  want %s", name, xml, want);
      yh_string_free(xml);
    } else {
      yh_error_free(err);
    }
  } else {
    refused++;
    check(xml == SENTINEL, "%s: from JSON: no XML written", name);
    check_error(r, err, YH_ERR_VALIDATION, want_kind, want_field[0] ? want_field : NULL, name);
  }

  /* Step by step. */
  if (strcmp(fld[2], "-") != 0) {
    built++;
    yh_ivr_response *doc = NULL;
    check(yh_ivr_response_new(&doc, NULL) == YH_OK, "%s: new", name);
    err = NULL;
    xml = SENTINEL;
    if (run_program(fld[2], doc, &err)) {
      r = yh_ivr_response_to_xml(doc, YH_CASING_SNAKE, &xml, &err);
      if (want != NULL) {
        if (check(r == YH_OK, "%s: built: written (%s)", name, show(yh_error_message(err)))) {
          check(str_eq(xml, want), "%s: built: XML\n  got  %s\n  want %s", name, xml, want);
          check(yh_ivr_response_ends_call(doc) == (strstr(want, "<next>") == NULL), "%s: ends_call", name);
          yh_string_free(xml);
        } else {
          yh_error_free(err);
        }
      } else {
        check(xml == SENTINEL, "%s: built: no XML written", name);
        check_error(r, err, YH_ERR_VALIDATION, want_kind, want_field[0] ? want_field : NULL, name);
      }
    } else {
      /* A step refused what the description holds: the vector expects a refusal. */
      check(want == NULL, "%s: built: a step failed (%s)", name, show(yh_error_message(err)));
      CE(yh_error_result(err), YH_ERR_VALIDATION, "validation", NULL, name);
    }
    yh_ivr_response_free(doc);
  }
  free(json);
  free(want);
  free(want_field);
}

/* A parsed request's canonical view against the vector's; `view` borrowed. */
static void check_view(const char *name, const char *view, char **fld) {
  char *sorted = unhex(fld[3], NULL), *ordered = unhex(fld[4], NULL);
  check(str_eq(view, sorted) || str_eq(view, ordered), "%s: canonical JSON\n  got  %s\n  want %s", name, show(view),
        sorted);
  free(sorted);
  free(ordered);
}

static int nexts = 0, starts = 0, events = 0, accessors = 0;

typedef yh_result (*int_accessor)(const yh_event *, int64_t *);
typedef yh_result (*str_accessor)(const yh_event *, const char **);

/* A JSON string, escaped as compact JSON writers do, appended to `out` (of `cap` bytes). */
static void json_string(char *out, size_t cap, const char *s) {
  size_t n = strlen(out);
  n += (size_t)snprintf(out + n, cap - n, "\"");
  for (const unsigned char *c = (const unsigned char *)s; *c && n + 8 < cap; c++) {
    if (*c == '"' || *c == '\\') {
      n += (size_t)snprintf(out + n, cap - n, "\\%c", *c);
    } else if (*c < 0x20) {
      n += (size_t)snprintf(out + n, cap - n, "\\u%04x", *c);
    } else {
      out[n++] = (char)*c;
      out[n] = '\0';
    }
  }
  snprintf(out + n, cap - n, "\"");
}

/* Each key of `keys` (comma-separated) read through `yh_event_<prefix>_<key>` agrees with the
 * canonical view `view`: the value as it appears there, or YH_ABSENT for null. Keys ending in
 * `_time` are integers (epoch milliseconds), the others text. */
static void check_accessors(const char *name, const yh_event *ev, const char *prefix, const char *keys,
                            const char *view) {
  char *list = strdup(keys);
  for (char *key = strtok(list, ","); key != NULL; key = strtok(NULL, ",")) {
    char symbol[160], want[4096], absent[200];
    snprintf(symbol, sizeof symbol, "yh_event_%s_%s", prefix, key);
    void *fn = dlsym(RTLD_DEFAULT, symbol);
    if (!check(fn != NULL, "%s: the library exports %s", name, symbol)) continue;
    accessors++;
    snprintf(absent, sizeof absent, "\"%s\":null", key);
    bool is_absent = strstr(view, absent) != NULL;
    size_t klen = strlen(key);
    bool is_time = klen > 5 && strcmp(key + klen - 5, "_time") == 0;
    snprintf(want, sizeof want, "\"%s\":", key);
    yh_result r;
    if (is_time) {
      int64_t v = -12345;
      int_accessor f;
      memcpy(&f, &fn, sizeof f);
      r = f(ev, &v);
      if (r == YH_OK) snprintf(want + strlen(want), sizeof want - strlen(want), "%lld", (long long)v);
      check(is_absent ? (r == YH_ABSENT && v == -12345) : (r == YH_OK && strstr(view, want) != NULL),
            "%s: %s gives %d (%s)", name, symbol, (int)r, want);
      check(f(ev, NULL) == YH_ERR_NULL_ARGUMENT && f(NULL, &v) == YH_ERR_NULL_ARGUMENT, "%s: %s NULLs", name, symbol);
    } else {
      const char *v = SENTINEL;
      str_accessor f;
      memcpy(&f, &fn, sizeof f);
      r = f(ev, &v);
      if (r == YH_OK && v != NULL) json_string(want, sizeof want, v);
      check(is_absent ? (r == YH_ABSENT && v == SENTINEL) : (r == YH_OK && strstr(view, want) != NULL),
            "%s: %s gives %d (%s)", name, symbol, (int)r, want);
      check(f(ev, NULL) == YH_ERR_NULL_ARGUMENT && f(NULL, &v) == YH_ERR_NULL_ARGUMENT, "%s: %s NULLs", name, symbol);
    }
  }
  free(list);
}

/* The C type of each ivr.* event. */
static const struct {
  const char *event;
  yh_event_type type;
} IVR_TYPES[] = {
    {"ivr.call_end", YH_EVENT_IVR_CALL_END},       {"ivr.play_end", YH_EVENT_IVR_PLAY_END},
    {"ivr.record_end", YH_EVENT_IVR_RECORD_END},   {"ivr.get_end", YH_EVENT_IVR_GET_END},
    {"ivr.put_end", YH_EVENT_IVR_PUT_END},         {"ivr.dial_end", YH_EVENT_IVR_DIAL_END},
    {"ivr.connect_begin", YH_EVENT_IVR_CONNECT_BEGIN}, {"ivr.connect_end", YH_EVENT_IVR_CONNECT_END},
    {"ivr.format_error", YH_EVENT_IVR_FORMAT_ERROR},
};
static bool types_seen[sizeof IVR_TYPES / sizeof IVR_TYPES[0]];

static void run_event(char **fld) {
  const char *name = fld[0];
  size_t len = 0;
  char *body = unhex(fld[2], &len);
  yh_event *ev = SENTINEL;
  yh_error *err = NULL;
  yh_result r = yh_event_parse((const uint8_t *)body, len, &ev, &err);
  events++;
  if (strcmp(fld[1], "ok") != 0) {
    check(ev == SENTINEL, "%s: nothing written", name);
    check_error(r, err, YH_ERR_DECODE, fld[1], NULL, name);
    free(body);
    return;
  }
  if (check(r == YH_OK, "%s: parses (%s)", name, show(yh_error_message(err)))) {
    char *sorted = unhex(fld[3], NULL), *ordered = unhex(fld[4], NULL);
    const char *view = yh_event_json(ev, NULL);
    check(str_eq(view, sorted) || str_eq(view, ordered), "%s: canonical JSON\n  got  %s\n  want %s", name,
          show(view), sorted);
    const char *event = yh_event_name(ev);
    bool known = false;
    for (size_t i = 0; i < sizeof IVR_TYPES / sizeof IVR_TYPES[0]; i++) {
      if (str_eq(event, IVR_TYPES[i].event)) {
        known = true;
        types_seen[i] = true;
        check(yh_event_get_type(ev) == IVR_TYPES[i].type, "%s: type of %s", name, event);
      }
    }
    check(known, "%s: %s is an ivr.* event", name, show(event));
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s", show(event));
    for (char *c = prefix; *c; c++)
      if (*c == '.') *c = '_';
    check_accessors(name, ev, prefix, fld[6], view);
    /* The accessors of another type answer YH_ERR_WRONG_EVENT. */
    const char *v = SENTINEL;
    check(yh_event_duo_id(ev, &v) == YH_ERR_WRONG_EVENT && v == SENTINEL, "%s: duo accessor", name);
    check(yh_event_ivr_start_call_id(ev, &v) == YH_ERR_WRONG_EVENT && v == SENTINEL, "%s: ivr_start accessor",
          name);
    free(sorted);
    free(ordered);
    yh_event_free(ev);
  } else {
    yh_error_free(err);
  }
  free(body);
}

static void run_next(char **fld) {
  const char *name = fld[0];
  size_t len = 0;
  char *query = unhex(fld[1], &len);
  yh_ivr_next *next = SENTINEL;
  yh_error *err = NULL;
  yh_result r = yh_ivr_next_parse((const uint8_t *)query, len, &next, &err);
  nexts++;
  if (strcmp(fld[2], "ok") == 0) {
    if (check(r == YH_OK, "%s: parses (%s)", name, show(yh_error_message(err)))) {
      size_t n = 0;
      const char *view = yh_ivr_next_json(next, &n);
      check(view != NULL && n == strlen(view), "%s: JSON length", name);
      check_view(name, view, fld);
      /* Each key read alone agrees with the view. */
      static const char *const KEYS[] = {"call_id", "action", "keys", "record_id", "error"};
      for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++) {
        const char *v = SENTINEL;
        r = yh_ivr_next_get(next, KEYS[i], &v);
        char needle[64];
        snprintf(needle, sizeof needle, "\"%s\":null", KEYS[i]);
        bool absent = strstr(view, needle) != NULL;
        check(absent ? (r == YH_ABSENT && v == SENTINEL) : (r == YH_OK && v != NULL), "%s: key %s", name, KEYS[i]);
      }
      yh_ivr_next_free(next);
    } else {
      yh_error_free(err);
    }
  } else {
    char *field = unhex(fld[4], NULL);
    check(next == SENTINEL, "%s: nothing written", name);
    check_error(r, err, YH_ERR_DECODE, fld[3], field[0] ? field : NULL, name);
    free(field);
  }
  free(query);
}

static void run_start(char **fld) {
  const char *name = fld[0];
  size_t len = 0;
  char *body = unhex(fld[1], &len);
  yh_event *ev = SENTINEL;
  yh_error *err = NULL;
  yh_result r = yh_event_parse((const uint8_t *)body, len, &ev, &err);
  starts++;
  if (strcmp(fld[2], "ok") == 0) {
    if (check(r == YH_OK, "%s: parses (%s)", name, show(yh_error_message(err)))) {
      check(yh_event_get_type(ev) == YH_EVENT_IVR_START, "%s: type YH_EVENT_IVR_START", name);
      check(str_eq(yh_event_name(ev), "ivr_start"), "%s: name", name);
      const char *view = yh_event_json(ev, NULL);
      check_view(name, view, fld);
      check_accessors(name, ev, "ivr_start", "call_id,kind,from,subaccount_id,user_data", view);
      const char *v = SENTINEL;
      check(yh_event_ivr_get_end_keys(ev, &v) == YH_ERR_WRONG_EVENT && v == SENTINEL, "%s: another type's accessor",
            name);
      const char *call_id = NULL;
      yh_result got = yh_event_ivr_start_call_id(ev, &call_id);
      check(got == YH_OK ? str_eq(yh_event_id(ev), call_id) : yh_event_id(ev) == NULL, "%s: yh_event_id is call_id",
            name);
      yh_event_free(ev);
    } else {
      yh_error_free(err);
    }
  } else {
    char *field = unhex(fld[4], NULL);
    if (strcmp(field, "action") == 0 && r == YH_OK) {
      /* Not an ivr_start request: yh_event_parse reads it as the webhook event it is. */
      check(yh_event_get_type(ev) != YH_EVENT_IVR_START, "%s: not an ivr_start", name);
      yh_event_free(ev);
    } else {
      check(ev == SENTINEL, "%s: nothing written", name);
      /* Without an `action` of ivr_start, yh_event_parse reads the body as a webhook event,
       * which needs an `event`: the error names that. */
      const char *want = strcmp(field, "action") == 0 ? "event" : field;
      check_error(r, err, YH_ERR_DECODE, fld[3], want[0] ? want : NULL, name);
    }
    free(field);
  }
  free(body);
}

static void each_line(const char *path, int want_fields, void (*run)(char **)) {
  FILE *f = fopen(path, "r");
  if (!check(f != NULL, "open %s", path)) return;
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    char *fld[8];
    int n = split_tabs(line, fld, 8);
    if (n < want_fields) continue;
    run(fld);
  }
  free(line);
  fclose(f);
}

static void conventions(void) {
  yh_error *err = NULL;
  yh_ivr_node *node = SENTINEL;
  CE(yh_ivr_node_new(NULL, &node, &err), YH_ERR_NULL_ARGUMENT, "validation", "name", "node_new(NULL)");
  err = NULL;
  CE(yh_ivr_node_new("play", NULL, &err), YH_ERR_NULL_ARGUMENT, "validation", "node_out",
              "node_new(out NULL)");
  err = NULL;
  CE(yh_ivr_node_new("pla\xff", &node, &err), YH_ERR_INVALID_UTF8, "validation", "name",
              "node_new(non-UTF-8)");
  err = NULL;
  CE(yh_ivr_node_new("conference", &node, &err), YH_ERR_VALIDATION, "validation", "name",
              "node_new(an element the platform does not have)");
  check(node == SENTINEL, "failed node_new writes nothing");
  check(yh_ivr_node_new("play", NULL, NULL) == YH_ERR_NULL_ARGUMENT, "a NULL err_out is allowed");

  yh_ivr_node *get = NULL, *play = NULL;
  check(yh_ivr_node_new("get", &get, NULL) == YH_OK, "node_new(get)");
  check(str_eq(yh_ivr_node_name(get), "get"), "node_name");
  check(yh_ivr_node_name(NULL) == NULL, "node_name(NULL)");
  err = NULL;
  CE(yh_ivr_node_set_str(get, "finish_keys", "\xc3\x28", &err), YH_ERR_INVALID_UTF8, "validation",
              "finish_keys", "a non-UTF-8 value names the attribute");
  err = NULL;
  CE(yh_ivr_node_set_str(get, "finish_keys", NULL, &err), YH_ERR_NULL_ARGUMENT, "validation",
              "finish_keys", "a NULL value names the attribute");
  err = NULL;
  CE(yh_ivr_node_set_str(NULL, "finish_keys", "#", &err), YH_ERR_NULL_ARGUMENT, "validation", "node",
              "a NULL element");
  err = NULL;
  CE(yh_ivr_node_set_int(get, "max_digits", 1, &err), YH_ERR_VALIDATION, "validation", "max_digits",
              "an attribute <get> does not have");
  err = NULL;
  CE(yh_ivr_node_set_str(get, "max_keys", "1", &err), YH_ERR_VALIDATION, "validation", "max_keys",
              "a string for an integer attribute");
  err = NULL;
  CE(yh_ivr_node_set_bool(get, "max_keys", true, &err), YH_ERR_VALIDATION, "validation", "max_keys",
              "a boolean for an integer attribute");
  err = NULL;
  CE(yh_ivr_node_set_text(get, "menu.wav", &err), YH_ERR_VALIDATION, "validation", "get",
              "<get> holds no text");
  check(yh_ivr_node_set_int(get, "max_keys", 0, NULL) == YH_OK, "max_keys 0 is accepted until the document is written");
  check(yh_ivr_node_set_str(get, "finish_keys", "#", NULL) == YH_OK, "finish_keys");
  check(yh_ivr_node_unset(get, "finish_keys", NULL) == YH_OK, "unset");
  check(yh_ivr_node_new("play", &play, NULL) == YH_OK, "node_new(play)");
  check(yh_ivr_node_set_text(play, "menu.wav", NULL) == YH_OK, "set_text");
  yh_ivr_node *number = NULL;
  check(yh_ivr_node_new("number", &number, NULL) == YH_OK, "node_new(number)");
  err = NULL;
  CE(yh_ivr_node_add(get, number, &err), YH_ERR_VALIDATION, "validation", "number",
              "<get> cannot hold a <number>");
  err = NULL;
  CE(yh_ivr_node_add(get, NULL, &err), YH_ERR_NULL_ARGUMENT, "validation", "child", "a NULL child");
  check(yh_ivr_node_add(get, play, NULL) == YH_OK, "add <play> to <get>");

  yh_ivr_response *doc = NULL;
  check(yh_ivr_response_new(&doc, NULL) == YH_OK, "response_new");
  err = NULL;
  CE(yh_ivr_response_new(NULL, &err), YH_ERR_NULL_ARGUMENT, "validation", "response_out",
              "response_new(NULL)");
  check(yh_ivr_response_add(doc, get, NULL) == YH_OK, "add the <get>");
  /* Frees in any order: the document holds copies. */
  yh_ivr_node_free(play);
  yh_ivr_node_free(get);
  yh_ivr_node_free(number);
  yh_ivr_node_free(NULL);
  char *xml = SENTINEL;
  err = NULL;
  CE(yh_ivr_response_to_xml(doc, YH_CASING_SNAKE, &xml, &err), YH_ERR_VALIDATION, "validation",
              "get.max_keys", "max_keys 0 is refused naming get.max_keys");
  err = NULL;
  CE(yh_ivr_response_to_xml(doc, YH_CASING_CAMEL, &xml, &err), YH_ERR_VALIDATION, "validation",
              "get.maxKeys", "in camelCase, get.maxKeys");
  check(xml == SENTINEL, "a refused document writes no XML");
  yh_ivr_response_free(doc);

  check(yh_ivr_response_new(&doc, NULL) == YH_OK, "response_new");
  check(yh_ivr_node_new("play", &play, NULL) == YH_OK, "node_new(play)");
  check(yh_ivr_node_set_text(play, "bye.wav", NULL) == YH_OK, "set_text");
  check(yh_ivr_response_add(doc, play, NULL) == YH_OK, "add the <play>");
  err = NULL;
  CE(yh_ivr_response_to_xml(doc, YH_CASING_SNAKE, &xml, &err), YH_ERR_VALIDATION, "validation", "next",
              "an action without <next> or end_call");
  err = NULL;
  CE(yh_ivr_response_next(doc, "https://app/\xff", &err), YH_ERR_INVALID_UTF8, "validation", "url",
              "a non-UTF-8 URL");
  check(yh_ivr_response_end_call(doc, NULL) == YH_OK, "end_call");
  check(yh_ivr_response_ends_call(doc), "ends_call");
  check(!yh_ivr_response_ends_call(NULL), "ends_call(NULL)");
  err = NULL;
  CE(yh_ivr_response_to_xml(doc, YH_CASING_SNAKE, NULL, &err), YH_ERR_NULL_ARGUMENT, "validation",
              "xml_out", "to_xml(out NULL)");
  check(yh_ivr_response_to_xml(doc, YH_CASING_SNAKE, &xml, NULL) == YH_OK, "to_xml");
  check(str_eq(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><response><play>bye.wav</play></response>"),
        "a goodbye: %s", xml);
  yh_string_free(xml);
  /* A second action is refused, naming it. */
  check(yh_ivr_response_add(doc, play, NULL) == YH_OK, "add a second action");
  err = NULL;
  CE(yh_ivr_response_to_xml(doc, YH_CASING_SNAKE, &xml, &err), YH_ERR_VALIDATION, "validation", "play",
              "a second action");
  yh_ivr_node_free(play);
  yh_ivr_response_free(doc);
  yh_ivr_response_free(NULL);

  yh_ivr_response *bad = SENTINEL;
  err = NULL;
  CE(yh_ivr_response_from_json("{\"actions\":[", YH_CASING_SNAKE, &bad, &err), YH_ERR_VALIDATION,
              "validation", "response", "from_json of text that is not JSON");
  err = NULL;
  CE(yh_ivr_response_from_json("{\"actions\":[{\"name\":\"get\",\"attrs\":{\"max_keys\":\"x\"}}]}",
                                        YH_CASING_SNAKE, &bad, &err), YH_ERR_VALIDATION, "validation", "get.max_keys", "from_json names the attribute");
  err = NULL;
  CE(yh_ivr_response_from_json(NULL, YH_CASING_SNAKE, &bad, &err), YH_ERR_NULL_ARGUMENT, "validation",
              "json", "from_json(NULL)");
  check(bad == SENTINEL, "failed from_json writes nothing");

  /* <next> queries: odd input. */
  yh_ivr_next *next = SENTINEL;
  err = NULL;
  CE(yh_ivr_next_parse(NULL, 0, &next, &err), YH_ERR_NULL_ARGUMENT, "validation", "query",
              "next_parse(NULL)");
  size_t big = 70 * 1024;
  uint8_t *junk = malloc(big);
  for (size_t i = 0; i < big; i++) junk[i] = (uint8_t)(i * 131 + 7);
  err = NULL;
  CE(yh_ivr_next_parse(junk, big, &next, &err), YH_ERR_DECODE, "decode", NULL, "a 70 KiB query");
  for (size_t len = 0; len < 200; len++) {
    yh_ivr_next *n = NULL;
    yh_result r = yh_ivr_next_parse(junk, len, &n, NULL);
    check(r == YH_OK || r == YH_ERR_DECODE, "junk of %zu bytes: a result, no crash", len);
    if (r == YH_OK) {
      check(yh_ivr_next_json(n, NULL) != NULL, "junk of %zu bytes: a view", len);
      yh_ivr_next_free(n);
    }
  }
  free(junk);
  const char *q = "/ivr?step=2&call_id=c1&type=get&keys=1";
  check(yh_ivr_next_parse((const uint8_t *)q, strlen(q), &next, NULL) == YH_OK, "a request target");
  const char *v = SENTINEL;
  check(yh_ivr_next_get(next, "type", &v) == YH_ERR_VALIDATION && v == SENTINEL, "get of an undeclared key");
  check(yh_ivr_next_get(next, NULL, &v) == YH_ERR_NULL_ARGUMENT, "get(key NULL)");
  check(yh_ivr_next_get(next, "keys", NULL) == YH_ERR_NULL_ARGUMENT, "get(out NULL)");
  check(yh_ivr_next_get(NULL, "keys", &v) == YH_ERR_NULL_ARGUMENT, "get(NULL)");
  check(str_eq(yh_ivr_next_param(next, "step"), "2"), "param step");
  check(yh_ivr_next_param(next, "call_id") == NULL, "the platform's parameters are not the URL's own");
  check(yh_ivr_next_param(next, NULL) == NULL && yh_ivr_next_param(NULL, "step") == NULL, "param NULLs");
  check(yh_ivr_next_json(NULL, NULL) == NULL, "json(NULL)");
  yh_ivr_next_free(next);
  yh_ivr_next_free(NULL);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s IVR_DOCUMENTS_TSV IVR_NEXT_TSV IVR_START_TSV IVR_EVENTS_TSV\n", argv[0]);
    return 2;
  }
  group("IVR document vectors");
  each_line(argv[1], 4, run_document);
  printf("# %d document vectors: %d built with the element API, %d refused\n", docs, built, refused);
  check(docs >= 100 && built >= 90 && refused >= 30, "read every document vector");
  group_end("IVR document vectors");
  group("<next> query vectors");
  each_line(argv[2], 3, run_next);
  check(nexts >= 30, "read every next vector");
  group_end("<next> query vectors");
  group("ivr_start vectors through yh_event_parse");
  each_line(argv[3], 3, run_start);
  check(starts >= 20, "read every ivr_start vector");
  group_end("ivr_start vectors through yh_event_parse");
  group("ivr.* event vectors and their accessors");
  each_line(argv[4], 7, run_event);
  printf("# %d ivr.* event vectors, %d accessor reads\n", events, accessors);
  check(events >= 20 && accessors >= 100, "read every ivr.* event vector");
  for (size_t i = 0; i < sizeof IVR_TYPES / sizeof IVR_TYPES[0]; i++)
    check(types_seen[i], "a vector of %s", IVR_TYPES[i].event);
  group_end("ivr.* event vectors and their accessors");
  group("IVR API conventions");
  conventions();
  group_end("IVR API conventions");
  return finish("test_ivr");
}
