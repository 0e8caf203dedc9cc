//! The call-center endpoints (platform notes 2 §4): routing under
//! `/v1/account/{account_id}/callcenter/...`, body binding and validation in the server's
//! order (bean-validated DTOs first, then the app's `CallCenter` service, then the service's
//! own checks), and the answers. The state lives in `sim/cc.rs`.

use crate::api::{bind_json, envelope, error_page, mapped_segments};
use crate::business::{BusinessCode as Code, Service};
use crate::gateway::Caller;
use crate::http::{Request, Response};
use crate::lenient::{is_blank, parse_object, JsonObject, Kind, Schema};
use crate::negotiate;
use crate::sim::{CcAsker, CondInput, Enqueue, Login, Shared, SkillOp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    ExtCreate,
    ExtList,
    ExtDelete,
    ExtGet,
    ExtListTest,
    Login,
    AgentList,
    Logout,
    AgentGet,
    Keepalive,
    SetExtension,
    SetState,
    SetSkills,
    Reject,
    CallOut,
    CallAgent,
    Stub,
    AgentLsm,
    Enter,
    Exit,
    AgentConversations,
    CondCreate,
    CondList,
    CondModify,
    CondDelete,
    CondGet,
    ConvList,
    ConvDismiss,
    ConvGet,
    ConvLsm,
    InviteAgent,
    InviteOut,
}

type Route = (&'static [&'static str], &'static [(&'static str, Op)]);

const ROUTES: &[Route] = &[
    (
        &["callcenter", "extension"],
        &[("POST", Op::ExtCreate), ("GET", Op::ExtList)],
    ),
    (
        &["callcenter", "extension", "{}"],
        &[("DELETE", Op::ExtDelete), ("GET", Op::ExtGet)],
    ),
    (
        &["callcenter", "extensionlisttest"],
        &[("GET", Op::ExtListTest)],
    ),
    (
        &["callcenter", "agent"],
        &[("POST", Op::Login), ("GET", Op::AgentList)],
    ),
    (
        &["callcenter", "agent", "{}"],
        &[("DELETE", Op::Logout), ("GET", Op::AgentGet)],
    ),
    (
        &["callcenter", "agent", "{}", "keepalive"],
        &[("GET", Op::Keepalive)],
    ),
    (
        &["callcenter", "agent", "{}", "extension"],
        &[("POST", Op::SetExtension)],
    ),
    (
        &["callcenter", "agent", "{}", "state"],
        &[("POST", Op::SetState)],
    ),
    (
        &["callcenter", "agent", "{}", "skills"],
        &[("POST", Op::SetSkills)],
    ),
    (
        &["callcenter", "agent", "{}", "reject"],
        &[("POST", Op::Reject)],
    ),
    (
        &["callcenter", "agent", "{}", "call_out"],
        &[("POST", Op::CallOut)],
    ),
    (
        &["callcenter", "agent", "{}", "call_agent"],
        &[("POST", Op::CallAgent)],
    ),
    (
        &["callcenter", "agent", "{}", "fwd_agent"],
        &[("POST", Op::Stub)],
    ),
    (
        &["callcenter", "agent", "{}", "xfer_agent"],
        &[("POST", Op::Stub)],
    ),
    (
        &["callcenter", "agent", "{}", "xfer_out"],
        &[("POST", Op::Stub)],
    ),
    (
        &["callcenter", "agent", "{}", "lsm"],
        &[("POST", Op::AgentLsm)],
    ),
    (
        &["callcenter", "agent", "{}", "enter"],
        &[("POST", Op::Enter)],
    ),
    (
        &["callcenter", "agent", "{}", "exit"],
        &[("POST", Op::Exit)],
    ),
    (
        &["callcenter", "agent", "{}", "conversation"],
        &[("GET", Op::AgentConversations)],
    ),
    (
        &["callcenter", "condition"],
        &[("POST", Op::CondCreate), ("GET", Op::CondList)],
    ),
    (
        &["callcenter", "condition", "{}"],
        &[
            ("POST", Op::CondModify),
            ("DELETE", Op::CondDelete),
            ("GET", Op::CondGet),
        ],
    ),
    (&["callcenter", "conversation"], &[("GET", Op::ConvList)]),
    (
        &["callcenter", "conversation", "{}"],
        &[("DELETE", Op::ConvDismiss), ("GET", Op::ConvGet)],
    ),
    (
        &["callcenter", "conversation", "{}", "agent", "{}", "lsm"],
        &[("POST", Op::ConvLsm)],
    ),
    (
        &["callcenter", "conversation", "{}", "invite_agent"],
        &[("POST", Op::InviteAgent)],
    ),
    (
        &["callcenter", "conversation", "{}", "invite_out"],
        &[("POST", Op::InviteOut)],
    ),
];

impl Op {
    /// The fields of the body, `None` when the route reads no body.
    fn schema(self) -> Option<Schema> {
        use Kind::{Bool, Int, Objects, Text};
        Some(match self {
            Op::ExtCreate => Some(&[
                ("type", Text),
                ("user", Text),
                ("password", Text),
                ("ipaddr", Text),
                ("telnum", Text),
            ]),
            Op::Login => Some(&[
                ("name", Text),
                ("num", Text),
                ("state", Text),
                ("extension", Text),
                ("skills", Objects),
            ]),
            // Untyped maps.
            Op::SetExtension | Op::SetState => None,
            Op::SetSkills => Some(&[("opts", Objects)]),
            Op::Reject => Some(&[("queue_id", Text), ("data", Text)]),
            Op::CallOut => Some(&[
                ("to", Text),
                ("from", Text),
                ("max_dial_seconds", Int),
                ("max_answer_seconds", Int),
                ("user_data", Text),
            ]),
            Op::CallAgent => Some(&[("enqueue", Text)]),
            Op::AgentLsm => Some(&[("conversation_id", Text), ("mode", Int)]),
            Op::Enter => Some(&[("conversation_id", Text), ("mode", Int), ("holding", Bool)]),
            Op::Exit => Some(&[("conversation_id", Text)]),
            Op::CondCreate | Op::CondModify => Some(&[
                ("where", Text),
                ("sort", Text),
                ("priority", Int),
                ("queue_timeout", Int),
                ("fetch_timeout", Int),
                ("remark", Text),
            ]),
            Op::ConvLsm => Some(&[("mode", Int)]),
            Op::InviteAgent => Some(&[("enqueue", Text), ("mode", Int)]),
            Op::InviteOut => Some(&[
                ("from", Text),
                ("to", Text),
                ("max_call_duration", Int),
                ("max_dial_duration", Int),
                ("mode", Int),
            ]),
            _ => return None,
        })
    }
}

/// Matches a pattern against the segments after the account id, as the gateway maps paths
/// (a trailing `/` or a `.suffix` on the last segment still match; a variable in the last
/// segment loses everything from its last dot); the variables, URL-decoded.
fn match_route(pattern: &[&str], rest: &[&str], trailing: bool) -> Option<Vec<String>> {
    if pattern.len() != rest.len() {
        return None;
    }
    let mut vars = Vec::new();
    let last = rest.len() - 1;
    for (i, (p, s)) in pattern.iter().zip(rest).enumerate() {
        let suffixed = i == last && !trailing && s.contains('.');
        if *p == "{}" {
            let value = if suffixed {
                &s[..s.rfind('.').unwrap_or(s.len())]
            } else {
                s
            };
            vars.push(crate::admin::percent_decode(value));
        } else if suffixed {
            if s.split_once('.').map(|(head, _)| head) != Some(*p) {
                return None;
            }
        } else if p != s {
            return None;
        }
    }
    Some(vars)
}

/// Serves a call-center request once the caller is authenticated; `None` when the path is
/// not under `callcenter/`.
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
    if segments[3] != "callcenter" && !segments[3].starts_with("callcenter.") {
        return None;
    }
    let rest = &segments[3..];
    let trailing = request.path.ends_with('/');
    let accept = request.header("Accept");
    let mut allowed: Vec<&str> = Vec::new();
    let mut found = None;
    for (pattern, methods) in ROUTES {
        let Some(vars) = match_route(pattern, rest, trailing) else {
            continue;
        };
        if let Some((_, op)) = methods.iter().find(|(m, _)| *m == request.method) {
            found = Some((*op, vars));
            break;
        }
        for (m, _) in *methods {
            if !allowed.contains(m) {
                allowed.push(m);
            }
        }
    }
    let Some((op, vars)) = found else {
        let page = if allowed.is_empty() {
            error_page(404, "No message available", &request.path)
        } else {
            let message = format!("Request method '{}' not supported", request.method);
            error_page(405, &message, &request.path).header("Allow", &allowed.join(", "))
        };
        return Some(negotiate::error_page(accept, page));
    };
    let tenant = shared
        .credentials
        .apps
        .iter()
        .find(|a| a.app_id == caller.app_id)
        .map(|a| a.cert_id.clone())
        .unwrap_or_default();
    let url = shared.callback_url_for(&caller.app_id, caller.subaccount);
    let ctx = Ctx {
        shared,
        caller,
        asker: CcAsker {
            app_id: &caller.app_id,
            sub: subaccount_id.as_deref(),
            tenant: &tenant,
            url: url.as_deref(),
        },
    };
    let response = match serve(&ctx, op, &vars, request) {
        Ok(data) => envelope(Code::SUCCESS, &data),
        Err(code) => envelope(code, "null"),
    };
    Some(negotiate::envelope(&request.path, accept, response))
}

struct Ctx<'a> {
    shared: &'a Shared,
    caller: &'a Caller,
    asker: CcAsker<'a>,
}

impl Ctx<'_> {
    /// The app's checks: a forced code, the `CallCenter` service (`010002`), and for the
    /// operations that place calls the balance (`010003`) and sub-account quota (`010006`).
    fn service(&self, costs: bool) -> Result<crate::business::AppSettings, Code> {
        let settings = self
            .shared
            .app_settings_for(&self.caller.app_id, self.caller.subaccount);
        if let Some(code) = settings.code {
            return Err(code);
        }
        if settings.disabled_services.contains(&Service::CallCenter) {
            return Err(Code::APP_SERVICE_INVALID);
        }
        if costs && settings.balance_exhausted {
            return Err(Code::BALANCE_NOT_ENOUGH);
        }
        if costs && self.caller.subaccount.is_some() && settings.quota_exhausted {
            return Err(Code::QUOTA_NOT_ENOUGH);
        }
        Ok(settings)
    }
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn within(value: Option<i32>, min: i32, max: i32) -> bool {
    value.is_none_or(|v| (min..=max).contains(&v))
}

fn max_len(value: &Option<String>, max: usize) -> bool {
    value.as_deref().is_none_or(|v| utf16_len(v) <= max)
}

fn bad<T>() -> Result<T, Code> {
    Err(Code::ILLEGAL_ARGUMENT)
}

/// A state the API may set (`idle`, `busy`, `away`, `busy/…`, `away/…`); login also takes
/// `online`.
fn settable(state: &str, login: bool) -> bool {
    matches!(state, "idle" | "busy" | "away")
        || (login && state == "online")
        || state.starts_with("busy/")
        || state.starts_with("away/")
}

/// A page's `pageNo`/`pageSize` (or `page`/`size`): not numbers `000002`, out of range
/// `000002` (the server divides by the size and offsets by the page).
fn paging(request: &Request, no: &str, size: &str, default_size: i32) -> Result<(i64, i64), Code> {
    let page_no = i64::from(crate::mgmt::int_param(request, no, 1)?);
    let page_size = i64::from(crate::mgmt::int_param(request, size, default_size)?);
    if page_size > 1000 || page_size <= 0 || page_no <= 0 {
        return Err(Code::UNKNOWN_FAIL);
    }
    Ok((page_no, page_size))
}

/// The `<enqueue>` of `call_agent`, validated wrapped in `<response>` (`000001` otherwise).
fn read_enqueue(xml: &str) -> Result<Enqueue, Code> {
    let doc = format!("<response>{xml}</response>");
    match crate::ivr_xml::read_reply(doc.as_bytes()) {
        crate::ivr_xml::Reply::Document(d) => match d.action {
            crate::ivr_xml::Action::Enqueue(e) => Ok(*e),
            _ => bad(),
        },
        _ => bad(),
    }
}

fn serve(ctx: &Ctx<'_>, op: Op, vars: &[String], request: &Request) -> Result<String, Code> {
    let var = |i: usize| vars.get(i).cloned().unwrap_or_default();
    let body = match op.schema() {
        Some(schema) => bind_json(request, schema)?,
        None => parse_object(b"{}", Some(&[])).map_err(|_| Code::UNKNOWN_FAIL)?,
    };
    let shared = ctx.shared;
    let asker = ctx.asker;
    match op {
        Op::Stub => Ok("true".into()),
        Op::ExtListTest => Ok(shared.cc(|e, _, _| e.ext_list_test(asker))),
        Op::ExtCreate => {
            ctx.service(false)?;
            let kind = body.string("type")?.value().ok_or(Code::UNKNOWN_FAIL)?;
            let user = body.string("user")?.value();
            let password = body.string("password")?.value();
            let ipaddr = body.string("ipaddr")?.value();
            let telnum = body.string("telnum")?.value();
            if kind == "2" && ipaddr.as_deref().is_none_or(is_blank) {
                return bad();
            }
            shared.cc(|e, _, _| e.ext_create(asker, kind.trim(), user, password, telnum))
        }
        Op::ExtList => {
            let (no, size) = paging(request, "pageNo", "pageSize", 20)?;
            ctx.service(false)?;
            Ok(shared.cc(|e, _, _| e.ext_list(asker, no, size)))
        }
        Op::ExtDelete => {
            ctx.service(false)?;
            shared.cc(|e, _, _| e.ext_delete(asker, &var(0)))
        }
        Op::ExtGet => {
            ctx.service(false)?;
            shared.cc(|e, _, _| e.ext_get(asker, &var(0)))
        }
        Op::Login => login(ctx, &body),
        Op::AgentList => {
            let (no, size) = paging(request, "pageNo", "pageSize", 20)?;
            ctx.service(false)?;
            Ok(shared.cc(|e, _, _| e.agent_list(asker, no, size)))
        }
        Op::Logout => {
            let force = match crate::mgmt::query_value(request, "force").filter(|v| !v.is_empty()) {
                None => false,
                Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                    "true" | "on" | "yes" | "1" => true,
                    "false" | "off" | "no" | "0" => false,
                    _ => return Err(Code::UNKNOWN_FAIL),
                },
            };
            ctx.service(false)?;
            shared.cc(|e, _, _| e.agent_logout(asker, &var(0), force))
        }
        Op::AgentGet => {
            ctx.service(false)?;
            shared.cc(|e, _, _| e.agent_get(asker, &var(0)))
        }
        Op::Keepalive => {
            ctx.service(false)?;
            shared.cc(|e, _, now| e.agent_keepalive(asker, &var(0), now))
        }
        Op::SetExtension => {
            let id = match body.untyped_text("id") {
                None => None,
                Some(Ok(id)) => Some(id),
                Some(Err(())) => return Err(Code::UNKNOWN_FAIL),
            };
            let Some(id) = id.filter(|i| !is_blank(i)) else {
                return bad();
            };
            ctx.service(false)?;
            shared.cc(|e, _, _| e.agent_set_extension(asker, &var(0), &id))
        }
        Op::SetState => {
            let state = match body.untyped_text("state") {
                None => None,
                Some(Ok(s)) => Some(s),
                Some(Err(())) => return Err(Code::UNKNOWN_FAIL),
            };
            let Some(state) = state.filter(|s| settable(s, false)) else {
                return bad();
            };
            ctx.service(false)?;
            shared.cc(|e, sh, now| e.agent_set_state(sh, asker, &var(0), &state, now))
        }
        Op::SetSkills => {
            let opts = body.objects("opts")?.value().unwrap_or_default();
            if opts.is_empty() {
                return bad();
            }
            let mut ops = Vec::new();
            for o in opts.into_iter().flatten() {
                let Some(opt) = o.int("opt")?.value() else {
                    return Err(Code::UNKNOWN_FAIL);
                };
                ops.push(SkillOp {
                    opt,
                    name: o.string("name")?.value(),
                    score: o.long("score")?.value(),
                    enabled: o.boolean("enabled")?.value(),
                });
            }
            ctx.service(false)?;
            shared.cc(|e, sh, now| e.agent_set_skills(sh, asker, &var(0), &ops, now))
        }
        Op::Reject => {
            let queue_id = body.string("queue_id")?.value();
            let data = body.string("data")?.value();
            let Some(queue_id) = queue_id.filter(|q| (1..=128).contains(&utf16_len(q))) else {
                return bad();
            };
            if !max_len(&data, 128) {
                return bad();
            }
            ctx.service(false)?;
            shared.cc(|e, sh, now| e.agent_reject(sh, asker, &queue_id, now))
        }
        Op::CallOut => {
            let to = body.string("to")?.value();
            let _from = body.string("from")?.value();
            let max_dial = body.int("max_dial_seconds")?.value();
            let max_answer = body.int("max_answer_seconds")?.value();
            let user_data = body.string("user_data")?.value();
            let Some(to) = to.filter(|t| !is_blank(t)) else {
                return bad();
            };
            if !max_len(&user_data, 128) {
                return bad();
            }
            ctx.service(true)?;
            if let Some(code) = shared.behavior_of(&to).code {
                return Err(code);
            }
            shared.cc(|e, sh, now| {
                e.agent_call_out(
                    sh,
                    asker,
                    &var(0),
                    &to,
                    max_dial,
                    max_answer,
                    user_data,
                    now,
                )
            })
        }
        Op::CallAgent => {
            let Some(xml) = body.string("enqueue")?.value() else {
                return bad();
            };
            let enqueue = read_enqueue(&xml)?;
            ctx.service(true)?;
            shared.cc(|e, sh, now| e.agent_call_agent(sh, asker, &var(0), enqueue, now))
        }
        Op::AgentLsm => {
            let conv = body.string("conversation_id")?.value();
            let mode = body.int("mode")?.value();
            let (Some(conv), true) = (conv, within(mode, 1, 4)) else {
                return bad();
            };
            ctx.service(false)?;
            shared.cc(|e, _, _| e.agent_lsm(asker, &var(0), &conv, mode.unwrap_or(1)))
        }
        Op::Enter => {
            let conv = body.string("conversation_id")?.value();
            let mode = body.int("mode")?.value();
            let _holding = body.boolean("holding")?.value();
            let (Some(conv), true) = (conv, within(mode, 1, 4)) else {
                return bad();
            };
            ctx.service(false)?;
            shared.cc(|e, sh, now| e.agent_enter(sh, asker, &var(0), &conv, now))
        }
        Op::Exit => {
            let Some(conv) = body.string("conversation_id")?.value() else {
                return bad();
            };
            ctx.service(false)?;
            shared.cc(|e, sh, now| e.agent_exit(sh, asker, &var(0), &conv, now))
        }
        Op::AgentConversations => {
            ctx.service(false)?;
            shared.cc(|e, _, _| e.agent_conversations(asker, &var(0)))
        }
        Op::CondCreate | Op::CondModify => {
            let input = condition(&body)?;
            ctx.service(false)?;
            if op == Op::CondCreate {
                shared.cc(|e, _, now| e.cond_create(asker, input, now))
            } else {
                shared.cc(|e, sh, now| e.cond_modify(sh, asker, &var(0), input, now))
            }
        }
        Op::CondList => {
            ctx.service(false)?;
            Ok(shared.cc(|e, _, _| e.cond_list(asker)))
        }
        Op::CondDelete => {
            ctx.service(false)?;
            shared.cc(|e, _, _| e.cond_delete(asker, &var(0)))
        }
        Op::CondGet => {
            ctx.service(false)?;
            shared.cc(|e, _, _| e.cond_get(asker, &var(0)))
        }
        Op::ConvList => {
            let (no, size) = paging(request, "page", "size", 10)?;
            ctx.service(false)?;
            Ok(shared.cc(|e, _, _| e.conv_list(asker, no, size)))
        }
        Op::ConvDismiss => {
            ctx.service(false)?;
            shared.cc(|e, sh, now| e.conv_dismiss(sh, asker, &var(0), now))
        }
        Op::ConvGet => {
            ctx.service(false)?;
            Ok(shared.cc(|e, _, _| e.conv_get(asker, &var(0))))
        }
        Op::ConvLsm => {
            let mode = body.int("mode")?.value();
            let Some(mode) = mode.filter(|m| (1..=4).contains(m)) else {
                return bad();
            };
            ctx.service(false)?;
            shared.cc(|e, _, _| e.conv_lsm(asker, &var(0), &var(1), mode))
        }
        Op::InviteAgent => {
            let xml = body.string("enqueue")?.value();
            let mode = body.int("mode")?.value();
            let (Some(xml), true) = (xml, within(mode, 1, 4)) else {
                return bad();
            };
            if utf16_len(&xml) > 1024 {
                return bad();
            }
            ctx.service(false)?;
            shared.cc(|e, _, _| e.conv_check(asker, &var(0)))?;
            // The string is validated as a whole document: a bare `<enqueue>` fails the
            // schema (000002); a `<response>`-wrapped one passes it but cannot be decoded as
            // an `<enqueue>` (000001). No input succeeds.
            match crate::ivr_xml::read_reply(xml.as_bytes()) {
                crate::ivr_xml::Reply::Document(_) | crate::ivr_xml::Reply::NoAction => bad(),
                _ => Err(Code::UNKNOWN_FAIL),
            }
        }
        Op::InviteOut => {
            let from = body.string("from")?.value();
            let to = body.string("to")?.value();
            let max_call = body.int("max_call_duration")?.value();
            let max_dial = body.int("max_dial_duration")?.value();
            let mode = body.int("mode")?.value();
            let valid = max_len(&from, 128)
                && to
                    .as_deref()
                    .is_some_and(|t| (1..=128).contains(&utf16_len(t)))
                && max_call.is_some()
                && within(max_call, 1, 21_600)
                && within(max_dial, 1, 300)
                && within(mode, 1, 4);
            let (true, Some(to), Some(max_call)) = (valid, to, max_call) else {
                return bad();
            };
            let settings = ctx.service(true)?;
            let sub = ctx.caller.subaccount.is_some();
            let code = shared.behavior_of(&to).code;
            let to_ref = to.clone();
            shared.cc(|e, sh, now| {
                e.conv_invite_out(
                    sh,
                    asker,
                    &var(0),
                    &to,
                    max_call,
                    max_dial,
                    mode,
                    || match code {
                        Some(c) => Err(c),
                        None => settings.check_call(Service::CallCenter, sub, &[&to_ref]),
                    },
                    now,
                )
            })
        }
    }
}

/// The sandbox's own call-center endpoint: `GET /sandbox/callcenter/stats` (routing
/// decisions and their real time, events queued, delivered and given up on).
pub(crate) fn admin(shared: &Shared, method: &str, segments: &[&str]) -> Option<Response> {
    if segments != ["callcenter", "stats"] {
        return None;
    }
    if method != "GET" {
        return Some(
            Response::json(405, br#"{"error":"method not allowed"}"#.to_vec())
                .header("Allow", "GET"),
        );
    }
    let stats = shared.cc_routing_stats();
    let (queued, delivered, failed) = shared.cc_event_counts();
    let body = serde_json::json!({
        "routing_decisions": stats.decisions,
        "routing_ns": stats.total_ns as u64,
        "events_queued": queued,
        "events_delivered": delivered,
        "events_failed": failed,
    });
    Some(Response::json(200, body.to_string().into_bytes()))
}

fn login(ctx: &Ctx<'_>, body: &JsonObject) -> Result<String, Code> {
    ctx.service(false)?;
    let name = body.string("name")?.value();
    let num = body.string("num")?.value();
    let state = body.string("state")?.value();
    let ext = body.string("extension")?.value();
    let skills = body.objects("skills")?.value().unwrap_or_default();
    let Some(name) = name.filter(|n| !is_blank(n)) else {
        return bad();
    };
    let state = state.unwrap_or_else(|| "online".into());
    if !settable(&state, true) {
        return bad();
    }
    let mut list = Vec::new();
    for s in skills.into_iter().flatten() {
        list.push((
            s.string("name")?.value().unwrap_or_default(),
            s.long("score")?.value().unwrap_or(0),
            s.boolean("enabled")?.value().unwrap_or(false),
        ));
    }
    let login = Login {
        name,
        num,
        state,
        ext: ext.unwrap_or_default(),
        skills: list,
    };
    let asker = ctx.asker;
    ctx.shared
        .cc(|e, sh, now| e.agent_login(sh, asker, login, now))
}

fn condition(body: &JsonObject) -> Result<CondInput, Code> {
    let where_ = body.string("where")?.value();
    let sort = body.string("sort")?.value();
    let priority = body.int("priority")?.value();
    let queue_timeout = body.int("queue_timeout")?.value();
    let fetch_timeout = body.int("fetch_timeout")?.value();
    let remark = body.string("remark")?.value();
    let valid = max_len(&where_, 512)
        && max_len(&sort, 512)
        && within(priority, 0, 99)
        && within(queue_timeout, 1, 1000)
        && within(fetch_timeout, 1, 60)
        && max_len(&remark, 128);
    let (true, Some(where_), Some(queue_timeout)) = (valid, where_, queue_timeout) else {
        return bad();
    };
    Ok(CondInput {
        where_,
        sort,
        priority,
        queue_timeout,
        fetch_timeout,
        remark,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_with_suffixes_and_two_variables() {
        let m = |p: &[&str], path: &str, t| match_route(p, &path.split('/').collect::<Vec<_>>(), t);
        assert_eq!(
            m(
                &["callcenter", "agent", "{}"],
                "callcenter/agent/a.b",
                false
            ),
            Some(vec!["a".into()])
        );
        assert_eq!(
            m(&["callcenter", "agent", "{}"], "callcenter/agent/a.b", true),
            Some(vec!["a.b".into()])
        );
        assert_eq!(
            m(
                &["callcenter", "conversation", "{}", "agent", "{}", "lsm"],
                "callcenter/conversation/c1/agent/bob/lsm.json",
                false
            ),
            Some(vec!["c1".into(), "bob".into()])
        );
        assert_eq!(
            m(&["callcenter", "agent"], "callcenter/agents", false),
            None
        );
        assert!(
            settable("busy/lunch", false) && !settable("online", false) && settable("online", true)
        );
        assert!(!settable("talking", true));
    }
}
