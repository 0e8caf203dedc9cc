/*
 * The PHP extension yunhuni: libyunhuni's C ABI (include/yunhuni.h) seen from PHP, as the
 * functions and class of yunhuni.stub.php (namespace Yunhuni\Ext). It converts PHP values to C
 * arguments and C results to PHP values and calls the library; everything else (validation,
 * signing, HTTP, parsing) is the library's. The PHP library (php/src) uses these functions in
 * place of PHP's FFI when the extension is loaded (php/src/Native.php), so both give the same
 * Yunhuni\Client, Yunhuni\Exception, Yunhuni\parse_event() and Yunhuni\Webhook\Receiver.
 *
 * Failures of the library become Yunhuni\Exception (the PHP library's class: kind, message,
 * platform code, HTTP status, field, result code, platform message, maybe sent); a string
 * holding a NUL byte is a validation error naming the argument, as on the FFI path; wrong types
 * are PHP's TypeError from the arginfo.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "php.h"
#include "ext/standard/info.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"
#include "zend_smart_str.h"
#include "ext/spl/spl_exceptions.h"
#include "php_yunhuni.h"

#include <yunhuni.h>

#include "yunhuni_arginfo.h"

/* ---- Yunhuni\Ext\Client: owns one yh_client and the PHP log callable ------------------------ */

typedef struct {
    struct yh_client *client;
    bool cached; /* the client belongs to the process's cache, not to this object */
    zval log;    /* IS_UNDEF when there is no log callable */
    zend_object std;
} yh_php_client;

/*
 * The process's clients, by credentials and settings: a client made without a log callable is
 * kept for the life of the process and handed to every later client_new() with the same
 * arguments, so that a PHP-FPM or Apache worker reuses its connections from one PHP request to
 * the next (PHP frees every object at the end of a request). At most YH_CACHE_MAX of them;
 * freed when the module shuts down. Not in thread-safe builds (one table for every thread).
 */
#define YH_CACHE_MAX 16
#ifndef ZTS
static HashTable yh_cache;
#endif

static zend_class_entry *yh_client_ce;
static zend_object_handlers yh_client_handlers;

static inline yh_php_client *yh_client_from(zend_object *obj)
{
    return (yh_php_client *) ((char *) obj - XtOffsetOf(yh_php_client, std));
}

static zend_object *yh_client_create(zend_class_entry *ce)
{
    yh_php_client *c = zend_object_alloc(sizeof(yh_php_client), ce);
    c->client = NULL;
    c->cached = false;
    ZVAL_UNDEF(&c->log);
    zend_object_std_init(&c->std, ce);
    object_properties_init(&c->std, ce);
    c->std.handlers = &yh_client_handlers;
    return &c->std;
}

static void yh_client_free_obj(zend_object *obj)
{
    yh_php_client *c = yh_client_from(obj);
    if (c->client != NULL && !c->cached) {
        yh_client_free(c->client);
    }
    c->client = NULL;
    zval_ptr_dtor(&c->log);
    ZVAL_UNDEF(&c->log);
    zend_object_std_dtor(obj);
}

static HashTable *yh_client_get_gc(zend_object *obj, zval **table, int *n)
{
    yh_php_client *c = yh_client_from(obj);
    *table = Z_ISUNDEF(c->log) ? NULL : &c->log;
    *n = Z_ISUNDEF(c->log) ? 0 : 1;
    return NULL;
}

static zend_function *yh_client_get_constructor(zend_object *obj)
{
    zend_throw_error(NULL, "Yunhuni\\Ext\\Client cannot be constructed directly; use Yunhuni\\Ext\\client_new()");
    return NULL;
}

/* ---- Yunhuni\Ext\Receiver: owns one yh_webhook_receiver -------------------------------------- */

typedef struct {
    struct yh_webhook_receiver *receiver;
    zend_object std;
} yh_php_receiver;

static zend_class_entry *yh_receiver_ce;
static zend_object_handlers yh_receiver_handlers;

static inline yh_php_receiver *yh_receiver_from(zend_object *obj)
{
    return (yh_php_receiver *) ((char *) obj - XtOffsetOf(yh_php_receiver, std));
}

static zend_object *yh_receiver_create(zend_class_entry *ce)
{
    yh_php_receiver *r = zend_object_alloc(sizeof(yh_php_receiver), ce);
    r->receiver = NULL;
    zend_object_std_init(&r->std, ce);
    object_properties_init(&r->std, ce);
    r->std.handlers = &yh_receiver_handlers;
    return &r->std;
}

static void yh_receiver_free_obj(zend_object *obj)
{
    yh_php_receiver *r = yh_receiver_from(obj);
    yh_webhook_receiver_free(r->receiver);
    r->receiver = NULL;
    zend_object_std_dtor(obj);
}

static zend_function *yh_receiver_get_constructor(zend_object *obj)
{
    zend_throw_error(NULL, "Yunhuni\\Ext\\Receiver cannot be constructed directly; use Yunhuni\\Ext\\webhook_receiver_new()");
    return NULL;
}

/* ---- errors ---------------------------------------------------------------------------------- */

/*
 * Throws Yunhuni\Exception(kind, message, platformCode, status, field, result, platformMessage,
 * maybeSent) from these 8 values (released here), the PHP library's class (autoloaded if need
 * be); without it, a RuntimeException with the message and the result code.
 */
static void yh_throw_args(zval args[8])
{
    zend_string *name = zend_string_init("Yunhuni\\Exception", sizeof("Yunhuni\\Exception") - 1, 0);
    zend_class_entry *ce = zend_lookup_class(name);
    zend_string_release(name);
    if (!EG(exception)) { /* else the autoloader threw */
        if (ce == NULL || ce->constructor == NULL) {
            zend_throw_exception_ex(spl_ce_RuntimeException, Z_LVAL(args[5]), "%s (%s)", Z_STRVAL(args[1]), Z_STRVAL(args[0]));
        } else {
            zval ex;
            object_init_ex(&ex, ce);
            zend_call_known_instance_method(ce->constructor, Z_OBJ(ex), NULL, 8, args);
            if (EG(exception)) {
                zval_ptr_dtor(&ex);
            } else {
                zend_throw_exception_object(&ex);
            }
        }
    }
    for (int i = 0; i < 8; i++) {
        zval_ptr_dtor(&args[i]);
    }
}

static void yh_throw(const char *kind, const char *message, const char *code, zend_long status,
                     const char *field, zend_long result, const char *platform_message, bool maybe_sent)
{
    zval args[8];
    ZVAL_STRING(&args[0], kind ? kind : "panic");
    ZVAL_STRING(&args[1], message ? message : "");
    if (code) { ZVAL_STRING(&args[2], code); } else { ZVAL_NULL(&args[2]); }
    ZVAL_LONG(&args[3], status);
    if (field) { ZVAL_STRING(&args[4], field); } else { ZVAL_NULL(&args[4]); }
    ZVAL_LONG(&args[5], result);
    if (platform_message) { ZVAL_STRING(&args[6], platform_message); } else { ZVAL_NULL(&args[6]); }
    ZVAL_BOOL(&args[7], maybe_sent);
    yh_throw_args(args);
}

/* Throws the error a failed call returned, and frees it. */
static void yh_throw_error(enum yh_result result, struct yh_error *err)
{
    if (err == NULL) {
        char message[64];
        snprintf(message, sizeof message, "the yunhuni library failed with code %d", (int) result);
        yh_throw("panic", message, NULL, 0, NULL, result, NULL, false);
        return;
    }
    yh_throw(yh_error_kind(err), yh_error_message(err), yh_error_code(err), yh_error_status(err),
             yh_error_field(err), result, yh_error_platform_message(err), yh_error_maybe_sent(err));
    yh_error_free(err);
}

/* A C string argument: refused (with the exception thrown) when it holds a NUL byte, as a
 * validation error of the extension's own naming the argument (all its bytes). */
static bool yh_cstr_named(zend_string *s, const char *field, size_t field_len)
{
    if (memchr(ZSTR_VAL(s), '\0', ZSTR_LEN(s)) == NULL) {
        return true;
    }
    zval args[8];
    ZVAL_STRING(&args[0], "validation");
    ZVAL_STR(&args[1], zend_string_concat2(field, field_len, ": must not contain NUL bytes",
                                           sizeof(": must not contain NUL bytes") - 1));
    ZVAL_NULL(&args[2]);
    ZVAL_LONG(&args[3], 0);
    ZVAL_STRINGL(&args[4], field, field_len);
    ZVAL_LONG(&args[5], YH_ERR_VALIDATION);
    ZVAL_NULL(&args[6]);
    ZVAL_FALSE(&args[7]);
    yh_throw_args(args);
    return false;
}

static bool yh_cstr(zend_string *s, const char *field)
{
    return yh_cstr_named(s, field, strlen(field));
}

static void yh_add_str_or_null(zval *arr, const char *key, const char *value)
{
    if (value) {
        add_assoc_string(arr, key, value);
    } else {
        add_assoc_null(arr, key);
    }
}

/* ---- functions ------------------------------------------------------------------------------- */

ZEND_FUNCTION(Yunhuni_Ext_version)
{
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_STRING(yh_version());
}

/* The library's log callback: hands the entry to the client's PHP callable, on PHP's thread,
 * inside the call that sent the request. Nothing thrown may leave it. */
static void yh_on_log(const struct yh_request_log *log, void *user)
{
    yh_php_client *c = user;
    if (c == NULL || Z_ISUNDEF(c->log) || EG(exception)) {
        return;
    }
    zval entry, retval;
    array_init(&entry);
    yh_add_str_or_null(&entry, "line", yh_request_log_line(log));
    yh_add_str_or_null(&entry, "method", yh_request_log_method(log));
    yh_add_str_or_null(&entry, "path", yh_request_log_path(log));
    uint16_t status = yh_request_log_status(log);
    if (status == 0) {
        add_assoc_null(&entry, "status");
    } else {
        add_assoc_long(&entry, "status", status);
    }
    yh_add_str_or_null(&entry, "code", yh_request_log_code(log));
    yh_add_str_or_null(&entry, "error", yh_request_log_error_kind(log));
    add_assoc_double(&entry, "duration_ms", (double) yh_request_log_duration_us(log) / 1000.0);
    add_assoc_long(&entry, "attempts", (zend_long) yh_request_log_attempts(log));
    ZVAL_UNDEF(&retval);
    call_user_function(NULL, NULL, &c->log, &retval, 1, &entry);
    zval_ptr_dtor(&retval);
    zval_ptr_dtor(&entry);
    if (EG(exception)) {
        zend_clear_exception();
        php_error_docref(NULL, E_WARNING, "the log callback threw; the request went on");
    }
}

/* Applies one setting to a builder; false with the exception thrown when it fails. */
static bool yh_apply_setting(struct yh_client_builder *b, zend_string *name, zval *value)
{
    struct yh_error *err = NULL;
    enum yh_result r;
    const char *n = ZSTR_VAL(name);
    if (zend_string_equals_literal(name, "proxy") && Z_TYPE_P(value) == IS_FALSE) {
        r = yh_client_builder_set_no_proxy(b, &err);
    } else if (zend_string_equals_literal(name, "base_url") || zend_string_equals_literal(name, "account_id")
               || zend_string_equals_literal(name, "user_agent") || zend_string_equals_literal(name, "proxy")) {
        if (Z_TYPE_P(value) != IS_STRING) {
            zend_type_error("Yunhuni\\Ext\\client_new(): setting %s must be of type string, %s given", n, zend_zval_type_name(value));
            return false;
        }
        if (!yh_cstr(Z_STR_P(value), n)) {
            return false;
        }
        const char *v = Z_STRVAL_P(value);
        if (n[0] == 'b') {
            r = yh_client_builder_set_base_url(b, v, &err);
        } else if (n[0] == 'a') {
            r = yh_client_builder_set_account_id(b, v, &err);
        } else if (n[0] == 'u') {
            r = yh_client_builder_set_user_agent(b, v, &err);
        } else {
            r = yh_client_builder_set_proxy(b, v, &err);
        }
    } else if (zend_string_equals_literal(name, "timeout") || zend_string_equals_literal(name, "connect_timeout")
               || zend_string_equals_literal(name, "connect_retries")
               || zend_string_equals_literal(name, "max_idle_connections")) {
        if (Z_TYPE_P(value) != IS_LONG) {
            zend_type_error("Yunhuni\\Ext\\client_new(): setting %s must be of type int, %s given", n, zend_zval_type_name(value));
            return false;
        }
        zend_long v = Z_LVAL_P(value);
        if (v < 0 || (n[0] == 'c' && n[8] == 'r' && (zend_ulong) v > UINT32_MAX)) {
            zend_value_error("Yunhuni\\Ext\\client_new(): setting %s is out of range", n);
            return false;
        }
        if (n[0] == 'm') {
            r = yh_client_builder_set_max_idle_connections(b, (uint64_t) v, &err);
        } else if (n[0] == 't') {
            r = yh_client_builder_set_timeout_ms(b, (uint64_t) v, &err);
        } else if (n[8] == 't') {
            r = yh_client_builder_set_connect_timeout_ms(b, (uint64_t) v, &err);
        } else {
            r = yh_client_builder_set_connect_retries(b, (uint32_t) v, &err);
        }
    } else {
        zend_value_error("Yunhuni\\Ext\\client_new(): %s is not a setting", n);
        return false;
    }
    if (r != YH_OK) {
        yh_throw_error(r, err);
        return false;
    }
    return true;
}

#ifndef ZTS
static void yh_key_str(smart_str *key, const char *s, size_t len)
{
    smart_str_append_unsigned(key, len);
    smart_str_appendc(key, ':');
    smart_str_appendl(key, s, len);
}

/* The cache key of credentials and settings, or NULL when they are not plain (left to the
 * builder, which reports what is wrong). */
static zend_string *yh_cache_key(HashTable *credentials, HashTable *settings)
{
    smart_str key = {0};
    for (zend_ulong i = 0; i < 3; i++) {
        zval *v = zend_hash_index_find(credentials, i);
        if (v == NULL || Z_TYPE_P(v) != IS_STRING) {
            smart_str_free(&key);
            return NULL;
        }
        yh_key_str(&key, Z_STRVAL_P(v), Z_STRLEN_P(v));
    }
    if (settings != NULL) {
        zend_string *name;
        zval *value;
        ZEND_HASH_FOREACH_STR_KEY_VAL(settings, name, value) {
            if (name == NULL) {
                smart_str_free(&key);
                return NULL;
            }
            yh_key_str(&key, ZSTR_VAL(name), ZSTR_LEN(name));
            switch (Z_TYPE_P(value)) {
            case IS_STRING:
                smart_str_appendc(&key, 's');
                yh_key_str(&key, Z_STRVAL_P(value), Z_STRLEN_P(value));
                break;
            case IS_LONG:
                smart_str_appendc(&key, 'l');
                smart_str_append_long(&key, Z_LVAL_P(value));
                break;
            case IS_FALSE:
                smart_str_appendc(&key, 'f');
                break;
            default:
                smart_str_free(&key);
                return NULL;
            }
        } ZEND_HASH_FOREACH_END();
    }
    return smart_str_extract(&key);
}
#endif

/* A builder from credentials [app_id, cert_id, secret_key], or from the environment for NULL;
 * false with the exception thrown when they are refused. */
static bool yh_builder_new(HashTable *credentials, struct yh_client_builder **b)
{
    struct yh_error *err = NULL;
    enum yh_result r;
    if (credentials == NULL) {
        r = yh_client_builder_from_env(b, &err);
    } else {
        static const char *names[3] = {"app_id", "cert_id", "secret_key"};
        const char *values[3];
        if (zend_hash_num_elements(credentials) != 3) {
            zend_argument_value_error(1, "must hold [app_id, cert_id, secret_key]");
            return false;
        }
        for (zend_ulong i = 0; i < 3; i++) {
            zval *v = zend_hash_index_find(credentials, i);
            if (v == NULL || Z_TYPE_P(v) != IS_STRING) {
                zend_argument_type_error(1, "must hold [app_id, cert_id, secret_key] as strings");
                return false;
            }
            if (!yh_cstr(Z_STR_P(v), names[i])) {
                return false;
            }
            values[i] = Z_STRVAL_P(v);
        }
        r = yh_client_builder_new(values[0], values[1], values[2], b, &err);
    }
    if (r != YH_OK) {
        yh_throw_error(r, err);
        return false;
    }
    return true;
}

ZEND_FUNCTION(Yunhuni_Ext_client_new)
{
    HashTable *credentials = NULL, *settings = NULL;
    zend_fcall_info fci = empty_fcall_info;
    zend_fcall_info_cache fcc = empty_fcall_info_cache;
    ZEND_PARSE_PARAMETERS_START(1, 3)
        Z_PARAM_ARRAY_HT_OR_NULL(credentials)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(settings)
        Z_PARAM_FUNC_OR_NULL(fci, fcc)
    ZEND_PARSE_PARAMETERS_END();

    zend_string *cache_key = NULL;
#ifndef ZTS
    if (credentials != NULL && !ZEND_FCI_INITIALIZED(fci)) {
        cache_key = yh_cache_key(credentials, settings);
        struct yh_client *hit = cache_key ? zend_hash_find_ptr(&yh_cache, cache_key) : NULL;
        if (hit != NULL) {
            zend_string_release(cache_key);
            object_init_ex(return_value, yh_client_ce);
            yh_php_client *c = yh_client_from(Z_OBJ_P(return_value));
            c->client = hit;
            c->cached = true;
            return;
        }
    }
#endif

    struct yh_client_builder *b = NULL;
    struct yh_error *err = NULL;
    enum yh_result r;
    if (!yh_builder_new(credentials, &b)) {
        if (cache_key) {
            zend_string_release(cache_key);
        }
        RETURN_THROWS();
    }
    object_init_ex(return_value, yh_client_ce);
    yh_php_client *c = yh_client_from(Z_OBJ_P(return_value));
    bool ok = true;
    if (settings != NULL) {
        zend_string *key;
        zval *value;
        ZEND_HASH_FOREACH_STR_KEY_VAL(settings, key, value) {
            if (key == NULL) {
                zend_argument_value_error(2, "must have the settings' names as keys");
                ok = false;
                break;
            }
            if (!yh_apply_setting(b, key, value)) {
                ok = false;
                break;
            }
        } ZEND_HASH_FOREACH_END();
    }
    if (ok && ZEND_FCI_INITIALIZED(fci)) {
        ZVAL_COPY(&c->log, &fci.function_name);
        err = NULL;
        r = yh_client_builder_set_log(b, yh_on_log, c, &err);
        if (r != YH_OK) {
            yh_throw_error(r, err);
            ok = false;
        }
    }
    if (ok) {
        err = NULL;
        r = yh_client_builder_build(b, &c->client, &err);
        if (r != YH_OK) {
            yh_throw_error(r, err);
            ok = false;
        }
    }
    yh_client_builder_free(b);
    if (!ok) {
        if (cache_key) {
            zend_string_release(cache_key);
        }
        zval_ptr_dtor(return_value);
        ZVAL_UNDEF(return_value);
        RETURN_THROWS();
    }
#ifndef ZTS
    if (cache_key) {
        if (zend_hash_num_elements(&yh_cache) < YH_CACHE_MAX) {
            zend_string *persistent = zend_string_init(ZSTR_VAL(cache_key), ZSTR_LEN(cache_key), 1);
            zend_hash_add_new_ptr(&yh_cache, persistent, c->client);
            zend_string_release(persistent);
            c->cached = true;
        }
        zend_string_release(cache_key);
    }
#endif
}

/* The client of an argument; NULL with an Error thrown when it was never built. */
static struct yh_client *yh_client_arg(zval *obj)
{
    yh_php_client *c = yh_client_from(Z_OBJ_P(obj));
    if (c->client == NULL) {
        zend_throw_error(NULL, "this Yunhuni\\Ext\\Client was not made by client_new()");
    }
    return c->client;
}

ZEND_FUNCTION(Yunhuni_Ext_client_info)
{
    zval *obj;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_OBJECT_OF_CLASS(obj, yh_client_ce)
    ZEND_PARSE_PARAMETERS_END();
    struct yh_client *client = yh_client_arg(obj);
    if (client == NULL) {
        RETURN_THROWS();
    }
    array_init(return_value);
    yh_add_str_or_null(return_value, "app_id", yh_client_app_id(client));
    yh_add_str_or_null(return_value, "cert_id", yh_client_cert_id(client));
    yh_add_str_or_null(return_value, "account_id", yh_client_account_id(client));
    yh_add_str_or_null(return_value, "api_root", yh_client_api_root(client));
    add_assoc_bool(return_value, "cached", yh_client_from(Z_OBJ_P(obj))->cached);
}

/* Sets one field of a request; false with the exception thrown when it fails. */
static bool yh_set_field(struct yh_request *req, zend_string *key, zval *value, bool json)
{
    struct yh_error *err = NULL;
    enum yh_result r;
    const char *name = ZSTR_VAL(key);
    if (!yh_cstr_named(key, name, ZSTR_LEN(key))) {
        return false;
    }
    switch (Z_TYPE_P(value)) {
    case IS_STRING:
        if (!yh_cstr_named(Z_STR_P(value), name, ZSTR_LEN(key))) {
            return false;
        }
        r = json ? yh_request_set_json(req, name, Z_STRVAL_P(value), &err)
                 : yh_request_set_str(req, name, Z_STRVAL_P(value), &err);
        break;
    case IS_LONG:
        r = yh_request_set_int(req, name, (int64_t) Z_LVAL_P(value), &err);
        break;
    case IS_TRUE:
    case IS_FALSE:
        r = yh_request_set_bool(req, name, Z_TYPE_P(value) == IS_TRUE, &err);
        break;
    case IS_NULL:
        return true;
    default:
        zend_type_error("Yunhuni\\Ext\\request(): field %s must be of type string|int|bool, %s given",
                        name, zend_zval_type_name(value));
        return false;
    }
    if (r != YH_OK) {
        yh_throw_error(r, err);
        return false;
    }
    return true;
}

ZEND_FUNCTION(Yunhuni_Ext_request)
{
    zval *obj;
    zend_string *operation;
    HashTable *fields, *json_fields = NULL;
    zend_long timeout_ms = 0;
    bool timeout_null = true;
    ZEND_PARSE_PARAMETERS_START(3, 5)
        Z_PARAM_OBJECT_OF_CLASS(obj, yh_client_ce)
        Z_PARAM_STR(operation)
        Z_PARAM_ARRAY_HT(fields)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(json_fields)
        Z_PARAM_LONG_OR_NULL(timeout_ms, timeout_null)
    ZEND_PARSE_PARAMETERS_END();
    struct yh_client *client = yh_client_arg(obj);
    if (client == NULL || !yh_cstr(operation, "operation")) {
        RETURN_THROWS();
    }
    if (!timeout_null && timeout_ms < 0) {
        zend_argument_value_error(5, "must be 0 or more milliseconds");
        RETURN_THROWS();
    }

    struct yh_request *req = NULL;
    struct yh_call_options *options = NULL;
    struct yh_response *response = NULL;
    struct yh_error *err = NULL;
    enum yh_result r = yh_request_new(ZSTR_VAL(operation), &req, &err);
    if (r != YH_OK) {
        yh_throw_error(r, err);
        RETURN_THROWS();
    }
    bool ok = true;
    zend_string *key;
    zend_ulong index;
    zval *value;
    ZEND_HASH_FOREACH_KEY_VAL(fields, index, key, value) {
        zend_string *name = key ? zend_string_copy(key) : zend_ulong_to_str(index);
        bool json = json_fields != NULL && zend_hash_exists(json_fields, name);
        ok = yh_set_field(req, name, value, json);
        zend_string_release(name);
        if (!ok) {
            break;
        }
    } ZEND_HASH_FOREACH_END();
    if (ok && !timeout_null) {
        err = NULL;
        r = yh_call_options_new(&options, &err);
        if (r == YH_OK) {
            r = yh_call_options_set_timeout_ms(options, (uint64_t) timeout_ms, &err);
        }
        if (r != YH_OK) {
            yh_throw_error(r, err);
            ok = false;
        }
    }
    if (ok) {
        err = NULL;
        r = options == NULL ? yh_client_send(client, req, &response, &err)
                            : yh_client_send_with(client, req, options, &response, &err);
        if (r != YH_OK) {
            yh_throw_error(r, err);
            ok = false;
        }
    }
    yh_call_options_free(options);
    yh_request_free(req);
    if (!ok) {
        RETURN_THROWS();
    }
    size_t len = 0;
    const char *json = yh_response_json(response, &len);
    const char *call_id = yh_response_call_id(response);
    array_init(return_value);
    add_next_index_stringl(return_value, json ? json : "null", json ? len : 4);
    if (call_id) {
        add_next_index_string(return_value, call_id);
    } else {
        add_next_index_null(return_value);
    }
#ifndef YUNHUNI_TEST_LEAK_RESPONSES
    yh_response_free(response);
#endif
    /* (scripts/test-php builds a copy with YUNHUNI_TEST_LEAK_RESPONSES defined, to see that its
     * valgrind run finds a leak of the extension's.) */
}

ZEND_FUNCTION(Yunhuni_Ext_parse_event)
{
    zend_string *body;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(body)
    ZEND_PARSE_PARAMETERS_END();
    struct yh_event *event = NULL;
    struct yh_error *err = NULL;
    enum yh_result r = yh_event_parse((const uint8_t *) ZSTR_VAL(body), ZSTR_LEN(body), &event, &err);
    if (r != YH_OK) {
        yh_throw_error(r, err);
        RETURN_THROWS();
    }
    size_t raw_len = 0, json_len = 0;
    const char *name = yh_event_name(event);
    const char *id = yh_event_id(event);
    const char *raw = yh_event_raw_json(event, &raw_len);
    const char *json = yh_event_json(event, &json_len);
    array_init(return_value);
    add_next_index_string(return_value, name ? name : "");
    if (id) {
        add_next_index_string(return_value, id);
    } else {
        add_next_index_null(return_value);
    }
    add_next_index_stringl(return_value, raw ? raw : "", raw ? raw_len : 0);
    add_next_index_stringl(return_value, json ? json : "null", json ? json_len : 4);
    yh_event_free(event);
}

static void yh_sign_common(INTERNAL_FUNCTION_PARAMETERS, bool with_key)
{
    zend_string *method, *uri, *content_type, *timestamp, *app_id, *body, *secret = NULL;
    if (with_key) {
        ZEND_PARSE_PARAMETERS_START(7, 7)
            Z_PARAM_STR(method)
            Z_PARAM_STR(uri)
            Z_PARAM_STR(content_type)
            Z_PARAM_STR(timestamp)
            Z_PARAM_STR(app_id)
            Z_PARAM_STR(body)
            Z_PARAM_STR(secret)
        ZEND_PARSE_PARAMETERS_END();
    } else {
        ZEND_PARSE_PARAMETERS_START(6, 6)
            Z_PARAM_STR(method)
            Z_PARAM_STR(uri)
            Z_PARAM_STR(content_type)
            Z_PARAM_STR(timestamp)
            Z_PARAM_STR(app_id)
            Z_PARAM_STR(body)
        ZEND_PARSE_PARAMETERS_END();
    }
    if (!yh_cstr(method, "method") || !yh_cstr(uri, "uri") || !yh_cstr(content_type, "content_type")
        || !yh_cstr(timestamp, "timestamp") || !yh_cstr(app_id, "app_id")
        || (secret != NULL && !yh_cstr(secret, "secret_key"))) {
        RETURN_THROWS();
    }
    char *out = NULL;
    struct yh_error *err = NULL;
    enum yh_result r = with_key
        ? yh_sign(ZSTR_VAL(method), ZSTR_VAL(uri), ZSTR_VAL(content_type), ZSTR_VAL(timestamp), ZSTR_VAL(app_id),
                  (const uint8_t *) ZSTR_VAL(body), ZSTR_LEN(body), ZSTR_VAL(secret), &out, &err)
        : yh_string_to_sign(ZSTR_VAL(method), ZSTR_VAL(uri), ZSTR_VAL(content_type), ZSTR_VAL(timestamp),
                            ZSTR_VAL(app_id), (const uint8_t *) ZSTR_VAL(body), ZSTR_LEN(body), &out, &err);
    if (r != YH_OK) {
        yh_throw_error(r, err);
        RETURN_THROWS();
    }
    RETVAL_STRING(out);
    yh_string_free(out);
}

ZEND_FUNCTION(Yunhuni_Ext_string_to_sign)
{
    yh_sign_common(INTERNAL_FUNCTION_PARAM_PASSTHRU, false);
}

ZEND_FUNCTION(Yunhuni_Ext_sign)
{
    yh_sign_common(INTERNAL_FUNCTION_PARAM_PASSTHRU, true);
}

ZEND_FUNCTION(Yunhuni_Ext_ivr_xml)
{
    zend_string *description;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(description)
    ZEND_PARSE_PARAMETERS_END();
    if (!yh_cstr(description, "response")) {
        RETURN_THROWS();
    }
    struct yh_ivr_response *response = NULL;
    struct yh_error *err = NULL;
    char *xml = NULL;
    enum yh_result r = yh_ivr_response_from_json(ZSTR_VAL(description), YH_CASING_SNAKE, &response, &err);
    if (r == YH_OK) {
        r = yh_ivr_response_to_xml(response, YH_CASING_SNAKE, &xml, &err);
    }
    yh_ivr_response_free(response);
    if (r != YH_OK) {
        yh_throw_error(r, err);
        RETURN_THROWS();
    }
    RETVAL_STRING(xml);
    yh_string_free(xml);
}

ZEND_FUNCTION(Yunhuni_Ext_ivr_next)
{
    zend_string *query;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(query)
    ZEND_PARSE_PARAMETERS_END();
    struct yh_ivr_next *next = NULL;
    struct yh_error *err = NULL;
    enum yh_result r = yh_ivr_next_parse((const uint8_t *) ZSTR_VAL(query), ZSTR_LEN(query), &next, &err);
    if (r != YH_OK) {
        yh_throw_error(r, err);
        RETURN_THROWS();
    }
    size_t len = 0;
    const char *json = yh_ivr_next_json(next, &len);
    RETVAL_STRINGL(json ? json : "null", json ? len : 4);
    yh_ivr_next_free(next);
}

ZEND_FUNCTION(Yunhuni_Ext_code_info)
{
    zend_string *code;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(code)
    ZEND_PARSE_PARAMETERS_END();
    if (!yh_cstr(code, "code")) {
        RETURN_THROWS();
    }
    const char *name = NULL, *zh = NULL, *en = NULL;
    if (yh_code_info(ZSTR_VAL(code), &name, &zh, &en) != YH_OK) {
        RETURN_NULL();
    }
    array_init(return_value);
    add_assoc_str(return_value, "code", zend_string_copy(code));
    add_assoc_string(return_value, "name", name);
    add_assoc_string(return_value, "zh", zh);
    add_assoc_string(return_value, "en", en);
}

/* ---- webhooks -------------------------------------------------------------------------------- */

ZEND_FUNCTION(Yunhuni_Ext_webhook_receiver_new)
{
    zend_string *token = NULL, *token_param = NULL;
    zend_long max_body, capacity, ttl_ms;
    bool memory;
    ZEND_PARSE_PARAMETERS_START(6, 6)
        Z_PARAM_STR_OR_NULL(token)
        Z_PARAM_STR_OR_NULL(token_param)
        Z_PARAM_LONG(max_body)
        Z_PARAM_BOOL(memory)
        Z_PARAM_LONG(capacity)
        Z_PARAM_LONG(ttl_ms)
    ZEND_PARSE_PARAMETERS_END();
    if ((token != NULL && !yh_cstr(token, "token")) || (token_param != NULL && !yh_cstr(token_param, "token_param"))) {
        RETURN_THROWS();
    }
    if (max_body < 0) {
        zend_argument_value_error(3, "must be 0 or more");
        RETURN_THROWS();
    }
    if (capacity < 0) {
        zend_argument_value_error(5, "must be 0 or more");
        RETURN_THROWS();
    }
    if (ttl_ms < 0) {
        zend_argument_value_error(6, "must be 0 or more");
        RETURN_THROWS();
    }
    struct yh_webhook_receiver *receiver = NULL;
    struct yh_error *err = NULL;
    enum yh_result r = yh_webhook_receiver_new(token ? ZSTR_VAL(token) : NULL, token_param ? ZSTR_VAL(token_param) : NULL,
                                               (size_t) max_body, memory ? YH_WEBHOOK_STORE_MEMORY : YH_WEBHOOK_STORE_NONE,
                                               (size_t) capacity, (uint64_t) ttl_ms, &receiver, &err);
    if (r != YH_OK) {
        yh_throw_error(r, err);
        RETURN_THROWS();
    }
    object_init_ex(return_value, yh_receiver_ce);
    yh_receiver_from(Z_OBJ_P(return_value))->receiver = receiver;
}

/* The receiver of an argument; NULL with an Error thrown when it was never made. */
static struct yh_webhook_receiver *yh_receiver_arg(zval *obj)
{
    struct yh_webhook_receiver *receiver = yh_receiver_from(Z_OBJ_P(obj))->receiver;
    if (receiver == NULL) {
        zend_throw_error(NULL, "this Yunhuni\\Ext\\Receiver was not made by webhook_receiver_new()");
    }
    return receiver;
}

ZEND_FUNCTION(Yunhuni_Ext_webhook_check_head)
{
    zval *obj;
    zend_string *query;
    zend_long content_length;
    ZEND_PARSE_PARAMETERS_START(3, 3)
        Z_PARAM_OBJECT_OF_CLASS(obj, yh_receiver_ce)
        Z_PARAM_STR(query)
        Z_PARAM_LONG(content_length)
    ZEND_PARSE_PARAMETERS_END();
    struct yh_webhook_receiver *receiver = yh_receiver_arg(obj);
    if (receiver == NULL || !yh_cstr(query, "query")) {
        RETURN_THROWS();
    }
    struct yh_error *err = NULL;
    enum yh_result r = yh_webhook_check_head(receiver, ZSTR_VAL(query), content_length < 0 ? -1 : (int64_t) content_length, &err);
    if (r != YH_OK) {
        yh_throw_error(r, err);
        RETURN_THROWS();
    }
}

ZEND_FUNCTION(Yunhuni_Ext_webhook_receive)
{
    zval *obj;
    zend_string *query, *body;
    ZEND_PARSE_PARAMETERS_START(3, 3)
        Z_PARAM_OBJECT_OF_CLASS(obj, yh_receiver_ce)
        Z_PARAM_STR(query)
        Z_PARAM_STR(body)
    ZEND_PARSE_PARAMETERS_END();
    struct yh_webhook_receiver *receiver = yh_receiver_arg(obj);
    if (receiver == NULL || !yh_cstr(query, "query")) {
        RETURN_THROWS();
    }
    struct yh_webhook_delivery *delivery = NULL;
    struct yh_error *err = NULL;
    enum yh_result r = yh_webhook_receive(receiver, ZSTR_VAL(query), (const uint8_t *) ZSTR_VAL(body), ZSTR_LEN(body), &delivery, &err);
    if (r != YH_OK) {
        yh_throw_error(r, err);
        RETURN_THROWS();
    }
    const struct yh_event *event = yh_webhook_delivery_event(delivery);
    const char *key = yh_webhook_delivery_key(delivery);
    const char *answer = yh_webhook_delivery_body(delivery);
    size_t raw_len = 0, json_len = 0;
    const char *name = yh_event_name(event);
    const char *id = yh_event_id(event);
    const char *raw = yh_event_raw_json(event, &raw_len);
    const char *json = yh_event_json(event, &json_len);
    array_init(return_value);
    add_next_index_string(return_value, key ? key : "");
    add_next_index_bool(return_value, yh_webhook_delivery_duplicate(delivery));
    add_next_index_long(return_value, (zend_long) yh_webhook_delivery_status(delivery));
    add_next_index_string(return_value, answer ? answer : "");
    add_next_index_string(return_value, name ? name : "");
    if (id) {
        add_next_index_string(return_value, id);
    } else {
        add_next_index_null(return_value);
    }
    add_next_index_stringl(return_value, raw ? raw : "", raw ? raw_len : 0);
    add_next_index_stringl(return_value, json ? json : "null", json ? json_len : 4);
    yh_webhook_delivery_free(delivery);
}

ZEND_FUNCTION(Yunhuni_Ext_webhook_release)
{
    zval *obj;
    zend_string *key;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_OBJECT_OF_CLASS(obj, yh_receiver_ce)
        Z_PARAM_STR(key)
    ZEND_PARSE_PARAMETERS_END();
    struct yh_webhook_receiver *receiver = yh_receiver_arg(obj);
    if (receiver == NULL || !yh_cstr(key, "key")) {
        RETURN_THROWS();
    }
    struct yh_error *err = NULL;
    enum yh_result r = yh_webhook_release(receiver, ZSTR_VAL(key), &err);
    if (r != YH_OK) {
        yh_throw_error(r, err);
        RETURN_THROWS();
    }
}

ZEND_FUNCTION(Yunhuni_Ext_webhook_defaults)
{
    ZEND_PARSE_PARAMETERS_NONE();
    const char *prefix = yh_webhook_redis_key_prefix();
    array_init(return_value);
    add_assoc_string(return_value, "redis_key_prefix", prefix ? prefix : "");
    add_assoc_long(return_value, "ttl_ms", (zend_long) yh_webhook_default_ttl_ms());
    /* The lease protocol: core's times and texts (the Redis scripts every language runs). */
    static const char *const times[] = {"lease", "wait", "poll", "unrenewed_lease", "min_lease", "max_lease"};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s_ms", times[i]);
        add_assoc_long(return_value, name, (zend_long) yh_webhook_lease_ms(times[i]));
    }
    static const char *const texts[] = {"claim", "renew", "complete", "release", "pending_prefix", "done_value"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *text = yh_webhook_lease_text(texts[i]);
        char name[32];
        snprintf(name, sizeof name, i < 4 ? "%s_script" : "%s", texts[i]);
        add_assoc_string(return_value, name, text ? text : "");
    }
}

/* ---- the module ------------------------------------------------------------------------------ */

PHP_MINIT_FUNCTION(yunhuni)
{
    register_yunhuni_symbols(module_number);
    yh_client_ce = register_class_Yunhuni_Ext_Client();
    yh_client_ce->create_object = yh_client_create;
    memcpy(&yh_client_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
    yh_client_handlers.offset = XtOffsetOf(yh_php_client, std);
    yh_client_handlers.free_obj = yh_client_free_obj;
    yh_client_handlers.get_gc = yh_client_get_gc;
    yh_client_handlers.get_constructor = yh_client_get_constructor;
    yh_client_handlers.clone_obj = NULL;
    yh_receiver_ce = register_class_Yunhuni_Ext_Receiver();
    yh_receiver_ce->create_object = yh_receiver_create;
    memcpy(&yh_receiver_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
    yh_receiver_handlers.offset = XtOffsetOf(yh_php_receiver, std);
    yh_receiver_handlers.free_obj = yh_receiver_free_obj;
    yh_receiver_handlers.get_constructor = yh_receiver_get_constructor;
    yh_receiver_handlers.clone_obj = NULL;
#ifndef ZTS
    zend_hash_init(&yh_cache, 8, NULL, NULL, 1);
#endif
    return SUCCESS;
}

PHP_MSHUTDOWN_FUNCTION(yunhuni)
{
#ifndef ZTS
    struct yh_client *client;
    ZEND_HASH_FOREACH_PTR(&yh_cache, client) {
        yh_client_free(client);
    } ZEND_HASH_FOREACH_END();
    zend_hash_destroy(&yh_cache);
#endif
    return SUCCESS;
}

PHP_MINFO_FUNCTION(yunhuni)
{
    php_info_print_table_start();
    php_info_print_table_row(2, "yunhuni support", "enabled");
    php_info_print_table_row(2, "extension version", PHP_YUNHUNI_VERSION);
    php_info_print_table_row(2, "libyunhuni version", yh_version());
    php_info_print_table_end();
}

zend_module_entry yunhuni_module_entry = {
    STANDARD_MODULE_HEADER,
    "yunhuni",
    ext_functions,
    PHP_MINIT(yunhuni),
    PHP_MSHUTDOWN(yunhuni),
    NULL,
    NULL,
    PHP_MINFO(yunhuni),
    PHP_YUNHUNI_VERSION,
    STANDARD_MODULE_PROPERTIES,
};

#ifdef COMPILE_DL_YUNHUNI
ZEND_GET_MODULE(yunhuni)
#endif
