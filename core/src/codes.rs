//! The platform's return codes (`code` in every JSON response), with their meanings.
//!
//! The server returns `code` and `msg` verbatim from one table. Two codes (`020002` and
//! `050105`) each have two messages; [`lookup`] gives the first, [`all`] gives every entry.

/// One row of the platform's return-code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The six-digit code, for example `030500`.
    pub code: &'static str,
    /// The server's name for it, for example `DuoCallbackNumIsSample`.
    pub name: &'static str,
    /// The server's own Chinese message, returned as `msg`.
    pub zh: &'static str,
    /// What it means, in English.
    pub en: &'static str,
}

macro_rules! table {
    ($(($code:literal, $name:literal, $zh:literal, $en:literal)),* $(,)?) => {
        const CODES: &[CodeInfo] = &[$(CodeInfo { code: $code, name: $name, zh: $zh, en: $en }),*];
    };
}

table![
    ("000000", "Success", "请求成功", "Request succeeded"),
    ("000001", "IllegalArgument", "参数错误", "Invalid parameter"),
    ("000002", "UnknownFail", "未知错误", "Unknown error (also malformed JSON, a missing body or a wrong Content-Type)"),
    ("000003", "InvokeCall", "内部错误", "Internal error"),
    ("000004", "SystemBusy", "系统繁忙", "System busy (for a cancel: the call is not yet confirmed by the switch; try again)"),
    ("010000", "AppNotFound", "应用不存在", "Application does not exist"),
    ("010001", "AppOffLine", "应用没上线", "Application is not online"),
    ("010002", "AppServiceInvalid", "app没开通该服务", "Application has not enabled this service"),
    ("010003", "BalanceNotEnough", "余额不足", "Insufficient balance"),
    ("010004", "IPNotInWhiteList", "IP不在白名单内", "Caller IP is not in the application's whitelist"),
    ("010005", "PlayFileNotExists", "放音文件不存在或未审核", "Voice file does not exist or is not yet approved"),
    ("010006", "QuotaNotEnough", "配额不足", "Insufficient quota"),
    ("010007", "RecordFileNotExists", "录音文件不存在", "Recording file does not exist"),
    ("020000", "CallNotExists", "呼叫不存在", "Call does not exist (or has already ended)"),
    ("020001", "NumberNotAllowToCall", "号码不允许呼叫", "Number not allowed to be called (blacklisted, or not a test number while the app is offline)"),
    ("020002", "NotAvailableLine", "没有可用线路", "No line available"),
    ("020002", "UserNumberHasNotAvailableLine", "用户号码没有可用线路", "No line available for the caller number"),
    ("030100", "ConfNotExists", "会议不存在", "Conference does not exist"),
    ("030101", "OutOfConfMaxParts", "超过最大与会数", "Maximum number of conference participants exceeded"),
    ("030500", "DuoCallbackNumIsSample", "双向回拔的号码不能是同一号码", "The two numbers of a voice callback must differ"),
    ("040101", "ExtensionUserExist", "分机号已存在", "Extension number already exists"),
    ("040102", "ExtensionBindingToAgent", "分机已绑定座席", "Extension already bound to an agent"),
    ("040103", "ExtensionNotExist", "分机不存在", "Extension does not exist"),
    ("040104", "ExtensionUnEnable", "分机不可用", "Extension unavailable"),
    ("040201", "AgentHasAlreadyLoggedIn", "座席已经登录", "Agent already logged in"),
    ("040202", "AgentNotExist", "座席不存在", "Agent does not exist"),
    ("040203", "AgentIsBusy", "座席正忙", "Agent is busy"),
    ("040204", "AgentExpired", "坐席不可用(过期)", "Agent unavailable (expired)"),
    ("040401", "ConditionNotExist", "条件不存在", "Condition does not exist"),
    ("040402", "ConditionExpression", "条件表达式错误", "Condition expression error"),
    ("040501", "ConversationNotExist", "交谈不存在", "Conversation does not exist"),
    ("040502", "OutOfConversationMaxParts", "超过最大交谈成员数", "Maximum number of conversation members exceeded"),
    ("040503", "AgentNotConversationMember", "坐席不是交谈的成员", "Agent is not a member of the conversation"),
    ("040504", "ConversationMemberNotExist", "交谈成员不存在", "Conversation member does not exist"),
    ("040601", "QueueTaskNotExist", "排队任务不存在", "Queue task does not exist"),
    ("050101", "MsgIllegalMobile", "手机号码不合法", "Invalid mobile number"),
    ("050102", "MsgTemplateError", "模板不存在或模板审核不通过", "Template does not exist or was not approved"),
    ("050103", "MsgTaskNameIsEmpty", "任务名不能为空", "Task name must not be empty"),
    ("050104", "MsgTemplateArgsError", "模板参数不正确", "Template arguments are incorrect"),
    ("050105", "MsgMobileNumTooLarge", "手机号码集合数量大于最大限制", "Too many mobile numbers"),
    ("050105", "MsgSendMsgFail", "发送消息失败", "Sending the message failed"),
    ("050106", "MsgOperatorNotAvailable", "本平台对号码所属运营商暂时不支持该发送类型", "The number's carrier does not support this send type"),
    ("050107", "MsgSendTimeFormatError", "发送时间格式错误，格式必须是：yyyyMMddHHmmss", "Send time format error: it must be yyyyMMddHHmmss"),
    ("050108", "MsgContentTooLarge", "消息长度过长", "Message too long"),
];

/// Every row of the table, in code order (duplicated codes appear twice).
pub fn all() -> &'static [CodeInfo] {
    CODES
}

/// The first row for `code`, if the platform defines it.
///
/// ```
/// let info = yunhuni::codes::lookup("030500").unwrap();
/// assert_eq!(info.zh, "双向回拔的号码不能是同一号码");
/// ```
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_is_sorted_and_well_formed() {
        let all = super::all();
        assert_eq!(all.len(), 44);
        for pair in all.windows(2) {
            assert!(
                pair[0].code <= pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for c in all {
            assert!(
                c.code.len() == 6 && c.code.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                c.code
            );
        }
        assert_eq!(super::lookup("020002").unwrap().zh, "没有可用线路");
        assert!(super::lookup("999999").is_none());
    }
}
