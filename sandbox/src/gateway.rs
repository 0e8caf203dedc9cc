//! The API gateway's authentication filter (platform notes §1.5–1.7).

use crate::config::{Certificate, Credentials};
use crate::http::{Request, Response};
use crate::signing;
use crate::sim::MgmtStore;

/// Why the gateway refused a request. Every case is an HTTP 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthFailure {
    /// One of `AppID`, `CertID`, `Signature`, `Timestamp` is missing or empty.
    NoCredentials,
    /// `Timestamp` is not 14 digits.
    BadTimestamp,
    /// Unknown certificate or app, app of another tenant, wrong signature, expired timestamp,
    /// or a sub-account used with another app.
    BadCredentials,
    /// The sub-account is disabled.
    SubAccountDisabled,
    /// A sub-account called the management API (the gateway's `ManagementFilter`).
    NotPrimaryAccount,
}

impl AuthFailure {
    /// The text after `HTTP Status 401 - `.
    pub(crate) fn message(self) -> &'static str {
        match self {
            AuthFailure::NoCredentials => "没有找到授权凭证",
            AuthFailure::BadTimestamp => "时间戳参数不正确",
            AuthFailure::BadCredentials => "Bad credentials",
            AuthFailure::SubAccountDisabled => "子账号被禁用",
            AuthFailure::NotPrimaryAccount => "不是PRIMARY_ACCOUNT",
        }
    }

    /// The exact response the gateway writes.
    pub(crate) fn response(self) -> Response {
        Response::new(401)
            .header("WWW-Authenticate", "Basic realm=\"Secure realm\"")
            .header("Content-Type", "text/plain;charset=UTF-8")
            .body(format!("HTTP Status 401 - {}\n", self.message()).into_bytes())
    }
}

/// Who an accepted request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The application named by the `AppID` header.
    pub(crate) app_id: String,
    /// The sub-account (its index in the management store), when the request was signed with
    /// a sub-account certificate.
    pub(crate) subaccount: Option<usize>,
}

/// Checks a request exactly in the gateway's order: the four headers, the timestamp's form, the
/// certificate, the app and its tenant, the signature, the expiry, then the sub-account.
/// Sub-account certificates are looked up in the management store, so one made through the
/// API signs at once, and a deleted one is unknown.
///
/// `now_ms` is the wall clock; a timestamp is expired when `(now - timestamp) / 1000` whole
/// seconds exceed `expiry_minutes * 60`. Timestamps in the future are always accepted.
pub(crate) fn authenticate(
    credentials: &Credentials,
    subaccounts: &MgmtStore,
    request: &Request,
    expiry_minutes: u64,
    now_ms: i64,
) -> Result<Caller, AuthFailure> {
    let present = |name: &str| request.header(name).filter(|v| !v.is_empty());
    let (Some(app_id), Some(cert_id), Some(signature), Some(timestamp)) = (
        present("AppID"),
        present("CertID"),
        present("Signature"),
        present("Timestamp"),
    ) else {
        return Err(AuthFailure::NoCredentials);
    };
    let Some(timestamp_ms) = signing::parse_timestamp(timestamp) else {
        return Err(AuthFailure::BadTimestamp);
    };

    // 1. The certificate, primary or sub-account.
    let (primary_key, sub) = match credentials.certificate(cert_id) {
        Some(Certificate::Primary { secret_key }) => (secret_key.as_str(), None),
        Some(Certificate::Sub) | None => {
            let sub = subaccounts
                .by_cert(cert_id)
                .ok_or(AuthFailure::BadCredentials)?;
            ("", Some(sub))
        }
    };
    let (secret_key, tenant) = match &sub {
        Some(sub) => (sub.secret_key.as_str(), sub.tenant.as_str()),
        None => (primary_key, cert_id),
    };
    // 2. The app must exist and belong to the certificate's tenant.
    let app = credentials.app(app_id).ok_or(AuthFailure::BadCredentials)?;
    if app.cert_id != tenant {
        return Err(AuthFailure::BadCredentials);
    }
    // 3. The signature over the request as received.
    let signed = signing::verify(
        secret_key,
        &request.method,
        &request.body_as_text_bytes(),
        request.header("Content-Type"),
        timestamp,
        app_id,
        &request.path,
        signature,
    );
    if !signed {
        return Err(AuthFailure::BadCredentials);
    }
    // 4. Expiry: only past timestamps count; the difference is truncated to whole seconds.
    let diff_secs = (now_ms - timestamp_ms) / 1000;
    if diff_secs > i64::try_from(expiry_minutes.saturating_mul(60)).unwrap_or(i64::MAX) {
        return Err(AuthFailure::BadCredentials);
    }
    // 5. A sub-account must be enabled and may only use its own app.
    let subaccount = match sub {
        None => None,
        Some(sub) => {
            if !sub.enabled {
                return Err(AuthFailure::SubAccountDisabled);
            }
            if sub.app_id != app_id {
                return Err(AuthFailure::BadCredentials);
            }
            Some(sub.index)
        }
    };
    Ok(Caller {
        app_id: app_id.to_owned(),
        subaccount,
    })
}
