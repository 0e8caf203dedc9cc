/* Places a voice callback and prints its call id.
 *
 * Credentials come from the environment (YUNHUNI_APP_ID, YUNHUNI_CERT_ID, YUNHUNI_SECRET_KEY,
 * and YUNHUNI_BASE_URL to point it at the sandbox). Build and run from the repository root:
 *
 *   cargo build --release -p yunhuni-ffi
 *   gcc examples/c/callback.c -I include -L target/release -lyunhuni -o callback
 *   LD_LIBRARY_PATH=target/release ./callback 13800000001 13800000002 order-42
 */
#include <stdio.h>
#include <stdlib.h>

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
  if (argc < 3) {
    fprintf(stderr, "usage: %s TO1 TO2 [USER_DATA]\n", argv[0]);
    return 2;
  }
  yh_client *client = NULL;
  yh_duo_callback *request = NULL;
  yh_call_created *call = NULL;
  yh_error *err = NULL;

  if (yh_client_from_env(&client, &err) != YH_OK) return fail("yh_client_from_env", err);

  /* Party 1 is called first; once it answers, party 2; at most 10 minutes of talk. */
  if (yh_duo_callback_new(argv[1], argv[2], 600, &request, &err) != YH_OK ||
      yh_duo_callback_set_max_dial_duration(request, 30, &err) != YH_OK ||
      (argc > 3 && yh_duo_callback_set_user_data(request, argv[3], &err) != YH_OK)) {
    yh_client_free(client);
    yh_duo_callback_free(request);
    return fail("building the request", err);
  }

  int status = 0;
  if (yh_client_duo_callback(client, request, &call, &err) == YH_OK) {
    printf("call id %s\n", yh_call_created_call_id(call));
    if (yh_call_created_user_data(call) != NULL) printf("user data %s\n", yh_call_created_user_data(call));
  } else {
    status = fail("yh_client_duo_callback", err);
  }

  yh_call_created_free(call);
  yh_duo_callback_free(request);
  yh_client_free(client);
  return status;
}
