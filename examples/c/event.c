/* Parses a webhook body read from standard input and prints what it says: what a webhook
 * handler written in C does with the raw POST body.
 *
 *   gcc examples/c/event.c -I include -L target/release -lyunhuni -o event
 *   LD_LIBRARY_PATH=target/release ./event < body.json
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "yunhuni.h"

int main(void) {
  size_t len = 0, cap = 4096;
  uint8_t *body = malloc(cap);
  size_t n;
  while (body != NULL && (n = fread(body + len, 1, cap - len, stdin)) > 0) {
    len += n;
    if (len == cap) body = realloc(body, cap *= 2);
  }
  if (body == NULL) return 1;

  yh_event *event = NULL;
  yh_error *err = NULL;
  if (yh_event_parse(body, len, &event, &err) != YH_OK) {
    fprintf(stderr, "not an event: %s\n", yh_error_message(err));
    yh_error_free(err);
    free(body);
    return 1;
  }
  free(body);

  printf("event %s\n", yh_event_name(event));
  const char *text = NULL;
  int64_t seconds = 0;
  switch (yh_event_get_type(event)) {
    case YH_EVENT_DUO_CALLBACK_END:
      yh_event_duo_outcome(event, &text);
      yh_event_duo_talk_seconds(event, &seconds);
      printf("call %s ended: %s, talked %" PRId64 " s\n", yh_event_id(event), text, seconds);
      if (yh_event_duo_user_data(event, &text) == YH_OK) printf("user data %s\n", text);
      break;
    case YH_EVENT_NOTIFY_CALL_END:
    case YH_EVENT_VERIFY_CALL_END:
      if (yh_event_notify_ended_by(event, &text) == YH_OK) printf("ended by the %s\n", text);
      if (yh_event_notify_error(event, &text) == YH_OK) printf("error %s\n", text);
      break;
    default:
      printf("%s\n", yh_event_json(event, NULL));
  }
  yh_event_free(event);
  return 0;
}
