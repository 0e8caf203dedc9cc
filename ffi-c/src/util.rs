//! Conversions that need nothing else from this crate: the panic boundary of accessors, C
//! strings out, and freeing. `error.rs` builds on these; `boundary.rs` builds on both.

use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs the body of an infallible accessor inside a panic boundary; `fallback` on panic.
pub(crate) fn value_guard<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// A C copy of `s`. C strings end at the first NUL, so a U+0000 inside `s` (possible only in
/// decoded event text) becomes U+FFFD.
pub(crate) fn c_string(s: &str) -> CString {
    CString::new(s)
        .unwrap_or_else(|_| CString::new(s.replace('\0', "\u{fffd}")).unwrap_or_default())
}

/// Frees an object made by `Box::into_raw`. NULL is ignored.
pub(crate) fn free_box<T>(p: *mut T) {
    if p.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: non-NULL, made by `Box::into_raw` in this library, freed once by contract.
        drop(unsafe { Box::from_raw(p) });
    }));
}

/// Reads a `const char *` field accessor's result from an optional C string.
pub(crate) fn opt_ptr(s: Option<&CString>) -> *const c_char {
    s.map_or(std::ptr::null(), |s| s.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_inside_a_string_is_replaced() {
        assert_eq!(c_string("a\0b").to_str().unwrap(), "a\u{fffd}b");
        assert_eq!(c_string("plain").to_str().unwrap(), "plain");
    }

    #[test]
    fn an_accessor_panic_gives_the_fallback() {
        assert_eq!(value_guard(7, || panic!("in an accessor")), 7);
    }
}
