//! The boundary every fallible exported function runs inside: the panic boundary that turns
//! a failure into a result code and an error object, argument checks, and output parameters.

use crate::error::{yh_error, yh_result, Fail};
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub(crate) type Res<T = ()> = Result<T, Fail>;

/// Runs the body of a fallible function inside a panic boundary. On failure, and only then,
/// writes a new error object to `*err_out` when `err_out` is not NULL.
pub(crate) fn guard(err_out: *mut *mut yh_error, body: impl FnOnce() -> Res) -> yh_result {
    let fail = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return yh_result::YH_OK,
        Ok(Err(fail)) => fail,
        Err(payload) => Fail::panic(payload.as_ref()),
    };
    let result = fail.result();
    if !err_out.is_null() {
        if let Ok(obj) = catch_unwind(AssertUnwindSafe(|| {
            Box::into_raw(Box::new(yh_error::from(fail)))
        })) {
            // SAFETY: checked non-NULL; the caller promises it points to a writable pointer.
            unsafe { *err_out = obj };
        }
    }
    result
}

/// A checked reference from a pointer argument.
pub(crate) fn arg_ref<'a, T>(p: *const T, name: &str) -> Res<&'a T> {
    // SAFETY: non-NULL pointers handed to the library point to live objects it made.
    unsafe { p.as_ref() }.ok_or_else(|| Fail::null(name))
}

/// A checked mutable reference from a pointer argument.
pub(crate) fn arg_mut<'a, T>(p: *mut T, name: &str) -> Res<&'a mut T> {
    // SAFETY: as for `arg_ref`; the caller does not share the object while changing it.
    unsafe { p.as_mut() }.ok_or_else(|| Fail::null(name))
}

/// A checked UTF-8 string from a NUL-terminated C string argument.
pub(crate) fn arg_str<'a>(p: *const c_char, name: &str) -> Res<&'a str> {
    if p.is_null() {
        return Err(Fail::null(name));
    }
    // SAFETY: non-NULL and, by the API's contract, NUL-terminated.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| Fail::utf8(name))
}

/// A checked byte slice from a pointer and a length.
pub(crate) fn arg_bytes<'a>(p: *const u8, len: usize, name: &str) -> Res<&'a [u8]> {
    if p.is_null() {
        return Err(Fail::null(name));
    }
    // SAFETY: non-NULL and, by the API's contract, `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Checks an output pointer before any work is done.
pub(crate) fn arg_out<T>(p: *mut T, name: &str) -> Res<Out<T>> {
    if p.is_null() {
        return Err(Fail::null(name));
    }
    Ok(Out(p))
}

/// An output parameter that has been checked, written only once the work has succeeded.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    pub(crate) fn write(self, value: T) {
        // SAFETY: checked non-NULL by `arg_out`; points to writable storage by contract.
        unsafe { self.0.write(value) }
    }
}

impl<T> Out<*mut T> {
    /// Hands a new object to the caller, who frees it with the matching `_free`.
    pub(crate) fn write_box(self, value: T) {
        self.write(Box::into_raw(Box::new(value)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;
    use std::ptr;

    #[test]
    fn a_panic_becomes_an_error_code_and_object() {
        let mut err: *mut yh_error = ptr::null_mut();
        let result = guard(&mut err, || panic!("boom"));
        assert_eq!(result, yh_result::YH_ERR_PANIC);
        assert!(!err.is_null());
        let kind = unsafe { CStr::from_ptr(crate::yh_error_kind(err)) };
        assert_eq!(kind.to_str().unwrap(), "panic");
        let message = unsafe { CStr::from_ptr(crate::yh_error_message(err)) }
            .to_str()
            .unwrap();
        assert!(message.contains("boom"), "{message}");
        assert_eq!(crate::yh_error_result(err), yh_result::YH_ERR_PANIC);
        crate::yh_error_free(err);
        // Without an error pointer the code alone comes back.
        assert_eq!(
            guard(ptr::null_mut(), || panic!("again")),
            yh_result::YH_ERR_PANIC
        );
    }

    #[test]
    fn outputs_untouched_on_failure() {
        let mut err: *mut yh_error = ptr::null_mut();
        let result = guard(&mut err, || {
            arg_str(ptr::null(), "to1")?;
            Ok(())
        });
        assert_eq!(result, yh_result::YH_ERR_NULL_ARGUMENT);
        let field = unsafe { CStr::from_ptr(crate::yh_error_field(err)) };
        assert_eq!(field.to_str().unwrap(), "to1");
        assert_eq!(
            unsafe { CStr::from_ptr(crate::yh_error_kind(err)) }
                .to_str()
                .unwrap(),
            "validation"
        );
        crate::yh_error_free(err);
        let mut untouched: *mut yh_error = ptr::null_mut();
        assert_eq!(guard(&mut untouched, || Ok(())), yh_result::YH_OK);
        assert!(untouched.is_null());
    }
}
