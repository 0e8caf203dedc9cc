//! Errors on their way to Java.
//!
//! Every error of core crosses as a `com.yunhuni.YunhuniException` (the subclass of its kind),
//! made by the static factory `YunhuniException.fromNative(kind, message, code, status, field,
//! platformMessage, maybeSent)`. A failure of JNI itself leaves the JVM's own exception
//! pending; a panic becomes a `YunhuniException` of kind `internal` (never an abort).

use jni::errors::ErrorPolicy;
use jni::objects::{JObject, JThrowable};
use jni::{jni_sig, jni_str, Env, JValue};

/// One error of a native method.
#[derive(Debug)]
pub(crate) enum JErr {
    /// One of core's errors, or one the binding makes in core's form.
    Core(yunhuni::Error),
    /// A binding error of another kind (`timeout`, `transport`) with no code or status.
    Other(&'static str, String),
    /// JNI failed (a Java exception may be pending: it is left to propagate).
    Jni(jni::errors::Error),
}

impl std::fmt::Display for JErr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JErr::Core(e) => write!(f, "{e}"),
            JErr::Other(_, m) => f.write_str(m),
            JErr::Jni(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for JErr {}

impl From<yunhuni::Error> for JErr {
    fn from(e: yunhuni::Error) -> Self {
        JErr::Core(e)
    }
}

impl From<jni::errors::Error> for JErr {
    fn from(e: jni::errors::Error) -> Self {
        JErr::Jni(e)
    }
}

/// A `validation` error naming `field`, in core's form.
pub(crate) fn invalid(field: impl Into<String>, message: impl std::fmt::Display) -> JErr {
    JErr::Core(yunhuni::Error::validation(field, message.to_string()))
}

pub(crate) type R<T> = Result<T, JErr>;

/// The error policy of every native method: core's errors as `YunhuniException`s.
pub(crate) struct ThrowYunhuni;

struct Parts<'a> {
    kind: &'a str,
    message: &'a str,
    code: Option<&'a str>,
    status: i32,
    field: Option<&'a str>,
    platform_message: Option<&'a str>,
    maybe_sent: bool,
}

fn opt<'l>(env: &mut Env<'l>, s: Option<&str>) -> jni::errors::Result<JObject<'l>> {
    match s {
        Some(s) => Ok(env.new_string(s)?.into()),
        None => Ok(JObject::null()),
    }
}

fn throw(env: &mut Env<'_>, p: Parts<'_>) -> jni::errors::Result<()> {
    let exception = env.with_local_frame_returning_local::<_, JObject, jni::errors::Error>(
        16,
        |env| {
            let kind: JObject = env.new_string(p.kind)?.into();
            let message: JObject = env.new_string(p.message)?.into();
            let code = opt(env, p.code)?;
            let field = opt(env, p.field)?;
            let pm = opt(env, p.platform_message)?;
            env.call_static_method(
                jni_str!("com/yunhuni/YunhuniException"),
                jni_str!("fromNative"),
                jni_sig!("(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;ILjava/lang/String;Ljava/lang/String;Z)Lcom/yunhuni/YunhuniException;"),
                &[
                    JValue::Object(&kind),
                    JValue::Object(&message),
                    JValue::Object(&code),
                    JValue::Int(p.status),
                    JValue::Object(&field),
                    JValue::Object(&pm),
                    JValue::Bool(p.maybe_sent),
                ],
            )?
            .l()
        },
    )?;
    let throwable = env.cast_local::<JThrowable>(exception)?;
    match env.throw(throwable) {
        Ok(()) | Err(jni::errors::Error::JavaException) => Ok(()),
        Err(e) => Err(e),
    }
}

fn throw_err(env: &mut Env<'_>, err: &JErr) -> jni::errors::Result<()> {
    match err {
        JErr::Core(e) => throw(
            env,
            Parts {
                kind: e.kind().as_str(),
                message: e.message(),
                code: e.code(),
                status: e.status().map_or(-1, i32::from),
                field: e.field(),
                platform_message: e.platform_message(),
                maybe_sent: e.maybe_sent(),
            },
        ),
        JErr::Other(kind, message) => throw(
            env,
            Parts {
                kind,
                message,
                code: None,
                status: -1,
                field: None,
                platform_message: None,
                maybe_sent: false,
            },
        ),
        JErr::Jni(e) => {
            if !env.exception_check() {
                let _ = env.throw_new(
                    jni_str!("java/lang/IllegalStateException"),
                    jni::strings::JNIString::from(format!("JNI failure: {e}")),
                );
            }
            Ok(())
        }
    }
}

impl<T: Default> ErrorPolicy<T, JErr> for ThrowYunhuni {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut Self::Captures<'unowned_env_local, 'native_method>,
        err: JErr,
    ) -> jni::errors::Result<T> {
        if env.exception_check() {
            return Ok(T::default());
        }
        throw_err(env, &err)?;
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut Self::Captures<'unowned_env_local, 'native_method>,
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        let what = payload
            .downcast_ref::<&'static str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_owned());
        // Dropping a payload could panic again: it is forgotten instead.
        std::mem::forget(payload);
        if env.exception_check() {
            return Ok(T::default());
        }
        throw_err(
            env,
            &JErr::Other("internal", format!("internal error (a bug): {what}")),
        )?;
        Ok(T::default())
    }
}
