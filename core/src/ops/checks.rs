//! Rules that span several fields of one operation: what the declarations cannot state as data.

use super::Request;
use crate::error::{Error, Result};
use crate::requests::PlayItem;
use serde_json::Value;

fn blank(request: &Request, name: &str) -> bool {
    request
        .get_str(name)
        .is_none_or(|s| super::java_trim(s).is_empty())
}

/// `duo_callback`: the two parties differ (the server answers 030500).
pub(super) fn duo_callback(request: &Request) -> Result<()> {
    if request.get_str("to1") == request.get_str("to2") {
        return Err(Error::validation(
            "to2",
            "must differ from to1 (the platform answers 030500)",
        ));
    }
    Ok(())
}

/// `notify_call`: each `play_content` row reads as its type says, and there is something to play.
pub(super) fn notify_call(request: &Request) -> Result<()> {
    let rows = request
        .get("play_content")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, row) in rows.iter().enumerate() {
        let item = PlayItem {
            content: row[0].as_str().unwrap_or_default().to_owned(),
            play_type: row[1].as_i64().unwrap_or(-1),
            options: row[2].as_str().unwrap_or_default().to_owned(),
        };
        item.validate(i)?;
    }
    if blank(request, "play_file") && rows.is_empty() {
        return Err(Error::validation(
            "play_content",
            "play_file and play_content must not both be empty",
        ));
    }
    Ok(())
}

/// `verify_call`: a code or a prompt to play.
pub(super) fn verify_call(request: &Request) -> Result<()> {
    if blank(request, "play_file") && blank(request, "verify_code") {
        return Err(Error::validation(
            "verify_code",
            "verify_code and play_file must not both be empty",
        ));
    }
    Ok(())
}

/// `ext_create`: what each extension type needs (platform-notes-2 §4.1).
pub(super) fn ext_create(request: &Request) -> Result<()> {
    let six_to_twelve_digits = |name: &str| {
        let value = request.get_str(name).unwrap_or_default();
        if (6..=12).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            Err(Error::validation(
                name,
                "must be 6-12 decimal digits for a SIP extension (type \"1\")",
            ))
        }
    };
    let present = |name: &str, why: &str| {
        if blank(request, name) {
            Err(Error::validation(name, format!("is required {why}")))
        } else {
            Ok(())
        }
    };
    match request.get_str("type") {
        Some("1") => {
            six_to_twelve_digits("user")?;
            six_to_twelve_digits("password")
        }
        Some("2") => {
            present("ipaddr", "for a gateway extension (type \"2\")")?;
            present("telnum", "for a gateway extension (type \"2\")")
        }
        Some("3") => present("telnum", "for a phone extension (type \"3\")"),
        _ => Ok(()),
    }
}

/// `subaccount_create`, `subaccount_set_quotas`: a `CallQuota` needs its `value` (minutes); the
/// server answers 000002 without it (platform-notes-2 §5.1).
pub(super) fn call_quota_has_value(request: &Request) -> Result<()> {
    let quotas = request
        .get("quotas")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, quota) in quotas.iter().enumerate() {
        if quota.get("type").and_then(Value::as_str) == Some("CallQuota")
            && quota.get("value").is_none()
        {
            return Err(Error::validation(
                format!("quotas[{i}].value"),
                "is required for a CallQuota (minutes; negative for unlimited)",
            ));
        }
    }
    Ok(())
}
