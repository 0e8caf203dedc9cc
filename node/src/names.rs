//! How JavaScript spells the names of core and of the binding's own options.

/// A field name of core's client settings or of an event (`connect_timeout`, `hangup_by`) as
/// JavaScript spells it (`connectTimeoutMs`, `hangupBy`). Environment variable names stay as
/// they are. (Operation fields need no help: core names them in `Casing::Camel` itself.)
pub(crate) fn js_field(field: &str) -> String {
    match field {
        "timeout" => "timeoutMs".to_owned(),
        "connect_timeout" => "connectTimeoutMs".to_owned(),
        other => camel_case(other),
    }
}

/// `snake_case` to `camelCase`, field paths included (`play_content[0]` → `playContent[0]`), as
/// core spells names for JavaScript (`Casing::Camel`); names that are not snake_case are kept
/// (`YUNHUNI_APP_ID`, `_x`).
pub(crate) fn camel_case(s: &str) -> String {
    yunhuni::Casing::Camel.path(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel() {
        assert_eq!(camel_case("max_call_duration"), "maxCallDuration");
        assert_eq!(camel_case("answer_time1"), "answerTime1");
        assert_eq!(camel_case("play_content[0]"), "playContent[0]");
        assert_eq!(camel_case("YUNHUNI_APP_ID"), "YUNHUNI_APP_ID");
        assert_eq!(camel_case("to1"), "to1");
        assert_eq!(camel_case("_x"), "_x");
        assert_eq!(js_field("timeout"), "timeoutMs");
        assert_eq!(js_field("timeoutMs"), "timeoutMs");
        assert_eq!(js_field("call_id"), "callId");
    }
}
