/* Sends any operation of the platform by name and prints the answer's data as JSON.
 *
 *   request --list                                        the 73 operations
 *   request [--timeout-ms MS] OPERATION [FIELD=VALUE ...]  each VALUE read as the field's type
 *
 * Field names are snake_case, as include/yunhuni.h lists them under each `yh_<operation>_new`.
 * Lists take JSON text (files='["a.wav"]'). Credentials come from the environment, as for
 * callback.c; so do a proxy (HTTPS_PROXY, HTTP_PROXY) and logging (YUNHUNI_LOG=debug prints the
 * request to stderr). Build and run from the repository root:
 *
 *   gcc examples/c/request.c -I include -L target/release -lyunhuni -o request
 *   LD_LIBRARY_PATH=target/release ./request duo_callback to1=13800000001 to2=13800000002 \
 *       max_call_duration=600
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yunhuni.h"

/* Prints an error the way a program would log it, and frees it. */
static int fail(const char *what, yh_error *err) {
  fprintf(stderr, "%s failed: %s error: %s", what, yh_error_kind(err), yh_error_message(err));
  if (yh_error_code(err) != NULL) fprintf(stderr, " (platform code %s)", yh_error_code(err));
  if (yh_error_field(err) != NULL) fprintf(stderr, " (field %s)", yh_error_field(err));
  fprintf(stderr, "\n");
  /* A transport or timeout error after the request was written: it may have been acted on. */
  int status = yh_error_maybe_sent(err) ? 3 : 1;
  yh_error_free(err);
  return status;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (size_t i = 0; i < yh_operation_count(); i++) printf("%s\n", yh_operation_name(i));
    return 0;
  }
  /* --timeout-ms MS: this request's own timeout, instead of the client's 30 s. */
  yh_call_options *options = NULL;
  yh_error *err = NULL;
  int first = 1;
  if (argc > 2 && strcmp(argv[1], "--timeout-ms") == 0) {
    char *end = NULL;
    unsigned long long ms = strtoull(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0') {
      fprintf(stderr, "--timeout-ms: expected milliseconds, not %s\n", argv[2]);
      return 2;
    }
    if (yh_call_options_new(&options, &err) != YH_OK || yh_call_options_set_timeout_ms(options, ms, &err) != YH_OK) {
      yh_call_options_free(options);
      return fail("yh_call_options", err);
    }
    first = 3;
  }
  if (argc <= first) {
    fprintf(stderr, "usage: %s --list | [--timeout-ms MS] OPERATION [FIELD=VALUE ...]\n", argv[0]);
    yh_call_options_free(options);
    return 2;
  }
  yh_request *request = NULL;
  if (yh_request_new(argv[first], &request, &err) != YH_OK) {
    yh_call_options_free(options);
    return fail("yh_request_new", err);
  }
  for (int i = first + 1; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (eq == NULL) {
      fprintf(stderr, "%s: expected FIELD=VALUE\n", argv[i]);
      yh_request_free(request);
      yh_call_options_free(options);
      return 2;
    }
    *eq = '\0';
    if (yh_request_set_text(request, argv[i], eq + 1, &err) != YH_OK) {
      yh_request_free(request);
      yh_call_options_free(options);
      return fail("setting a field", err);
    }
  }

  yh_client *client = NULL;
  if (yh_client_from_env(&client, &err) != YH_OK) {
    yh_request_free(request);
    yh_call_options_free(options);
    return fail("yh_client_from_env", err);
  }
  int status = 0;
  yh_response *response = NULL;
  yh_result sent = options ? yh_client_send_with(client, request, options, &response, &err)
                           : yh_client_send(client, request, &response, &err);
  if (sent == YH_OK) {
    printf("%s\n", yh_response_json(response, NULL));
    if (yh_response_call_id(response) != NULL) printf("call id %s\n", yh_response_call_id(response));
  } else {
    status = fail(yh_request_operation(request), err);
  }
  yh_response_free(response);
  yh_client_free(client);
  yh_request_free(request);
  yh_call_options_free(options);
  return status;
}
