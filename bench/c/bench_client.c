/* The C client's round trips: one yh_client, the same duo_callback request sent N times in
 * all, by THREADS threads sharing the client (default 1: one after the other), after a
 * warm-up. Prints one JSON row (see bench/src/main.rs); bench/run adds the raw socket measured
 * beside it as the baseline.
 *
 *   bench_client BASE_URL N REPS [THREADS]
 *
 * Credentials: the sandbox's development ones, or YUNHUNI_APP_ID, YUNHUNI_CERT_ID and
 * YUNHUNI_SECRET_KEY when set.
 */
#define _POSIX_C_SOURCE 199309L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yunhuni.h"

static const char *env_or(const char *name, const char *fallback) {
  const char *value = getenv(name);
  return value != NULL && value[0] != '\0' ? value : fallback;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, yh_error *err) {
  fprintf(stderr, "%s failed: %s: %s\n", what, yh_error_kind(err), yh_error_message(err));
  yh_error_free(err);
  return 1;
}

/* Sends `n` requests one after the other; 0 on success. */
static int round_trips(const yh_client *client, const yh_duo_callback *request, long n) {
  for (long i = 0; i < n; i++) {
    yh_call_created *call = NULL;
    yh_error *err = NULL;
    if (yh_client_duo_callback(client, request, &call, &err) != YH_OK) return die("yh_client_duo_callback", err);
    if (strlen(yh_call_created_call_id(call)) != 32) {
      fprintf(stderr, "unexpected call id %s\n", yh_call_created_call_id(call));
      yh_call_created_free(call);
      return 1;
    }
    yh_call_created_free(call);
  }
  return 0;
}

struct share {
  const yh_client *client;
  const yh_duo_callback *request;
  long n;
  int status;
};

static void *share_run(void *arg) {
  struct share *s = arg;
  s->status = round_trips(s->client, s->request, s->n);
  return NULL;
}

/* `n` requests in all on `threads` threads; 0 on success. */
static int in_flight(const yh_client *client, const yh_duo_callback *request, long n, int threads) {
  if (threads == 1) return round_trips(client, request, n);
  pthread_t ids[1024];
  struct share shares[1024];
  int started = 0, status = 0;
  for (int i = 0; i < threads; i++) {
    shares[i] = (struct share){client, request, n / threads + (i < n % threads), 0};
    if (pthread_create(&ids[i], NULL, share_run, &shares[i]) != 0) {
      fprintf(stderr, "pthread_create failed\n");
      status = 1;
      break;
    }
    started++;
  }
  for (int i = 0; i < started; i++) {
    pthread_join(ids[i], NULL);
    if (shares[i].status != 0) status = shares[i].status;
  }
  return status;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: %s BASE_URL N REPS [THREADS]\n", argv[0]);
    return 2;
  }
  int threads = argc == 5 ? atoi(argv[4]) : 1;
  if (threads < 1 || threads > 1024) {
    fprintf(stderr, "THREADS must be between 1 and 1024\n");
    return 2;
  }
  const char *base_url = argv[1];
  long n = atol(argv[2]);
  int reps = atoi(argv[3]);
  if (n < 1 || reps < 1 || reps > 100) {
    fprintf(stderr, "N must be at least 1 and REPS between 1 and 100\n");
    return 2;
  }

  yh_client_builder *builder = NULL;
  yh_client *client = NULL;
  yh_duo_callback *request = NULL;
  yh_error *err = NULL;
  if (yh_client_builder_new(env_or("YUNHUNI_APP_ID", "b0a5d1e5a2c64f0e9a7e3c1d5f000001"),
                            env_or("YUNHUNI_CERT_ID", "c3e7a9f1d2b44e8c8a6b1f0e2d000001"),
                            env_or("YUNHUNI_SECRET_KEY", "5d8f2a7c9e1b4d6fa3c0e8b7d9000001"), &builder,
                            &err) != YH_OK)
    return die("yh_client_builder_new", err);
  if (yh_client_builder_set_base_url(builder, base_url, &err) != YH_OK ||
      yh_client_builder_build(builder, &client, &err) != YH_OK) {
    yh_client_builder_free(builder);
    return die("building the client", err);
  }
  yh_client_builder_free(builder);
  if (yh_duo_callback_new("13800000001", "13800000002", 60, &request, &err) != YH_OK) {
    yh_client_free(client);
    return die("yh_duo_callback_new", err);
  }

  double samples[100];
  int status = in_flight(client, request, n, threads); /* warm-up */
  for (int r = 0; r < reps && status == 0; r++) {
    double start = now_seconds();
    status = in_flight(client, request, n, threads);
    samples[r] = (double)n / (now_seconds() - start);
  }
  yh_duo_callback_free(request);
  yh_client_free(client);
  if (status != 0) return status;

  qsort(samples, (size_t)reps, sizeof samples[0], compare);
  double median = reps % 2 ? samples[reps / 2] : (samples[reps / 2 - 1] + samples[reps / 2]) / 2;
  double spread = (samples[reps - 1] - samples[0]) / median;
  printf("{\"name\": \"C client (libyunhuni) duo_callback, %d in flight\", \"ours\": %.3f, "
         "\"baseline\": null, \"unit\": \"requests/s\", \"target\": 0.6, \"ours_spread\": %.4f, "
         "\"baseline_spread\": null, \"samples\": %d, \"samples_ours\": [",
         threads, median, spread, reps);
  for (int r = 0; r < reps; r++) printf("%s%.3f", r ? ", " : "", samples[r]);
  printf("], \"note\": \"%ld requests per sample\"}\n", n);
  return 0;
}
