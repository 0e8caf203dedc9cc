//! The platform's business outcomes (platform notes §2–§3): its table of codes, the settings of
//! an application that decide which of them a call gets (online or not, test numbers, services,
//! balance, quota, lines, audited files), and the codes a script forces on a number or an app.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The platform's table of codes and messages (`ApiReturnCodeEnum`), in its order. `020002`
/// and `050105` appear twice, with two messages each.
const TABLE: [(&str, &str); 44] = [
    ("000000", "请求成功"),
    ("000001", "参数错误"),
    ("000002", "未知错误"),
    ("000003", "内部错误"),
    ("000004", "系统繁忙"),
    ("010000", "应用不存在"),
    ("010001", "应用没上线"),
    ("010002", "app没开通该服务"),
    ("010003", "余额不足"),
    ("010004", "IP不在白名单内"),
    ("010005", "放音文件不存在或未审核"),
    ("010006", "配额不足"),
    ("010007", "录音文件不存在"),
    ("020000", "呼叫不存在"),
    ("020001", "号码不允许呼叫"),
    ("020002", "没有可用线路"),
    ("020002", "用户号码没有可用线路"),
    ("030100", "会议不存在"),
    ("030101", "超过最大与会数"),
    ("030500", "双向回拔的号码不能是同一号码"),
    ("040101", "分机号已存在"),
    ("040102", "分机已绑定座席"),
    ("040103", "分机不存在"),
    ("040104", "分机不可用"),
    ("040201", "座席已经登录"),
    ("040202", "座席不存在"),
    ("040203", "座席正忙"),
    ("040204", "坐席不可用(过期)"),
    ("040401", "条件不存在"),
    ("040402", "条件表达式错误"),
    ("040501", "交谈不存在"),
    ("040502", "超过最大交谈成员数"),
    ("040503", "坐席不是交谈的成员"),
    ("040504", "交谈成员不存在"),
    ("040601", "排队任务不存在"),
    ("050101", "手机号码不合法"),
    ("050102", "模板不存在或模板审核不通过"),
    ("050103", "任务名不能为空"),
    ("050104", "模板参数不正确"),
    ("050105", "手机号码集合数量大于最大限制"),
    ("050105", "发送消息失败"),
    ("050106", "本平台对号码所属运营商暂时不支持该发送类型"),
    ("050107", "发送时间格式错误，格式必须是：yyyyMMddHHmmss"),
    ("050108", "消息长度过长"),
];

/// One entry of the platform's code table: a code and its message, as the API's envelope
/// carries them (`{"code":"010003","msg":"余额不足","data":null}`).
///
/// Made from the table only: [`BusinessCode::new`] takes a code (with its first message),
/// [`BusinessCode::with_msg`] picks one of the two messages of `020002` or `050105`. The
/// success code `000000` is not a business error and is refused. As text (flags, scripts):
/// `010003`, or `020002:用户号码没有可用线路`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BusinessCode {
    code: &'static str,
    msg: &'static str,
}

/// Why a code (or a code and message) is not an error of the platform's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeError(String);

impl fmt::Display for CodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CodeError {}

impl BusinessCode {
    pub(crate) const SUCCESS: BusinessCode = BusinessCode::entry(0);
    pub(crate) const ILLEGAL_ARGUMENT: BusinessCode = BusinessCode::entry(1);
    pub(crate) const UNKNOWN_FAIL: BusinessCode = BusinessCode::entry(2);
    pub(crate) const SYSTEM_BUSY: BusinessCode = BusinessCode::entry(4);
    pub(crate) const APP_SERVICE_INVALID: BusinessCode = BusinessCode::entry(7);
    pub(crate) const BALANCE_NOT_ENOUGH: BusinessCode = BusinessCode::entry(8);
    pub(crate) const PLAY_FILE_NOT_EXISTS: BusinessCode = BusinessCode::entry(10);
    pub(crate) const QUOTA_NOT_ENOUGH: BusinessCode = BusinessCode::entry(11);
    pub(crate) const CALL_NOT_EXISTS: BusinessCode = BusinessCode::entry(13);
    pub(crate) const NUMBER_NOT_ALLOWED: BusinessCode = BusinessCode::entry(14);
    pub(crate) const NO_LINE: BusinessCode = BusinessCode::entry(15);
    pub(crate) const SAME_NUMBER: BusinessCode = BusinessCode::entry(19);
    pub(crate) const CONF_NOT_EXISTS: BusinessCode = BusinessCode::entry(17);
    pub(crate) const CONF_MAX_PARTS: BusinessCode = BusinessCode::entry(18);
    pub(crate) const APP_OFFLINE: BusinessCode = BusinessCode::entry(6);
    pub(crate) const MSG_ILLEGAL_MOBILE: BusinessCode = BusinessCode::entry(35);
    pub(crate) const MSG_TEMPLATE_ERROR: BusinessCode = BusinessCode::entry(36);
    pub(crate) const MSG_TASK_NAME_EMPTY: BusinessCode = BusinessCode::entry(37);
    pub(crate) const MSG_TEMPLATE_ARGS_ERROR: BusinessCode = BusinessCode::entry(38);
    pub(crate) const MSG_TOO_MANY_MOBILES: BusinessCode = BusinessCode::entry(39);
    pub(crate) const MSG_SEND_FAILED: BusinessCode = BusinessCode::entry(40);
    pub(crate) const MSG_NO_SUPPLIER: BusinessCode = BusinessCode::entry(41);
    pub(crate) const MSG_TOO_LONG: BusinessCode = BusinessCode::entry(43);

    const fn entry(i: usize) -> BusinessCode {
        BusinessCode {
            code: TABLE[i].0,
            msg: TABLE[i].1,
        }
    }

    /// The table's entry for `code`, with its first message. Fails for a code that is not in
    /// the table, and for `000000` (success).
    pub fn new(code: &str) -> Result<BusinessCode, CodeError> {
        if code == "000000" {
            return Err(CodeError(
                "000000 is the success code, not an error to force".into(),
            ));
        }
        TABLE
            .iter()
            .find(|(c, _)| *c == code)
            .map(|&(code, msg)| BusinessCode { code, msg })
            .ok_or_else(|| CodeError(format!("{code:?} is not a code of the platform's table")))
    }

    /// The table's entry for `code` with the message `msg` (for `020002` and `050105`, which
    /// have two). Fails unless the table has that pair.
    pub fn with_msg(code: &str, msg: &str) -> Result<BusinessCode, CodeError> {
        let first = BusinessCode::new(code)?;
        TABLE
            .iter()
            .find(|(c, m)| *c == code && *m == msg)
            .map(|&(code, msg)| BusinessCode { code, msg })
            .ok_or_else(|| {
                let msgs: Vec<&str> = TABLE
                    .iter()
                    .filter(|(c, _)| *c == first.code)
                    .map(|(_, m)| *m)
                    .collect();
                CodeError(format!(
                    "the platform's message for {code} is {}, not {msg:?}",
                    msgs.join(" or ")
                ))
            })
    }

    /// Every error of the table (`000000` excluded), in the table's order.
    pub fn table() -> impl Iterator<Item = BusinessCode> {
        TABLE[1..]
            .iter()
            .map(|&(code, msg)| BusinessCode { code, msg })
    }

    /// The six-digit code, such as `010003`.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// The platform's message, such as `余额不足`.
    pub fn msg(self) -> &'static str {
        self.msg
    }

    /// Builds from the JSON pair `"code"` / `"msg"` (the message optional).
    fn from_parts(code: &str, msg: Option<&str>) -> Result<BusinessCode, CodeError> {
        match msg {
            None => BusinessCode::new(code),
            Some(msg) => BusinessCode::with_msg(code, msg),
        }
    }
}

impl fmt::Display for BusinessCode {
    /// `CODE:MSG`, the form [`FromStr`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.code, self.msg)
    }
}

impl FromStr for BusinessCode {
    type Err = CodeError;

    /// `CODE` (its first message) or `CODE:MSG`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some((code, msg)) => BusinessCode::with_msg(code.trim(), msg.trim()),
            None => BusinessCode::new(s.trim()),
        }
    }
}

/// A service an application may have enabled, one per simple call (`ServiceType`
/// `VoiceCallback`, `VoiceDirectly`, `VoiceValidate`), IVR (`IvrService`) and conferences (`SessionService`). A call to a service the app has not
/// enabled gets `010002`; cancels are not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// `call/duo_callback`.
    DuoCallback,
    /// `call/notify_call`.
    NotifyCall,
    /// `call/verify_call`.
    VerifyCall,
    /// IVR (`IvrService`): `call/ivr_call` and inbound calls.
    Ivr,
    /// Conferences (`SessionService`): every `conf/*` operation.
    Conference,
    /// SMS (`SMS`): `msg/sms/*`, and templates of type `msg_sms`.
    Sms,
    /// USSD flash messages (`USSD`): `msg/ussd/*`, and templates of type `msg_ussd`.
    Ussd,
    /// The call center (`CallCenter`): `callcenter/*` and the `<enqueue>` verb.
    CallCenter,
}

/// What the platform knows of an application beyond its credentials, and that decides the
/// business errors of its calls. The default is an online app with everything it needs.
///
/// As JSON (`PUT /sandbox/apps/{app_id}` takes it, `GET` returns it; every key optional,
/// unknown keys refused):
///
/// ```json
/// {"online":false,"test_numbers":["13800000001","13800000002"]}
/// {"disabled_services":["notify_call"],"balance_exhausted":true}
/// {"audited_files":["welcome.wav"],"no_line":true}
/// {"code":"020002","msg":"用户号码没有可用线路"}
/// ```
///
/// The checks run in the server's order, after the request's validation: a number with a
/// forced code (see [`crate::Behavior::code`]), the app's forced [`code`](Self::code), the
/// service (`010002`), the balance (`010003`), the quota (`010006`), the number and line
/// (`020002` online, `020001` offline), then the files (`010005`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AppSettingsJson", into = "AppSettingsJson")]
pub struct AppSettings {
    /// An app that is not online may only call its test numbers: a call to any other number
    /// gets `020001` (and so does every call while the app has no test number). Default
    /// `true`.
    pub online: bool,
    /// The numbers bound to the app as test numbers (compared exactly).
    pub test_numbers: Vec<String>,
    /// Services the app has not enabled: their calls get `010002`.
    pub disabled_services: Vec<Service>,
    /// The owning account's balance is zero or less: calls get `010003`.
    pub balance_exhausted: bool,
    /// The call quota of the app's sub-accounts is used up: calls made with a sub-account get
    /// `010006` (the primary account has no quota).
    pub quota_exhausted: bool,
    /// The online app has no line: calls get `020002` `没有可用线路`.
    pub no_line: bool,
    /// The names of the app's uploaded and audited voice files; `None` (the default) takes
    /// every name as one. A `ring_tone`, `play_file` or file row of `play_content` naming
    /// another file gets `010005`.
    pub audited_files: Option<Vec<String>>,
    /// Every request of this app (the four call operations, cancels included) is answered
    /// with this code once it has passed validation.
    pub code: Option<BusinessCode>,
}

impl Default for AppSettings {
    fn default() -> Self {
        AppSettings {
            online: true,
            test_numbers: Vec::new(),
            disabled_services: Vec::new(),
            balance_exhausted: false,
            quota_exhausted: false,
            no_line: false,
            audited_files: None,
            code: None,
        }
    }
}

fn yes() -> bool {
    true
}

/// The JSON form of [`AppSettings`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppSettingsJson {
    #[serde(default = "yes")]
    online: bool,
    #[serde(default)]
    test_numbers: Vec<String>,
    #[serde(default)]
    disabled_services: Vec<Service>,
    #[serde(default)]
    balance_exhausted: bool,
    #[serde(default)]
    quota_exhausted: bool,
    #[serde(default)]
    no_line: bool,
    #[serde(default)]
    audited_files: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    msg: Option<String>,
}

impl TryFrom<AppSettingsJson> for AppSettings {
    type Error = CodeError;

    fn try_from(json: AppSettingsJson) -> Result<Self, Self::Error> {
        Ok(AppSettings {
            online: json.online,
            test_numbers: json.test_numbers,
            disabled_services: json.disabled_services,
            balance_exhausted: json.balance_exhausted,
            quota_exhausted: json.quota_exhausted,
            no_line: json.no_line,
            audited_files: json.audited_files,
            code: code_from_json(json.code.as_deref(), json.msg.as_deref())?,
        })
    }
}

impl From<AppSettings> for AppSettingsJson {
    fn from(s: AppSettings) -> Self {
        AppSettingsJson {
            online: s.online,
            test_numbers: s.test_numbers,
            disabled_services: s.disabled_services,
            balance_exhausted: s.balance_exhausted,
            quota_exhausted: s.quota_exhausted,
            no_line: s.no_line,
            audited_files: s.audited_files,
            code: s.code.map(|c| c.code().to_owned()),
            msg: s.code.map(|c| c.msg().to_owned()),
        }
    }
}

/// The forced code of a JSON object with `"code"` and an optional `"msg"`.
pub(crate) fn code_from_json(
    code: Option<&str>,
    msg: Option<&str>,
) -> Result<Option<BusinessCode>, CodeError> {
    match (code, msg) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(CodeError("\"msg\" needs \"code\"".into())),
        (Some(code), msg) => BusinessCode::from_parts(code, msg).map(Some),
    }
}

/// Whether a string is blank as commons-lang's `StringUtils.isBlank` sees it (every character
/// Java whitespace), which the call service uses for file names.
pub(crate) fn java_blank(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c, '\t'..='\r' | '\u{1C}'..='\u{1F}')
            || (c.is_whitespace() && !matches!(c, '\u{85}' | '\u{A0}' | '\u{2007}' | '\u{202F}'))
    })
}

impl AppSettings {
    /// The checks of the call service before the numbers and files, in its order: the app's
    /// forced code, the service, the balance, the quota (for sub-accounts), then the number
    /// and line selection.
    pub(crate) fn check_call(
        &self,
        service: Service,
        subaccount: bool,
        callees: &[&str],
    ) -> Result<(), BusinessCode> {
        if let Some(code) = self.code {
            return Err(code);
        }
        if self.disabled_services.contains(&service) {
            return Err(BusinessCode::APP_SERVICE_INVALID);
        }
        if self.balance_exhausted {
            return Err(BusinessCode::BALANCE_NOT_ENOUGH);
        }
        if subaccount && self.quota_exhausted {
            return Err(BusinessCode::QUOTA_NOT_ENOUGH);
        }
        if self.online {
            if self.no_line {
                return Err(BusinessCode::NO_LINE);
            }
        } else {
            let all_bound = callees
                .iter()
                .filter(|n| !java_blank(n))
                .all(|n| self.test_numbers.iter().any(|t| t == n));
            if self.test_numbers.is_empty() || !all_bound {
                return Err(BusinessCode::NUMBER_NOT_ALLOWED);
            }
        }
        Ok(())
    }

    /// Checks a `|`-separated list of file names as the platform converts it for the engine:
    /// a blank list is no file; a list with no name at all (`|`) or a name that is not an
    /// audited file gets `010005`; blank names are skipped.
    pub(crate) fn check_files(&self, files: &str) -> Result<(), BusinessCode> {
        if java_blank(files) {
            return Ok(());
        }
        // Java's `split` drops the empty strings at the end.
        let mut names: Vec<&str> = files.split('|').collect();
        while names.last() == Some(&"") {
            names.pop();
        }
        if names.is_empty() {
            return Err(BusinessCode::PLAY_FILE_NOT_EXISTS);
        }
        for name in names {
            if java_blank(name) {
                continue;
            }
            if let Some(audited) = &self.audited_files {
                if !audited.iter().any(|a| a == name) {
                    return Err(BusinessCode::PLAY_FILE_NOT_EXISTS);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_the_table() {
        let c = BusinessCode::new("010003").unwrap();
        assert_eq!((c.code(), c.msg()), ("010003", "余额不足"));
        assert_eq!(BusinessCode::new("020002").unwrap().msg(), "没有可用线路");
        let c = BusinessCode::with_msg("020002", "用户号码没有可用线路").unwrap();
        assert_eq!(c.msg(), "用户号码没有可用线路");
        assert_eq!("020002:用户号码没有可用线路".parse::<BusinessCode>(), Ok(c));
        assert_eq!("010003".parse::<BusinessCode>().unwrap().msg(), "余额不足");
        for bad in ["000000", "999999", "", "10003", "010003:余额充足"] {
            assert!(bad.parse::<BusinessCode>().is_err(), "{bad}");
        }
        assert_eq!(BusinessCode::table().count(), 43);
        assert!(BusinessCode::table().all(|c| c.code() != "000000"));
        assert_eq!(BusinessCode::SYSTEM_BUSY.code(), "000004");
        assert_eq!(BusinessCode::SAME_NUMBER.code(), "030500");
        assert_eq!(BusinessCode::CALL_NOT_EXISTS.msg(), "呼叫不存在");
        assert_eq!(BusinessCode::NUMBER_NOT_ALLOWED.code(), "020001");
        assert_eq!(BusinessCode::QUOTA_NOT_ENOUGH.code(), "010006");
        assert_eq!(BusinessCode::PLAY_FILE_NOT_EXISTS.code(), "010005");
        assert_eq!(BusinessCode::APP_SERVICE_INVALID.code(), "010002");
        let msg = [
            (BusinessCode::APP_OFFLINE, "010001", "应用没上线"),
            (BusinessCode::MSG_ILLEGAL_MOBILE, "050101", "手机号码不合法"),
            (
                BusinessCode::MSG_TEMPLATE_ERROR,
                "050102",
                "模板不存在或模板审核不通过",
            ),
            (
                BusinessCode::MSG_TASK_NAME_EMPTY,
                "050103",
                "任务名不能为空",
            ),
            (
                BusinessCode::MSG_TEMPLATE_ARGS_ERROR,
                "050104",
                "模板参数不正确",
            ),
            (
                BusinessCode::MSG_TOO_MANY_MOBILES,
                "050105",
                "手机号码集合数量大于最大限制",
            ),
            (BusinessCode::MSG_SEND_FAILED, "050105", "发送消息失败"),
            (
                BusinessCode::MSG_NO_SUPPLIER,
                "050106",
                "本平台对号码所属运营商暂时不支持该发送类型",
            ),
            (BusinessCode::MSG_TOO_LONG, "050108", "消息长度过长"),
        ];
        for (c, code, text) in msg {
            assert_eq!((c.code(), c.msg()), (code, text));
        }
    }

    #[test]
    fn settings_json() {
        let s: AppSettings =
            serde_json::from_str(r#"{"online":false,"test_numbers":["1","2"]}"#).unwrap();
        assert!(!s.online);
        assert_eq!(s.test_numbers, ["1", "2"]);
        assert_eq!(
            serde_json::from_str::<AppSettings>("{}").unwrap(),
            AppSettings::default()
        );
        let s: AppSettings =
            serde_json::from_str(r#"{"code":"020002","msg":"用户号码没有可用线路"}"#).unwrap();
        assert_eq!(s.code.unwrap().msg(), "用户号码没有可用线路");
        let back: AppSettings = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        for bad in [
            r#"{"x":1}"#,
            r#"{"code":"000000"}"#,
            r#"{"msg":"余额不足"}"#,
            r#"{"disabled_services":["ivr_call"]}"#,
            r#"{"disabled_services":["conf"]}"#,
        ] {
            assert!(serde_json::from_str::<AppSettings>(bad).is_err(), "{bad}");
        }
        let s: AppSettings =
            serde_json::from_str(r#"{"disabled_services":["conference"]}"#).unwrap();
        assert_eq!(s.disabled_services, [Service::Conference]);
    }

    #[test]
    fn checks_in_order() {
        let mut s = AppSettings::default();
        assert_eq!(
            s.check_call(Service::DuoCallback, true, &["1", "2"]),
            Ok(())
        );
        s.online = false;
        assert_eq!(
            s.check_call(Service::DuoCallback, false, &["1", "2"]),
            Err(BusinessCode::NUMBER_NOT_ALLOWED)
        );
        s.test_numbers = vec!["1".into(), "2".into()];
        assert_eq!(
            s.check_call(Service::DuoCallback, false, &["1", "2"]),
            Ok(())
        );
        assert_eq!(
            s.check_call(Service::NotifyCall, false, &["3"]),
            Err(BusinessCode::NUMBER_NOT_ALLOWED)
        );
        s.quota_exhausted = true;
        assert_eq!(s.check_call(Service::NotifyCall, false, &["1"]), Ok(()));
        assert_eq!(
            s.check_call(Service::NotifyCall, true, &["1"]),
            Err(BusinessCode::QUOTA_NOT_ENOUGH)
        );
        s.balance_exhausted = true;
        assert_eq!(
            s.check_call(Service::NotifyCall, true, &["1"]),
            Err(BusinessCode::BALANCE_NOT_ENOUGH)
        );
        s.disabled_services = vec![Service::NotifyCall];
        assert_eq!(
            s.check_call(Service::NotifyCall, true, &["1"]),
            Err(BusinessCode::APP_SERVICE_INVALID)
        );
        s.code = Some(BusinessCode::new("010004").unwrap());
        assert_eq!(
            s.check_call(Service::NotifyCall, true, &["1"])
                .unwrap_err()
                .code(),
            "010004"
        );
    }

    #[test]
    fn files() {
        let mut s = AppSettings::default();
        assert_eq!(s.check_files("a.wav|b.wav"), Ok(()));
        assert_eq!(s.check_files(" "), Ok(()));
        assert_eq!(s.check_files("|"), Err(BusinessCode::PLAY_FILE_NOT_EXISTS));
        s.audited_files = Some(vec!["a.wav".into()]);
        assert_eq!(s.check_files("a.wav|| "), Ok(()));
        assert_eq!(
            s.check_files("a.wav|b.wav"),
            Err(BusinessCode::PLAY_FILE_NOT_EXISTS)
        );
        assert_eq!(
            s.check_files("A.wav"),
            Err(BusinessCode::PLAY_FILE_NOT_EXISTS)
        );
    }
}
