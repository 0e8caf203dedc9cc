//! Signing, the platform's code table, the version, and library-owned strings.

use crate::boundary::{arg_bytes, arg_out, arg_str, guard, Res};
use crate::error::{yh_error, yh_result};
use crate::util::{c_string, value_guard};
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;
use yunhuni::SignInput;

#[allow(clippy::too_many_arguments)]
fn sign_input<'a>(
    method: *const c_char,
    uri: *const c_char,
    content_type: *const c_char,
    timestamp: *const c_char,
    app_id: *const c_char,
    body: *const u8,
    body_len: usize,
) -> Res<SignInput<'a>> {
    Ok(SignInput {
        method: arg_str(method, "method")?,
        uri: arg_str(uri, "uri")?,
        content_type: arg_str(content_type, "content_type")?,
        timestamp: arg_str(timestamp, "timestamp")?,
        app_id: arg_str(app_id, "app_id")?,
        body: arg_bytes(body, body_len, "body")?,
    })
}

/// The canonical string the platform signs for a request: `METHOD`, `CONTENT_MD5`,
/// `CONTENT_TYPE`, `TIMESTAMP`, `APPID` and `PATH` joined by `\n`. `CONTENT_MD5` (of the
/// `body_len` bytes at `body`) and `content_type` count only for POST and PUT; the query string
/// of `uri` is not signed. `timestamp` is `yyyyMMddHHmmss` in UTC+8. For an empty body pass any
/// non-NULL pointer (for example `""`) and 0.
///
/// On success writes a new string to `*string_out`; free it with `yh_string_free`.
#[no_mangle]
pub extern "C" fn yh_string_to_sign(
    method: *const c_char,
    uri: *const c_char,
    content_type: *const c_char,
    timestamp: *const c_char,
    app_id: *const c_char,
    body: *const u8,
    body_len: usize,
    string_out: *mut *mut c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let input = sign_input(method, uri, content_type, timestamp, app_id, body, body_len)?;
        let out = arg_out(string_out, "string_out")?;
        out.write(c_string(&yunhuni::string_to_sign(&input)).into_raw());
        Ok(())
    })
}

/// The `Signature` header for a request: Base64 of HMAC-SHA256, keyed with `secret_key`, of
/// the string `yh_string_to_sign` gives for the same arguments.
///
/// On success writes a new string to `*signature_out`; free it with `yh_string_free`.
#[no_mangle]
pub extern "C" fn yh_sign(
    method: *const c_char,
    uri: *const c_char,
    content_type: *const c_char,
    timestamp: *const c_char,
    app_id: *const c_char,
    body: *const u8,
    body_len: usize,
    secret_key: *const c_char,
    signature_out: *mut *mut c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let input = sign_input(method, uri, content_type, timestamp, app_id, body, body_len)?;
        let secret_key = arg_str(secret_key, "secret_key")?;
        let out = arg_out(signature_out, "signature_out")?;
        out.write(c_string(&yunhuni::sign(&input, secret_key)).into_raw());
        Ok(())
    })
}

/// Frees a string the library handed over as `char *` (from `yh_sign` and
/// `yh_string_to_sign`). NULL is ignored. Never pass it a `const char *` read from an object.
#[no_mangle]
pub extern "C" fn yh_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: non-NULL, made by `CString::into_raw` in this library, freed once by contract.
        drop(unsafe { CString::from_raw(s) });
    }));
}

/// The version of the SDK, for example `"0.1.0"`. Static: never free it.
#[no_mangle]
pub extern "C" fn yh_version() -> *const c_char {
    static VERSION: OnceLock<CString> = OnceLock::new();
    value_guard(std::ptr::null(), || {
        VERSION.get_or_init(|| c_string(yunhuni::VERSION)).as_ptr()
    })
}

/// Looks up one of the platform's six-digit return codes, for example `"020000"`: writes its
/// name (`"CallNotExists"`), the server's own Chinese message (`"呼叫不存在"`, the `msg` it
/// returns) and an English meaning. Returns `YH_OK`, or `YH_ABSENT` for a code the platform does
/// not define (nothing written), `YH_ERR_NULL_ARGUMENT` or `YH_ERR_INVALID_UTF8`. The strings
/// are static: never free them.
#[no_mangle]
pub extern "C" fn yh_code_info(
    code: *const c_char,
    name_out: *mut *const c_char,
    zh_out: *mut *const c_char,
    en_out: *mut *const c_char,
) -> yh_result {
    static TABLE: OnceLock<Vec<[CString; 3]>> = OnceLock::new();
    value_guard(yh_result::YH_ERR_PANIC, || {
        if code.is_null() || name_out.is_null() || zh_out.is_null() || en_out.is_null() {
            return yh_result::YH_ERR_NULL_ARGUMENT;
        }
        // SAFETY: non-NULL and NUL-terminated by contract.
        let Ok(code) = unsafe { CStr::from_ptr(code) }.to_str() else {
            return yh_result::YH_ERR_INVALID_UTF8;
        };
        let all = yunhuni::codes::all();
        let Some(index) =
            yunhuni::codes::lookup(code).and_then(|info| all.iter().position(|c| c == info))
        else {
            return yh_result::YH_ABSENT;
        };
        let table = TABLE.get_or_init(|| {
            all.iter()
                .map(|c| [c_string(c.name), c_string(c.zh), c_string(c.en)])
                .collect()
        });
        let [name, zh, en] = &table[index];
        // SAFETY: all three checked non-NULL; they point to writable storage by contract.
        unsafe {
            name_out.write(name.as_ptr());
            zh_out.write(zh.as_ptr());
            en_out.write(en.as_ptr());
        }
        yh_result::YH_OK
    })
}
