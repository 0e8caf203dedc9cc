/* Shared helpers of the C tests: checks and counts, hex, files, and a tiny loopback HTTP stub.
 * Header-only; each test program includes it once. */
#ifndef YH_TESTLIB_H
#define YH_TESTLIB_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "yunhuni.h"

/* Not every program uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* ---- checks ---------------------------------------------------------------------------- */

static int t_passed = 0;
static int t_failed = 0;
static pthread_mutex_t t_lock = PTHREAD_MUTEX_INITIALIZER;

/* Records one check. `fmt` names it. Thread-safe. Returns `ok`. */
static bool check(bool ok, const char *fmt, ...) {
  va_list ap;
  pthread_mutex_lock(&t_lock);
  if (ok) {
    t_passed++;
  } else {
    t_failed++;
    printf("FAIL ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
  }
  pthread_mutex_unlock(&t_lock);
  return ok;
}

/* Prints one line per group of checks, and the program's totals. */
static int t_group_start_failed = 0;
static void group(const char *name) {
  (void)name;
  t_group_start_failed = t_failed;
}
static void group_end(const char *name) {
  printf("%s %s\n", t_failed == t_group_start_failed ? "PASS" : "FAIL", name);
  fflush(stdout);
}
static int finish(const char *program) {
  printf("# %s: %d checks passed, %d failed\n", program, t_passed, t_failed);
  printf("# checks: %d passed, %d failed\n", t_passed, t_failed);
  return t_failed == 0 ? 0 : 1;
}

static bool str_eq(const char *a, const char *b) {
  if (a == NULL || b == NULL) return a == b;
  return strcmp(a, b) == 0;
}

static const char *show(const char *s) { return s ? s : "(null)"; }

/* Checks a failed call's code and error object; frees the error. */
static bool check_error(yh_result got, yh_error *err, yh_result want, const char *kind, const char *field,
                        const char *what) {
  bool ok = check(got == want, "%s: result %d, expected %d (%s)", what, (int)got, (int)want,
                  show(yh_error_message(err)));
  ok &= check(err != NULL, "%s: an error object is made", what);
  if (err != NULL) {
    ok &= check(yh_error_result(err) == want, "%s: yh_error_result %d", what, (int)yh_error_result(err));
    ok &= check(str_eq(yh_error_kind(err), kind), "%s: kind %s, expected %s", what, show(yh_error_kind(err)),
                kind);
    ok &= check(yh_error_message(err) != NULL && yh_error_message(err)[0] != '\0', "%s: message", what);
    if (field != NULL) {
      ok &= check(str_eq(yh_error_field(err), field), "%s: field %s, expected %s", what,
                  show(yh_error_field(err)), field);
    }
  }
  yh_error_free(err);
  return ok;
}

/* ---- hex and files --------------------------------------------------------------------- */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes hex into a new NUL-terminated buffer; *len gets the byte count. */
static char *unhex(const char *hex, size_t *len) {
  size_t n = strlen(hex) / 2;
  char *out = malloc(n + 1);
  for (size_t i = 0; i < n; i++) out[i] = (char)(hexval(hex[2 * i]) * 16 + hexval(hex[2 * i + 1]));
  out[n] = '\0';
  if (len) *len = n;
  return out;
}

/* Splits a line on tabs in place; returns the number of fields. */
static int split_tabs(char *line, char **fields, int max) {
  int n = 0;
  line[strcspn(line, "\r\n")] = '\0';
  while (n < max) {
    fields[n++] = line;
    char *tab = strchr(line, '\t');
    if (!tab) break;
    *tab = '\0';
    line = tab + 1;
  }
  return n;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- a loopback HTTP stub -------------------------------------------------------------- */

/* What the stub does with each connection. */
typedef enum {
  STUB_ANSWER, /* read the request, write `response`, close */
  STUB_HANG,   /* read the request, never answer; close when the peer does */
  STUB_RESET,  /* read the request, write the start of `response`, then reset the connection */
  STUB_PROXY   /* an HTTP CONNECT proxy: record the CONNECT, then the request sent through the
                  tunnel, and write `response` to it */
} stub_mode;

typedef struct {
  char *data;
  size_t len;
} stub_request;

typedef struct {
  int fd;
  int port;
  stub_mode mode;
  char *response;
  pthread_t thread;
  pthread_mutex_t lock;
  stub_request *requests; /* every request received, grown as needed */
  int count;
  int cap;
  volatile int stopping;
  volatile int delay_ms; /* how long to wait before answering */
} stub;

/* Appends a request to what the stub captured. */
static void stub_record(stub *s, stub_request r) {
  pthread_mutex_lock(&s->lock);
  if (s->count == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 64;
    s->requests = realloc(s->requests, (size_t)s->cap * sizeof *s->requests);
  }
  s->requests[s->count++] = r;
  pthread_mutex_unlock(&s->lock);
}

static void send_all(int conn, const char *data, size_t n) {
  size_t off = 0;
  while (off < n) {
    ssize_t w = send(conn, data + off, n - off, MSG_NOSIGNAL);
    if (w <= 0) break;
    off += (size_t)w;
  }
}

/* Reads one HTTP request (headers and a Content-Length body) from `fd`. */
static stub_request read_request(int fd) {
  stub_request r = {NULL, 0};
  size_t cap = 4096, len = 0, want = 0;
  char *buf = malloc(cap + 1);
  for (;;) {
    if (len == cap) {
      cap *= 2;
      buf = realloc(buf, cap + 1);
    }
    ssize_t n = recv(fd, buf + len, cap - len, 0);
    if (n <= 0) break;
    len += (size_t)n;
    buf[len] = '\0';
    char *end = strstr(buf, "\r\n\r\n");
    if (end != NULL) {
      if (want == 0) {
        size_t body = 0;
        for (char *h = buf; h < end; h = strstr(h, "\r\n") + 2) {
          if (strncasecmp(h, "content-length:", 15) == 0) body = strtoul(h + 15, NULL, 10);
          if (strstr(h, "\r\n") == NULL) break;
        }
        want = (size_t)(end + 4 - buf) + body;
      }
      if (len >= want) break;
    }
  }
  buf[len] = '\0';
  r.data = buf;
  r.len = len;
  return r;
}

static void *stub_main(void *arg) {
  stub *s = arg;
  while (!s->stopping) {
    int conn = accept(s->fd, NULL, NULL);
    if (conn < 0) {
      if (errno == EINTR) continue;
      break;
    }
    stub_request r = read_request(conn);
    bool empty = r.len == 0;
    stub_record(s, r);
    if (empty) {
      close(conn);
      continue;
    }
    if (s->delay_ms > 0) sleep_ms(s->delay_ms);
    if (s->mode == STUB_ANSWER) {
      send_all(conn, s->response, strlen(s->response));
    } else if (s->mode == STUB_RESET) {
      send_all(conn, s->response, strlen(s->response) / 2);
      struct linger lg = {1, 0};
      setsockopt(conn, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    } else if (s->mode == STUB_PROXY) {
      const char *ok = "HTTP/1.1 200 Connection established\r\n\r\n";
      send_all(conn, ok, strlen(ok));
      stub_record(s, read_request(conn));
      send_all(conn, s->response, strlen(s->response));
    } else {
      char sink[256];
      while (recv(conn, sink, sizeof sink, 0) > 0) {
      }
    }
    close(conn);
  }
  return NULL;
}

/* A listening socket on 127.0.0.1: `port` 0 picks a free one. Returns the fd, or -1. */
static int listen_on(int port, int *bound) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons((uint16_t)port);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0) {
    close(fd);
    return -1;
  }
  socklen_t alen = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &alen);
  *bound = ntohs(a.sin_port);
  return fd;
}

/* Starts a stub on `port` (0: any free port) answering every request with the HTTP response
 * `response` as it is (NULL for STUB_HANG). */
static stub *stub_start_raw(int port, stub_mode mode, const char *response) {
  stub *s = calloc(1, sizeof *s);
  s->mode = mode;
  s->response = response ? strdup(response) : NULL;
  pthread_mutex_init(&s->lock, NULL);
  s->fd = listen_on(port, &s->port);
  if (s->fd < 0) {
    printf("FAIL cannot listen on port %d: %s\n", port, strerror(errno));
    exit(2);
  }
  pthread_create(&s->thread, NULL, stub_main, s);
  return s;
}

/* Starts a stub on `port` (0: any free port) answering every request with `status` (for
 * example "200 OK") and `body` (JSON), or never answering (STUB_HANG, both NULL). */
static stub *stub_start(int port, stub_mode mode, const char *status, const char *body) {
  stub *s = calloc(1, sizeof *s);
  s->mode = mode;
  if (status != NULL) {
    size_t n = strlen(status) + strlen(body) + 200;
    s->response = malloc(n);
    snprintf(s->response, n,
             "HTTP/1.1 %s\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n%s",
             status, strlen(body), body);
  }
  pthread_mutex_init(&s->lock, NULL);
  s->fd = listen_on(port, &s->port);
  if (s->fd < 0) {
    printf("FAIL cannot listen on port %d: %s\n", port, strerror(errno));
    exit(2);
  }
  pthread_create(&s->thread, NULL, stub_main, s);
  return s;
}

/* The base URL of a stub. */
static void stub_url(const stub *s, char *out, size_t n) { snprintf(out, n, "http://127.0.0.1:%d", s->port); }

/* Stops the stub, frees it and everything it captured. */
static void stub_stop(stub *s) {
  s->stopping = 1;
  shutdown(s->fd, SHUT_RDWR);
  close(s->fd);
  pthread_join(s->thread, NULL);
  for (int i = 0; i < s->count; i++) free(s->requests[i].data);
  free(s->requests);
  pthread_mutex_destroy(&s->lock);
  free(s->response);
  free(s);
}

/* A copy of the body of the stub's i-th request (NULL if there is none yet). */
static char *stub_body(stub *s, int i) {
  char *out = NULL;
  pthread_mutex_lock(&s->lock);
  if (i < s->count) {
    char *body = strstr(s->requests[i].data, "\r\n\r\n");
    if (body != NULL) {
      body += 4;
      size_t n = s->requests[i].len - (size_t)(body - s->requests[i].data);
      out = malloc(n + 1);
      memcpy(out, body, n);
      out[n] = '\0';
    }
  }
  pthread_mutex_unlock(&s->lock);
  return out;
}

/* A copy of the value of header `name` in the stub's i-th request (NULL if absent). */
static char *stub_header(stub *s, int i, const char *name) {
  char *out = NULL;
  size_t nlen = strlen(name);
  pthread_mutex_lock(&s->lock);
  if (i < s->count) {
    char *end = strstr(s->requests[i].data, "\r\n\r\n");
    for (char *h = strstr(s->requests[i].data, "\r\n"); h != NULL && h < end; h = strstr(h + 2, "\r\n")) {
      char *line = h + 2;
      if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
        char *v = line + nlen + 1;
        while (*v == ' ') v++;
        size_t n = strcspn(v, "\r\n");
        out = strndup(v, n);
        break;
      }
    }
  }
  pthread_mutex_unlock(&s->lock);
  return out;
}

/* A copy of the request line of the stub's i-th request. */
static char *stub_request_line(stub *s, int i) {
  char *out = NULL;
  pthread_mutex_lock(&s->lock);
  if (i < s->count) out = strndup(s->requests[i].data, strcspn(s->requests[i].data, "\r\n"));
  pthread_mutex_unlock(&s->lock);
  return out;
}

static int stub_count(stub *s) {
  pthread_mutex_lock(&s->lock);
  int n = s->count;
  pthread_mutex_unlock(&s->lock);
  return n;
}

/* A port nothing listens on (bound, then closed). */
static int closed_port(void) {
  int port = 0;
  int fd = listen_on(0, &port);
  close(fd);
  return port;
}

#endif
