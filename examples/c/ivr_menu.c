/* An IVR menu served over HTTP with POSIX sockets: three levels of <get>, a dial, a recording.
 *
 *   gcc examples/c/ivr_menu.c -I include -L target/release -lyunhuni -o ivr_menu
 *   ./ivr_menu 8080        # give the platform http://HOST:8080/ivr as the app's IVR URL
 *
 * The platform POSTs ivr_start (and, when it is the same URL, the ivr.* events) to the URL, then
 * GETs each <next> URL with the results of the action that ran. Each document is built with the
 * yh_ivr_* functions, which refuse what the platform would refuse; yh_event_parse reads ivr_start
 * and the typed events, yh_ivr_next_parse the <next> query. It prints one line per request and
 * event. Port 0 picks a free port; the first line says which.
 *
 *   main menu   1 sales     1 orders   1 order status, then goodbye
 *                                      2 back to the main menu
 *                           2 a sales agent (dial), then goodbye
 *               2 support   1 opening hours (the call ends after it)
 *                           2 leave a message (record), then thanks
 *               anything else: goodbye
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "yunhuni.h"

#define SALES_AGENT "13800000099"

/* A new element `name` with `text` (or NULL); NULL if refused. The caller frees it: adding it to
 * a document or another element copies it. */
static yh_ivr_node *element(const char *name, const char *text) {
  yh_ivr_node *node = NULL;
  if (yh_ivr_node_new(name, &node, NULL) != YH_OK) return NULL;
  if (text != NULL && yh_ivr_node_set_text(node, text, NULL) != YH_OK) {
    yh_ivr_node_free(node);
    return NULL;
  }
  return node;
}

/* The XML of a document: `action` (freed here), then <next> `next`, or the call's end when
 * `next` is NULL. NULL, with the reason printed, if the library refuses it. */
static char *write_doc(yh_ivr_node *action, const char *next) {
  yh_ivr_response *doc = NULL;
  yh_error *err = NULL;
  char *xml = NULL;
  if (action == NULL || yh_ivr_response_new(&doc, &err) != YH_OK || yh_ivr_response_add(doc, action, &err) != YH_OK ||
      (next ? yh_ivr_response_next(doc, next, &err) : yh_ivr_response_end_call(doc, &err)) != YH_OK ||
      yh_ivr_response_to_xml(doc, YH_CASING_SNAKE, &xml, &err) != YH_OK) {
    fprintf(stderr, "document refused: %s\n", err ? yh_error_message(err) : "out of memory");
    xml = NULL;
  }
  yh_error_free(err);
  yh_ivr_response_free(doc);
  yh_ivr_node_free(action);
  return xml;
}

static char *menu(const char *prompt, const char *base, const char *to, bool finish_key) {
  yh_ivr_node *get = element("get", NULL), *play = element("play", prompt);
  char url[512];
  snprintf(url, sizeof url, "%s%s", base, to);
  bool ok = get && play && yh_ivr_node_set_int(get, "max_keys", 1, NULL) == YH_OK &&
            (!finish_key || yh_ivr_node_set_str(get, "finish_keys", "#", NULL) == YH_OK) &&
            yh_ivr_node_add(get, play, NULL) == YH_OK;
  yh_ivr_node_free(play);
  if (!ok) {
    yh_ivr_node_free(get);
    return NULL;
  }
  return write_doc(get, url);
}

static char *play(const char *file, const char *base, const char *to) {
  char url[512];
  snprintf(url, sizeof url, "%s%s", base, to ? to : "");
  return write_doc(element("play", file), to ? url : NULL);
}

static char *dial_agent(const char *base) {
  yh_ivr_node *dial = element("dial", NULL), *number = element("number", SALES_AGENT),
              *ring = element("play", "ringing.wav");
  char url[512];
  snprintf(url, sizeof url, "%s/ivr/goodbye", base);
  bool ok = dial && number && ring && yh_ivr_node_set_int(dial, "max_dial_duration", 30, NULL) == YH_OK &&
            yh_ivr_node_add(dial, number, NULL) == YH_OK && yh_ivr_node_add(dial, ring, NULL) == YH_OK;
  yh_ivr_node_free(number);
  yh_ivr_node_free(ring);
  if (!ok) {
    yh_ivr_node_free(dial);
    return NULL;
  }
  return write_doc(dial, url);
}

static char *record_message(const char *base) {
  yh_ivr_node *record = element("record", NULL);
  char url[512];
  snprintf(url, sizeof url, "%s/ivr/recorded", base);
  if (record == NULL || yh_ivr_node_set_int(record, "max_duration", 60, NULL) != YH_OK ||
      yh_ivr_node_set_bool(record, "beeping", true, NULL) != YH_OK ||
      yh_ivr_node_set_str(record, "finish_keys", "#", NULL) != YH_OK) {
    yh_ivr_node_free(record);
    return NULL;
  }
  return write_doc(record, url);
}

/* The document answering the <next> request to `path`; `keys` are those pressed (or NULL). */
static char *step(const char *base, const char *path, const char *keys) {
  bool k1 = keys && strcmp(keys, "1") == 0, k2 = keys && strcmp(keys, "2") == 0;
  if (strcmp(path, "/ivr/main") == 0) {
    if (k1) return menu("sales-menu.wav", base, "/ivr/sales", false);
    if (k2) return menu("support-menu.wav", base, "/ivr/support", false);
  } else if (strcmp(path, "/ivr/sales") == 0) {
    if (k1) return menu("orders-menu.wav", base, "/ivr/orders", false);
    if (k2) return dial_agent(base);
  } else if (strcmp(path, "/ivr/orders") == 0) {
    if (k1) return play("order-status.wav", base, "/ivr/goodbye");
    if (k2) return menu("main-menu.wav", base, "/ivr/main", true);
  } else if (strcmp(path, "/ivr/support") == 0) {
    if (k1) return play("opening-hours.wav", base, NULL);
    if (k2) return record_message(base);
  } else if (strcmp(path, "/ivr/recorded") == 0) {
    return play("thanks.wav", base, NULL);
  } else if (strcmp(path, "/ivr/goodbye") != 0) {
    yh_ivr_node *hangup = element("hangup", NULL);
    yh_ivr_response *doc = NULL;
    char *xml = NULL;
    if (hangup && yh_ivr_response_new(&doc, NULL) == YH_OK && yh_ivr_response_add(doc, hangup, NULL) == YH_OK)
      yh_ivr_response_to_xml(doc, YH_CASING_SNAKE, &xml, NULL);
    yh_ivr_response_free(doc);
    yh_ivr_node_free(hangup);
    return xml;
  }
  return play("goodbye.wav", base, NULL);
}

/* Prints a typed event: its name, call id, and the keys of an ivr.get_end. */
static void on_event(const yh_event *ev) {
  const char *keys = NULL;
  if (yh_event_get_type(ev) == YH_EVENT_IVR_GET_END && yh_event_ivr_get_end_keys(ev, &keys) != YH_OK) keys = "";
  printf("event %s %s%s%s\n", yh_event_name(ev), yh_event_id(ev) ? yh_event_id(ev) : "-", keys ? " keys=" : "",
         keys ? keys : "");
  fflush(stdout);
}

static void reply(int fd, int status, const char *type, const char *body) {
  char head[256];
  size_t n = body ? strlen(body) : 0;
  int len = snprintf(head, sizeof head, "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     status, type, n);
  if (write(fd, head, (size_t)len) < 0 || (n && write(fd, body, n) < 0)) perror("write");
}

static void serve_one(int fd) {
  static char buf[1 << 20];
  size_t got = 0;
  char *end = NULL;
  ssize_t r;
  while (got < sizeof buf - 1 && (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0) {
    got += (size_t)r;
    buf[got] = '\0';
    if ((end = strstr(buf, "\r\n\r\n")) != NULL) break;
  }
  if (end == NULL) {
    reply(fd, 400, "text/plain", "");
    return;
  }
  size_t length = 0;
  char host[256] = "localhost";
  for (char *line = strstr(buf, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
    if (strncasecmp(line, "Content-Length:", 15) == 0) length = strtoul(line + 15, NULL, 10);
    if (strncasecmp(line, "Host:", 5) == 0) sscanf(line + 5, " %255[^\r\n]", host);
  }
  char *body = end + 4;
  if (length > sizeof buf - 1 - (size_t)(body - buf)) {
    reply(fd, 413, "text/plain", "");
    return;
  }
  while ((size_t)(buf + got - body) < length && (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0) got += (size_t)r;
  char method[8] = "", target[2048] = "";
  sscanf(buf, "%7s %2047s", method, target);
  char base[300];
  snprintf(base, sizeof base, "http://%s", host);
  char *xml = NULL;
  yh_error *err = NULL;
  if (strcmp(method, "POST") == 0) {
    yh_event *ev = NULL;
    if (yh_event_parse((const uint8_t *)body, length, &ev, &err) != YH_OK) {
      printf("refused: %s\n", yh_error_message(err));
      yh_error_free(err);
      {
    reply(fd, 400, "text/plain", "");
    return;
  }
    }
    if (yh_event_get_type(ev) == YH_EVENT_IVR_START) {
      const char *from = NULL;
      yh_event_ivr_start_from(ev, &from);
      printf("ivr_start %s from %s\n", yh_event_id(ev), from ? from : "-");
      xml = menu("main-menu.wav", base, "/ivr/main", true);
    } else {
      on_event(ev);
      yh_event_free(ev);
      {
    reply(fd, 200, "text/plain", "");
    return;
  }
    }
    yh_event_free(ev);
  } else if (strcmp(method, "GET") == 0 && strncmp(target, "/ivr/", 5) == 0) {
    yh_ivr_next *next = NULL;
    if (yh_ivr_next_parse((const uint8_t *)target, strlen(target), &next, &err) != YH_OK) {
      printf("refused: %s\n", yh_error_message(err));
      yh_error_free(err);
      {
    reply(fd, 400, "text/plain", "");
    return;
  }
    }
    const char *keys = NULL, *call_id = NULL;
    if (yh_ivr_next_get(next, "keys", &keys) != YH_OK) keys = NULL;
    if (yh_ivr_next_get(next, "call_id", &call_id) != YH_OK) call_id = "-";
    *strchr(target, '?') = '\0';
    printf("next %s %s keys=%s\n", target, call_id, keys ? keys : "");
    xml = step(base, target, keys);
    yh_ivr_next_free(next);
  } else {
    {
    reply(fd, 404, "text/plain", "");
    return;
  }
  }
  fflush(stdout);
  if (xml == NULL) {
    reply(fd, 500, "text/plain", "");
    return;
  }
  reply(fd, 200, "text/xml; charset=utf-8", xml);
  yh_string_free(xml);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  int server = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  if (bind(server, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(server, 64) != 0 ||
      getsockname(server, (struct sockaddr *)&addr, &size) != 0) {
    perror("listen");
    return 1;
  }
  printf("listening on %d\n", ntohs(addr.sin_port));
  fflush(stdout);
  for (;;) {
    int fd = accept(server, NULL, NULL);
    if (fd < 0) continue;
    serve_one(fd);
    close(fd);
  }
}
