/* Sends any operation of the platform by name and prints the answer's data as JSON.
 *
 *   request --list                         the 73 operations
 *   request OPERATION [FIELD=VALUE ...]    each VALUE read as the field's declared type
 *
 * Field names are snake_case, as include/yunhuni.h lists them under each `yh_<operation>_new`.
 * Lists take JSON text (files='["a.wav"]'). Credentials come from the environment, as for
 * callback.c. Build and run from the repository root:
 *
 *   gcc examples/c/request.c -I include -L target/release -lyunhuni -o request
 *   LD_LIBRARY_PATH=target/release ./request duo_callback to1=13800000001 to2=13800000002 \
 *       max_call_duration=600
 */
#include <stdio.h>
#include <string.h>

#include "yunhuni.h"

/* Prints an error the way a program would log it, and frees it. */
static int fail(const char *what, yh_error *err) {
  fprintf(stderr, "%s failed: %s error: %s", what, yh_error_kind(err), yh_error_message(err));
  if (yh_error_code(err) != NULL) fprintf(stderr, " (platform code %s)", yh_error_code(err));
  if (yh_error_field(err) != NULL) fprintf(stderr, " (field %s)", yh_error_field(err));
  fprintf(stderr, "\n");
  yh_error_free(err);
  return 1;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (size_t i = 0; i < yh_operation_count(); i++) printf("%s\n", yh_operation_name(i));
    return 0;
  }
  if (argc < 2) {
    fprintf(stderr, "usage: %s --list | OPERATION [FIELD=VALUE ...]\n", argv[0]);
    return 2;
  }
  yh_request *request = NULL;
  yh_error *err = NULL;
  if (yh_request_new(argv[1], &request, &err) != YH_OK) return fail("yh_request_new", err);
  for (int i = 2; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (eq == NULL) {
      fprintf(stderr, "%s: expected FIELD=VALUE\n", argv[i]);
      yh_request_free(request);
      return 2;
    }
    *eq = '\0';
    if (yh_request_set_text(request, argv[i], eq + 1, &err) != YH_OK) {
      yh_request_free(request);
      return fail("setting a field", err);
    }
  }

  yh_client *client = NULL;
  if (yh_client_from_env(&client, &err) != YH_OK) {
    yh_request_free(request);
    return fail("yh_client_from_env", err);
  }
  int status = 0;
  yh_response *response = NULL;
  if (yh_client_send(client, request, &response, &err) == YH_OK) {
    printf("%s\n", yh_response_json(response, NULL));
    if (yh_response_call_id(response) != NULL) printf("call id %s\n", yh_response_call_id(response));
  } else {
    status = fail(yh_request_operation(request), err);
  }
  yh_response_free(response);
  yh_client_free(client);
  yh_request_free(request);
  return status;
}
