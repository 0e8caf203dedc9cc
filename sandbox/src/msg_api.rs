//! The messaging endpoints (platform notes 2 §6): templates, SMS and USSD, under
//! `/v1/account/{account_id}/msg/...`.
//!
//! Each route as the gateway maps it (`TemplateController`, `SmsController`,
//! `UssdController`), its body bound and validated as the platform's DTOs (`@NotNull`,
//! `@Pattern`: `000001`), the controller's checks (the service, `010002`; the app's IP white
//! list, played by the app's forced code), then the messaging service's checks in its order
//! (`MsgSendServiceImpl`), faults included: a single USSD send always fails with `050108`,
//! a USSD mass task is executed and stored as SMS, `050107` is never raised, China Mobile
//! numbers are refused for mass tasks, an unknown template on update is `000001` and on
//! delete `000002`. The records and the events are kept by `sim::msg`.

use crate::api::{envelope, error_page, mapped_segments};
use crate::business::{java_blank, AppSettings, BusinessCode as Code, Service};
use crate::events::json_string;
use crate::gateway::Caller;
use crate::http::{Request, Response};
use crate::lenient::{platform_trim, JsonObject, Kind, Schema};
use crate::negotiate;
use crate::sim::{
    MobileOutcome, MsgRequest, NewRequest, NewTemplate, Shared, Template, TemplateAudit,
    TemplateChange,
};

/// The most numbers a mass task takes (`MsgConstant.MaxNum`).
pub(crate) const MAX_MOBILES: usize = 10_000;
/// The placeholder of a template's parameters (`MsgConstant.REPLACE_SYMBOL`).
const PLACEHOLDER: &str = "#*#";
const SMS: &str = "msg_sms";
const USSD: &str = "msg_ussd";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    TemplateCreate,
    TemplateList,
    TemplateUpdate,
    TemplateDelete,
    TemplateGet,
    Send(Family),
    MassTask(Family),
    Get(Family),
    List(Family),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Sms,
    Ussd,
}

impl Family {
    fn service(self) -> Service {
        match self {
            Family::Sms => Service::Sms,
            Family::Ussd => Service::Ussd,
        }
    }

    fn send_type(self) -> &'static str {
        match self {
            Family::Sms => SMS,
            Family::Ussd => USSD,
        }
    }
}

type Route = (&'static [&'static str], &'static [(&'static str, Op)]);

/// The routes after `/v1/account/{account_id}/`; `{}` is a path variable.
const ROUTES: &[Route] = &[
    (
        &["msg", "template"],
        &[("POST", Op::TemplateCreate), ("GET", Op::TemplateList)],
    ),
    (
        &["msg", "template", "{}"],
        &[
            ("POST", Op::TemplateUpdate),
            ("PUT", Op::TemplateUpdate),
            ("DELETE", Op::TemplateDelete),
            ("GET", Op::TemplateGet),
        ],
    ),
    (&["msg", "sms", "send"], &[("POST", Op::Send(Family::Sms))]),
    (
        &["msg", "sms", "mass", "task"],
        &[("POST", Op::MassTask(Family::Sms))],
    ),
    (&["msg", "sms", "{}"], &[("GET", Op::Get(Family::Sms))]),
    (&["msg", "sms"], &[("GET", Op::List(Family::Sms))]),
    (
        &["msg", "ussd", "send"],
        &[("POST", Op::Send(Family::Ussd))],
    ),
    (
        &["msg", "ussd", "mass", "task"],
        &[("POST", Op::MassTask(Family::Ussd))],
    ),
    (&["msg", "ussd", "{}"], &[("GET", Op::Get(Family::Ussd))]),
    (&["msg", "ussd"], &[("GET", Op::List(Family::Ussd))]),
];

impl Op {
    fn schema(self) -> Schema {
        use Kind::Text;
        match self {
            Op::TemplateCreate | Op::TemplateUpdate => Some(&[
                ("name", Text),
                ("type", Text),
                ("content", Text),
                ("remark", Text),
            ]),
            Op::Send(_) => Some(&[("mobile", Text), ("tempId", Text), ("tempArgs", Text)]),
            Op::MassTask(_) => Some(&[
                ("taskName", Text),
                ("tempId", Text),
                ("tempArgs", Text),
                ("mobiles", Text),
                ("sendTime", Text),
            ]),
            _ => None,
        }
    }
}

/// Serves a messaging request once the caller is authenticated; `None` when the path is not
/// one of this family's (`msg/...`).
pub(crate) fn handle(
    shared: &Shared,
    caller: &Caller,
    subaccount_id: Option<String>,
    request: &Request,
) -> Option<Response> {
    let segments: Vec<&str> = mapped_segments(&request.path).collect();
    if segments.len() < 5 || segments[0] != "v1" || segments[1] != "account" {
        return None;
    }
    if segments[3] != "msg" {
        return None;
    }
    let rest = &segments[3..];
    let trailing = request.path.ends_with('/');
    let accept = request.header("Accept");
    let mut allowed: Vec<&str> = Vec::new();
    let mut found = None;
    for (pattern, methods) in ROUTES {
        let Some(id) = crate::mgmt::match_pattern(pattern, rest, trailing) else {
            continue;
        };
        if let Some((_, op)) = methods.iter().find(|(m, _)| *m == request.method) {
            found = Some((*op, id.unwrap_or_default()));
            break;
        }
        for (m, _) in *methods {
            if !allowed.contains(m) {
                allowed.push(m);
            }
        }
    }
    let Some((op, id)) = found else {
        let page = if allowed.is_empty() {
            error_page(404, "No message available", &request.path)
        } else {
            let message = format!("Request method '{}' not supported", request.method);
            error_page(405, &message, &request.path).header("Allow", &allowed.join(", "))
        };
        return Some(negotiate::error_page(accept, page));
    };
    let ctx = Ctx {
        shared,
        caller,
        sub: subaccount_id.as_deref(),
    };
    let response = match serve(&ctx, op, &id, request) {
        Ok(data) => envelope(Code::SUCCESS, &data),
        Err(code) => envelope(code, "null"),
    };
    Some(negotiate::envelope(&request.path, accept, response))
}

struct Ctx<'a> {
    shared: &'a Shared,
    caller: &'a Caller,
    sub: Option<&'a str>,
}

impl Ctx<'_> {
    fn settings(&self) -> AppSettings {
        self.shared
            .app_settings_for(&self.caller.app_id, self.caller.subaccount)
    }

    /// The controller's checks: the service when the route checks one (`010002`), then the
    /// IP white list (the app's forced code).
    fn gateway_checks(&self, service: Option<Service>) -> Result<AppSettings, Code> {
        let settings = self.settings();
        if let Some(service) = service {
            if settings.disabled_services.contains(&service) {
                return Err(Code::APP_SERVICE_INVALID);
            }
        }
        if let Some(code) = settings.code {
            return Err(code);
        }
        Ok(settings)
    }
}

fn serve(ctx: &Ctx<'_>, op: Op, id: &str, request: &Request) -> Result<String, Code> {
    let body = match op.schema() {
        Some(_) => Some(crate::api::bind_json(request, op.schema())?),
        None => None,
    };
    let body = body.as_ref();
    match (op, body) {
        (Op::TemplateCreate, Some(body)) => template_create(ctx, body),
        (Op::TemplateUpdate, Some(body)) => template_update(ctx, id, body),
        (Op::TemplateDelete, _) => {
            ctx.gateway_checks(None)?;
            if ctx.shared.delete_template(&ctx.caller.app_id, ctx.sub, id) {
                Ok("null".into())
            } else {
                // The service deletes a null entity.
                Err(Code::UNKNOWN_FAIL)
            }
        }
        (Op::TemplateGet, _) => {
            ctx.gateway_checks(None)?;
            if id == crate::sim::GLOBAL_TEMPLATE {
                return Ok("null".into());
            }
            ctx.shared
                .find_template(&ctx.caller.app_id, ctx.sub, id)
                .map(|t| render_template(&t))
                .ok_or(TEMPLATE_ERROR)
        }
        (Op::TemplateList, _) => {
            let (page_no, page_size) = paging(request, 20)?;
            ctx.gateway_checks(None)?;
            let all = ctx.shared.templates_of(&ctx.caller.app_id, ctx.sub);
            Ok(page(&all, page_no, page_size, render_template))
        }
        (Op::Send(family), Some(body)) => send_one(ctx, family, body),
        (Op::MassTask(family), Some(body)) => send_mass(ctx, family, body),
        (Op::Get(family), _) => {
            ctx.gateway_checks(Some(family.service()))?;
            ctx.shared
                .msg_request(&ctx.caller.app_id, ctx.sub, id, family.send_type())
                .map(|r| render_request(&r))
                // A null request dereferenced.
                .ok_or(Code::UNKNOWN_FAIL)
        }
        (Op::List(family), _) => {
            let (page_no, page_size) = paging(request, 10)?;
            ctx.gateway_checks(Some(family.service()))?;
            let all = ctx
                .shared
                .msg_requests_of(&ctx.caller.app_id, ctx.sub, family.send_type());
            Ok(page(&all, page_no, page_size, render_request))
        }
        _ => Err(Code::UNKNOWN_FAIL),
    }
}

// --- Templates --------------------------------------------------------------------------

/// `@Pattern(regexp = "^msg_sms|msg_ussd$")` matched on the whole value; null passes.
fn type_ok(kind: &Option<String>) -> bool {
    kind.as_deref().is_none_or(|k| k == SMS || k == USSD)
}

/// `msg/template` (POST).
fn template_create(ctx: &Ctx<'_>, body: &JsonObject) -> Result<String, Code> {
    let name = body.string("name")?.value();
    let kind = body.string("type")?.value();
    let content = body.string("content")?.value();
    let remark = body.string("remark")?.value();
    let (Some(name), Some(content), Some(remark), true) = (name, content, remark, type_ok(&kind))
    else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    let kind = kind
        .filter(|k| !java_blank(k))
        .unwrap_or_else(|| SMS.to_owned());
    let service = if kind == SMS {
        Service::Sms
    } else {
        Service::Ussd
    };
    ctx.gateway_checks(Some(service))?;
    let template = ctx.shared.create_template(NewTemplate {
        app_id: ctx.caller.app_id.clone(),
        subaccount_id: ctx.sub.map(str::to_owned),
        name,
        kind,
        content,
        remark: Some(remark),
    });
    Ok(render_template(&template))
}

/// `msg/template/{tempId}` (PUT or POST): the same DTO as create; no service check.
fn template_update(ctx: &Ctx<'_>, id: &str, body: &JsonObject) -> Result<String, Code> {
    let name = body.string("name")?.value();
    let kind = body.string("type")?.value();
    let content = body.string("content")?.value();
    let remark = body.string("remark")?.value();
    if name.is_none() || content.is_none() || remark.is_none() || !type_ok(&kind) {
        return Err(Code::ILLEGAL_ARGUMENT);
    }
    ctx.gateway_checks(None)?;
    if java_blank(id) {
        return Err(Code::ILLEGAL_ARGUMENT);
    }
    let change = TemplateChange {
        name,
        kind,
        content,
        remark,
    };
    ctx.shared
        .update_template(&ctx.caller.app_id, ctx.sub, id, change)
        .map(|t| render_template(&t))
        .ok_or(Code::ILLEGAL_ARGUMENT)
}

fn opt_text(s: Option<&str>) -> String {
    s.map_or_else(|| "null".to_owned(), json_string)
}

/// `TemplateVO`: `checkTime` and `reason` only once audited.
fn render_template(t: &Template) -> String {
    let audited = t.status == 1 || t.status == -1;
    let check_time = audited.then(|| crate::conf_api::format_date(t.last_time));
    format!(
        "{{\"name\":{},\"type\":{},\"tempId\":{},\"content\":{},\"status\":{},\"checkTime\":{},\"reason\":{},\"remark\":{}}}",
        json_string(&t.name),
        json_string(&t.kind),
        json_string(&t.temp_id),
        json_string(&t.content),
        t.status,
        opt_text(check_time.as_deref()),
        opt_text(if audited { t.reason.as_deref() } else { None }),
        opt_text(t.remark.as_deref()),
    )
}

// --- Sends ------------------------------------------------------------------------------

/// Java's `String.split` on one character: trailing empty strings removed (an empty string
/// splits into itself).
fn java_split(s: &str, sep: char) -> Vec<&str> {
    if s.is_empty() {
        return vec![s];
    }
    let mut parts: Vec<&str> = s.split(sep).collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// `checkMobile`: `^1\d{10}$`.
fn mobile_ok(m: &str) -> bool {
    m.len() == 11 && m.starts_with('1') && m.bytes().all(|b| b.is_ascii_digit())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Mobile,
    Unicom,
    Telecom,
}

/// The operator of a number by its first three digits (the platform's number location
/// table); `None` for prefixes no operator has.
fn operator(mobile: &str) -> Option<Operator> {
    const MOBILE: &[&str] = &[
        "134", "135", "136", "137", "138", "139", "147", "148", "150", "151", "152", "157", "158",
        "159", "165", "172", "178", "182", "183", "184", "187", "188", "195", "197", "198",
    ];
    const UNICOM: &[&str] = &[
        "130", "131", "132", "145", "146", "155", "156", "166", "167", "171", "175", "176", "185",
        "186", "196",
    ];
    const TELECOM: &[&str] = &[
        "133", "149", "153", "162", "173", "174", "177", "180", "181", "189", "190", "191", "193",
        "199",
    ];
    let prefix = mobile.get(..3)?;
    if MOBILE.contains(&prefix) {
        Some(Operator::Mobile)
    } else if UNICOM.contains(&prefix) {
        Some(Operator::Unicom)
    } else if TELECOM.contains(&prefix) {
        Some(Operator::Telecom)
    } else {
        None
    }
}

/// `checkTempArgs`: no empty element.
fn temp_args_ok(args: Option<&str>) -> bool {
    args.filter(|a| !a.is_empty())
        .is_none_or(|a| java_split(a, ';').iter().all(|p| !p.is_empty()))
}

/// `getMsg`: the content with each `#*#` replaced by the next argument; the count must match
/// (`050104`).
fn fill(content: &str, args: Option<&str>) -> Result<String, Code> {
    let args: Vec<&str> = match args {
        Some(a) if !java_blank(a) => java_split(a, ';'),
        _ => Vec::new(),
    };
    let count = content.matches(PLACEHOLDER).count();
    if count != args.len() {
        return Err(ARGS_ERROR);
    }
    let mut out = String::with_capacity(content.len());
    for (i, part) in content.split(PLACEHOLDER).enumerate() {
        if i > 0 {
            out.push_str(args[i - 1]);
        }
        out.push_str(part);
    }
    Ok(out)
}

const OFFLINE: Code = Code::APP_OFFLINE;
const ILLEGAL_MOBILE: Code = Code::MSG_ILLEGAL_MOBILE;
const TEMPLATE_ERROR: Code = Code::MSG_TEMPLATE_ERROR;
const TASK_NAME_EMPTY: Code = Code::MSG_TASK_NAME_EMPTY;
const ARGS_ERROR: Code = Code::MSG_TEMPLATE_ARGS_ERROR;
const TOO_MANY_MOBILES: Code = Code::MSG_TOO_MANY_MOBILES;
const NO_SUPPLIER: Code = Code::MSG_NO_SUPPLIER;
const TOO_LONG: Code = Code::MSG_TOO_LONG;

/// `checkMsgLength`: an SMS must not be empty; a USSD message never passes (the check tests
/// `msg_sms` twice).
fn length_ok(msg: &str, send_type: &str) -> bool {
    send_type == SMS && !msg.is_empty()
}

/// `calCostService.isMsgRemainOrBalanceEnough`: the balance, then the sub-account's quota.
fn cost_checks(ctx: &Ctx<'_>, settings: &AppSettings) -> Result<(), Code> {
    if settings.balance_exhausted {
        return Err(Code::BALANCE_NOT_ENOUGH);
    }
    if ctx.caller.subaccount.is_some() && settings.quota_exhausted {
        return Err(Code::QUOTA_NOT_ENOUGH);
    }
    Ok(())
}

/// The approved template the service finds for a send (`050102` otherwise).
fn approved_template(ctx: &Ctx<'_>, temp_id: &str) -> Result<Template, Code> {
    ctx.shared
        .find_template(&ctx.caller.app_id, ctx.sub, temp_id)
        .filter(|t| t.status == 1)
        .ok_or(TEMPLATE_ERROR)
}

/// `msg/{sms|ussd}/send` (`sendOne`).
fn send_one(ctx: &Ctx<'_>, family: Family, body: &JsonObject) -> Result<String, Code> {
    let mobile = body.string("mobile")?.value();
    let temp_id = body.string("tempId")?.value();
    let temp_args = body.string("tempArgs")?.value();
    let (Some(mobile), Some(temp_id)) = (mobile, temp_id) else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    let settings = ctx.gateway_checks(Some(family.service()))?;
    if !settings.online && !settings.test_numbers.contains(&mobile) {
        return Err(OFFLINE);
    }
    let mobile = platform_trim(&mobile).to_owned();
    if !mobile_ok(&mobile) {
        return Err(ILLEGAL_MOBILE);
    }
    let temp_id = platform_trim(&temp_id).to_owned();
    let temp_args = temp_args.map(|a| {
        if java_blank(&a) {
            a
        } else {
            platform_trim(&a).to_owned()
        }
    });
    let template = approved_template(ctx, &temp_id)?;
    if !temp_args_ok(temp_args.as_deref()) {
        return Err(ARGS_ERROR);
    }
    let msg = fill(&template.content, temp_args.as_deref())?;
    let send_type = family.send_type();
    if !length_ok(&msg, send_type) {
        return Err(TOO_LONG);
    }
    cost_checks(ctx, &settings)?;
    let outcome = ctx.shared.mobile_outcome(&mobile);
    if operator(&mobile).is_none() || outcome == MobileOutcome::NoSupplier {
        return Err(NO_SUPPLIER);
    }
    if outcome == MobileOutcome::SupplierDown {
        return Err(Code::MSG_SEND_FAILED);
    }
    let refused = outcome == MobileOutcome::Refused;
    let key = ctx.shared.store_request(NewRequest {
        app_id: ctx.caller.app_id.clone(),
        subaccount_id: ctx.sub.map(str::to_owned),
        sub_index: ctx.caller.subaccount,
        task_name: None,
        temp_id,
        temp_args,
        send_time: None,
        send_type,
        is_mass: false,
        mobile: Some(mobile.clone()),
        sent: if refused { Vec::new() } else { vec![mobile] },
    });
    Ok(format!(
        "{{\"msgKey\":{},\"state\":{}}}",
        json_string(&key),
        i32::from(!refused)
    ))
}

/// `msg/{sms|ussd}/mass/task` (`sendMass`, always as `msg_sms`).
fn send_mass(ctx: &Ctx<'_>, family: Family, body: &JsonObject) -> Result<String, Code> {
    let task_name = body.string("taskName")?.value();
    let temp_id = body.string("tempId")?.value();
    let temp_args = body.string("tempArgs")?.value();
    let mobiles = body.string("mobiles")?.value();
    let send_time = body.string("sendTime")?.value();
    let (Some(task_name), Some(temp_id), Some(mobiles)) = (task_name, temp_id, mobiles) else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    let settings = ctx.gateway_checks(Some(family.service()))?;
    let raw = java_split(&mobiles, ',');
    if !settings.online
        && !raw
            .iter()
            .all(|m| settings.test_numbers.iter().any(|t| t == m))
    {
        return Err(OFFLINE);
    }
    if task_name.is_empty() {
        return Err(TASK_NAME_EMPTY);
    }
    let task_name = platform_trim(&task_name).to_owned();
    // An unparseable time is null (the parser returns null instead of throwing).
    let send_time = match send_time {
        Some(t) if !java_blank(&t) => Some(crate::conf_api::parse_date(&t)),
        _ => None,
    };
    let temp_id = platform_trim(&temp_id).to_owned();
    let temp_args = temp_args.map(|a| {
        if java_blank(&a) {
            a
        } else {
            platform_trim(&a).to_owned()
        }
    });
    let template = approved_template(ctx, &temp_id)?;
    if !temp_args_ok(temp_args.as_deref()) {
        return Err(ARGS_ERROR);
    }
    let msg = fill(&template.content, temp_args.as_deref())?;
    // The task is executed as SMS whichever route took it.
    if !length_ok(platform_trim(&msg), SMS) {
        return Err(TOO_LONG);
    }
    if raw.len() > MAX_MOBILES {
        return Err(TOO_MANY_MOBILES);
    }
    // Sets, as the service keeps them (iterated in java.util.HashSet order).
    let mut unicom = Vec::new();
    let mut telecom = Vec::new();
    let mut invalid = Vec::new();
    for m in &raw {
        let trimmed = platform_trim(m);
        let accepted = if mobile_ok(trimmed) {
            match operator(trimmed) {
                Some(Operator::Unicom) => Some(&mut unicom),
                Some(Operator::Telecom) => Some(&mut telecom),
                // China Mobile numbers are refused for SMS and USSD mass sends.
                Some(Operator::Mobile) | None => None,
            }
        } else {
            None
        };
        let (set, value) = match accepted {
            Some(set) => (set, trimmed),
            None => (&mut invalid, *m),
        };
        if !set.iter().any(|v: &String| v == value) {
            set.push(value.to_owned());
        }
    }
    if unicom.is_empty() && telecom.is_empty() {
        return Err(ILLEGAL_MOBILE);
    }
    cost_checks(ctx, &settings)?;
    let hash_order = |v: Vec<String>| -> Vec<String> {
        crate::mgmt::java_hash_map_order(v.into_iter().map(|m| (m, ())).collect())
            .into_iter()
            .map(|(m, ())| m)
            .collect()
    };
    let mut invalid = hash_order(invalid);
    let mut sent = Vec::new();
    for m in hash_order(unicom).into_iter().chain(hash_order(telecom)) {
        if ctx.shared.mobile_outcome(&m).reaches_supplier() {
            sent.push(m);
        } else {
            invalid.push(m);
        }
    }
    let accepted = !sent.is_empty();
    let key = ctx.shared.store_request(NewRequest {
        app_id: ctx.caller.app_id.clone(),
        subaccount_id: ctx.sub.map(str::to_owned),
        sub_index: ctx.caller.subaccount,
        task_name: Some(task_name),
        temp_id,
        temp_args,
        send_time: Some(send_time.flatten()),
        send_type: SMS,
        is_mass: true,
        mobile: None,
        sent,
    });
    let invalid: Vec<String> = invalid.iter().map(|m| json_string(m)).collect();
    Ok(format!(
        "{{\"msgKey\":{},\"state\":{},\"invalidMobiles\":[{}]}}",
        json_string(&key),
        i32::from(accepted),
        invalid.join(",")
    ))
}

/// `MsgRequestVO`.
fn render_request(r: &MsgRequest) -> String {
    let send_time = r.send_time.map(crate::conf_api::format_date);
    format!(
        "{{\"msgKey\":{},\"taskName\":{},\"tempId\":{},\"tempArgs\":{},\"sendTime\":{},\"sendType\":{},\"isMass\":{},\"sumNum\":{},\"state\":{},\"succNum\":{},\"failNum\":{},\"pendingNum\":{},\"mobile\":{}}}",
        json_string(&r.msg_key),
        opt_text(r.task_name.as_deref()),
        json_string(&r.temp_id),
        opt_text(r.temp_args.as_deref()),
        opt_text(send_time.as_deref()),
        json_string(r.send_type),
        r.is_mass,
        r.sum_num,
        r.state,
        r.succ_num,
        r.fail_num,
        r.pending_num,
        opt_text(r.mobile.as_deref()),
    )
}

// --- Admin endpoints --------------------------------------------------------------------

fn admin_json<T: serde::Serialize + ?Sized>(status: u16, value: &T) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
    Response::json(status, body)
}

fn admin_error(status: u16, message: &str) -> Response {
    admin_json(status, &serde_json::json!({ "error": message }))
}

/// A script's audit: `{"approve": true}` or `{"approve": false, "reason": "..."}`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditJson {
    approve: bool,
    #[serde(default)]
    reason: Option<String>,
}

/// The sandbox's messaging endpoints under `/sandbox/`: `msg/audit` (the audit rule),
/// `msg/templates/{id}` (and `/audit`), `msg/requests/{msgKey}`, `mobiles/{mobile}`. `None`
/// for other paths.
pub(crate) fn admin(
    shared: &Shared,
    method: &str,
    segments: &[&str],
    body: &[u8],
) -> Option<Response> {
    let mobile_json = |m: &str| {
        admin_json(
            200,
            &serde_json::json!({ "mobile": m, "outcome": shared.mobile_outcome(m) }),
        )
    };
    let response = match (method, segments) {
        ("GET", ["msg", "audit"]) => admin_json(200, &shared.template_audit()),
        ("PUT", ["msg", "audit"]) => match serde_json::from_slice::<TemplateAudit>(body) {
            Ok(audit) => {
                shared.set_template_audit(audit);
                admin_json(200, &shared.template_audit())
            }
            Err(e) => admin_error(400, &format!("invalid audit rule: {e}")),
        },
        (_, ["msg", "audit"]) => admin_error(405, "method not allowed").header("Allow", "GET, PUT"),
        ("GET", ["msg", "templates", id]) => match shared.template_info(id) {
            Some(t) => admin_json(200, &t),
            None => admin_error(404, "no such template"),
        },
        ("POST", ["msg", "templates", id, "audit"]) => {
            match serde_json::from_slice::<AuditJson>(body) {
                Ok(a) => match shared.audit_template(id, a.approve, a.reason.as_deref()) {
                    Ok(()) => admin_json(200, &shared.template_info(id)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        admin_error(404, &e.to_string())
                    }
                    Err(e) => admin_error(409, &e.to_string()),
                },
                Err(e) => admin_error(400, &format!("invalid audit: {e}")),
            }
        }
        ("GET", ["msg", "requests", key]) => match shared.msg_request_info(key) {
            Some(r) => admin_json(200, &r),
            None => admin_error(404, "no such request"),
        },
        ("GET", ["mobiles", m]) => mobile_json(m),
        ("PUT", ["mobiles", m]) => match serde_json::from_slice::<MobileOutcome>(body) {
            Ok(o) => {
                shared.set_mobile_outcome(m, Some(o));
                mobile_json(m)
            }
            Err(e) => admin_error(400, &format!("invalid outcome: {e}")),
        },
        ("DELETE", ["mobiles", m]) => {
            shared.set_mobile_outcome(m, None);
            mobile_json(m)
        }
        (_, ["mobiles", _]) => {
            admin_error(405, "method not allowed").header("Allow", "GET, PUT, DELETE")
        }
        _ => return None,
    };
    Some(response)
}

// --- Lists ------------------------------------------------------------------------------

/// `pageNo` (default 1) and `pageSize`: a value that does not convert, a page size above
/// 1000, zero or less, or a page number below 1 is `000002`.
fn paging(request: &Request, default_size: i32) -> Result<(i64, i64), Code> {
    let page_no = i64::from(crate::mgmt::int_param(request, "pageNo", 1)?);
    let page_size = i64::from(crate::mgmt::int_param(request, "pageSize", default_size)?);
    if page_size > 1000 || page_size <= 0 || page_no <= 0 {
        return Err(Code::UNKNOWN_FAIL);
    }
    Ok((page_no, page_size))
}

/// The platform's page object.
fn page<T>(all: &[T], page_no: i64, page_size: i64, render: impl Fn(&T) -> String) -> String {
    let total = all.len() as i64;
    let pages = (total + page_size - 1) / page_size;
    let first = (page_no - 1) * page_size;
    let items: Vec<String> = all
        .iter()
        .skip(usize::try_from(first).unwrap_or(usize::MAX))
        .take(usize::try_from(page_size).unwrap_or(0))
        .map(render)
        .collect();
    format!(
        "{{\"pageSize\":{page_size},\"startIndex\":{},\"totalCount\":{total},\"totalPageCount\":{pages},\"currentPageNo\":{page_no},\"result\":[{}]}}",
        first + 1,
        items.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_and_placeholders() {
        assert_eq!(fill("a#*#b#*#", Some("1;2")).unwrap(), "a1b2");
        assert_eq!(fill("x", None).unwrap(), "x");
        assert_eq!(fill("x", Some(" ")).unwrap(), "x");
        assert_eq!(fill("#*#", None), Err(ARGS_ERROR));
        assert_eq!(fill("#*#", Some("1;2")), Err(ARGS_ERROR));
        // Java's split drops trailing empty strings.
        assert_eq!(fill("#*#", Some("1;")).unwrap(), "1");
        assert!(temp_args_ok(Some("1;")));
        assert!(!temp_args_ok(Some("1;;2")));
        assert!(!temp_args_ok(Some(";1")));
        assert!(temp_args_ok(Some("")));
        assert!(temp_args_ok(None));
        assert_eq!(java_split("", ','), [""]);
        assert!(java_split(",,", ',').is_empty());
        assert_eq!(java_split("a,,b,", ','), ["a", "", "b"]);
    }

    #[test]
    fn mobiles_and_operators() {
        assert!(mobile_ok("13300000001"));
        assert!(!mobile_ok("1330000000"));
        assert!(!mobile_ok("23300000001"));
        assert!(!mobile_ok("1330000000x"));
        assert_eq!(operator("13800000001"), Some(Operator::Mobile));
        assert_eq!(operator("13000000001"), Some(Operator::Unicom));
        assert_eq!(operator("13300000001"), Some(Operator::Telecom));
        assert_eq!(operator("10000000001"), None);
        assert!(length_ok("x", SMS));
        assert!(!length_ok("", SMS));
        assert!(!length_ok("x", USSD));
    }
}
