//! The management API (platform notes 2 §5): sub-accounts and numbers, primary account only.
//!
//! The gateway's `ManagementFilter` answers every path under `/v*/account/*/management/` with
//! `401 不是PRIMARY_ACCOUNT` when a sub-account signed the request, whether the route exists or
//! not. Then the routes as the gateway maps them (`SubaccountController`, `TelnumController`),
//! their bodies bound and validated as the platform's DTOs (`000001`), and their services'
//! behaviour, faults included: most unknown ids dereference null (`000002`); the path id of a
//! sub-account delete is ignored (the query's `subaccountId`, default `"1"`, is deleted); an
//! update writes `callbackUrl` and `enabled` as sent (absent: null, and a null `enabled`
//! disables) and echoes a `remark` it does not save; a quota update touches only existing rows;
//! list pages carry the platform's wrong totals (§1.5). The state is kept in the management
//! store (`sim::mgmt`), which the gateway asks for sub-account certificates.

use crate::api::{self, envelope, error_page, mapped_segments};
use crate::business::{java_blank, BusinessCode as Code};
use crate::events::json_string;
use crate::gateway::{AuthFailure, Caller};
use crate::http::{Request, Response};
use crate::lenient::{JsonObject, Kind};
use crate::negotiate;
use crate::sim::{Quota, Shared, Sub, QUOTA_TYPES};

/// The largest page the platform serves (`PageSizeTooLargeException` above it).
const MAX_PAGE_SIZE: i32 = 1000;
const CALL_QUOTA: &str = "CallQuota";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    SubaccountCreate,
    SubaccountUpdate,
    SubaccountDelete,
    SubaccountSetQuotas,
    SubaccountList,
    SubaccountGet,
    TelnumList,
    TelnumBind,
    TelnumUnbind,
}

/// The routes after `/v1/account/{account_id}/`, in the controllers' order; `{}` is a path
/// variable. Each pattern lists its methods.
/// A path pattern and its methods.
type Route = (&'static [&'static str], &'static [(&'static str, Op)]);

const ROUTES: &[Route] = &[
    (
        &["management", "subaccount"],
        &[("POST", Op::SubaccountCreate), ("GET", Op::SubaccountList)],
    ),
    (
        &["management", "subaccount", "{}"],
        &[
            ("PUT", Op::SubaccountUpdate),
            ("POST", Op::SubaccountUpdate),
            ("DELETE", Op::SubaccountDelete),
            ("GET", Op::SubaccountGet),
        ],
    ),
    (
        &["management", "subaccount", "{}", "quotas"],
        &[
            ("PUT", Op::SubaccountSetQuotas),
            ("POST", Op::SubaccountSetQuotas),
        ],
    ),
    (&["management", "telnum"], &[("GET", Op::TelnumList)]),
    (
        &["management", "telnum", "{}", "subaccount"],
        &[("POST", Op::TelnumBind)],
    ),
    (
        &["management", "{}", "subaccount"],
        &[("DELETE", Op::TelnumUnbind)],
    ),
];

/// Where a path leads.
#[derive(Debug, PartialEq, Eq)]
enum Routed {
    Op(Op, Option<String>),
    /// The path exists with other methods (the `Allow` header's value).
    Method(String),
    NotFound,
}

/// Whether the gateway's `ManagementFilter` (Ant pattern `/v*/account/*/management/**`)
/// applies to a path.
fn is_management_path(segments: &[&str]) -> bool {
    segments.len() >= 4
        && segments[0].starts_with('v')
        && segments[1] == "account"
        && segments[3] == "management"
}

/// Matches one pattern against the segments after the account id. As the gateway's mapping:
/// a trailing `/` matches, and so does a `.suffix` on the last segment (not both); a path
/// variable in the last segment then loses everything from its last dot. Variables are
/// URL-decoded.
pub(crate) fn match_pattern(
    pattern: &[&str],
    rest: &[&str],
    trailing_slash: bool,
) -> Option<Option<String>> {
    if pattern.len() != rest.len() {
        return None;
    }
    let mut id = None;
    let last = rest.len() - 1;
    for (i, (p, s)) in pattern.iter().zip(rest).enumerate() {
        let suffixed = i == last && !trailing_slash && s.contains('.');
        if *p == "{}" {
            let value = if suffixed {
                &s[..s.rfind('.').unwrap_or(s.len())]
            } else {
                s
            };
            id = Some(crate::admin::percent_decode(value));
        } else if suffixed {
            if s.split_once('.').map(|(head, _)| head) != Some(*p) {
                return None;
            }
        } else if p != s {
            return None;
        }
    }
    Some(id)
}

fn route(path: &str, segments: &[&str], method: &str) -> Routed {
    if segments.len() < 4 || segments[0] != "v1" || segments[1] != "account" {
        return Routed::NotFound;
    }
    let rest = &segments[3..];
    let trailing_slash = path.ends_with('/');
    let mut allowed: Vec<&str> = Vec::new();
    for (pattern, methods) in ROUTES {
        let Some(id) = match_pattern(pattern, rest, trailing_slash) else {
            continue;
        };
        if let Some((_, op)) = methods.iter().find(|(m, _)| *m == method) {
            return Routed::Op(*op, id);
        }
        for (m, _) in *methods {
            if !allowed.contains(m) {
                allowed.push(m);
            }
        }
    }
    if allowed.is_empty() {
        Routed::NotFound
    } else {
        Routed::Method(allowed.join(", "))
    }
}

/// Serves a management request once the caller is authenticated; `None` when the path is
/// not under `management/`.
pub(crate) fn handle(shared: &Shared, caller: &Caller, request: &Request) -> Option<Response> {
    let segments: Vec<&str> = mapped_segments(&request.path).collect();
    if !is_management_path(&segments) {
        return None;
    }
    if caller.subaccount.is_some() {
        return Some(AuthFailure::NotPrimaryAccount.response());
    }
    let accept = request.header("Accept");
    let (op, id) = match route(&request.path, &segments, &request.method) {
        Routed::Op(op, id) => (op, id.unwrap_or_default()),
        Routed::Method(allow) => {
            let message = format!("Request method '{}' not supported", request.method);
            let page = error_page(405, &message, &request.path).header("Allow", &allow);
            return Some(negotiate::error_page(accept, page));
        }
        Routed::NotFound => {
            let page = error_page(404, "No message available", &request.path);
            return Some(negotiate::error_page(accept, page));
        }
    };
    let result = match op {
        Op::SubaccountCreate => create(shared, caller, request),
        Op::SubaccountUpdate => update(shared, request, &id),
        Op::SubaccountDelete => delete(shared, caller, request),
        Op::SubaccountSetQuotas => set_quotas(shared, request, &id),
        Op::SubaccountList => list(shared, caller, request),
        Op::SubaccountGet => get(shared, &id),
        Op::TelnumList => telnum_list(shared, caller, request),
        Op::TelnumBind => bind(shared, caller, request, &id),
        Op::TelnumUnbind => unbind(shared, caller, request, &id),
    };
    let response = match result {
        Ok(data) => envelope(Code::SUCCESS, &data),
        Err(code) => envelope(code, "null"),
    };
    Some(negotiate::envelope(&request.path, accept, response))
}

// --- Binding and validation -------------------------------------------------------------

/// A query parameter, URL-decoded (`+` is a space); the first of several.
pub(crate) fn query_value(request: &Request, name: &str) -> Option<String> {
    let decode = |s: &str| crate::admin::percent_decode(&s.replace('+', " "));
    request.query.as_deref()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == name).then(|| decode(v))
    })
}

/// A `@RequestParam(defaultValue = ..) String`: absent or empty takes the default.
fn string_param(request: &Request, name: &str, default: &str) -> String {
    query_value(request, name)
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// A `@RequestParam(defaultValue = ..) Long`, read as the gateway converts it (every
/// whitespace character removed, decimal, or hex with `0x`/`#`), then `intValue()`. A value
/// that does not convert is `000002`.
pub(crate) fn int_param(request: &Request, name: &str, default: i32) -> Result<i32, Code> {
    let Some(raw) = query_value(request, name).filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    let text: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let hex = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
        .or_else(|| unsigned.strip_prefix('#'));
    let (digits, radix) = match hex {
        Some(h) => (h, 16),
        None => (unsigned, 10),
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return Err(Code::UNKNOWN_FAIL);
    }
    let magnitude = i128::from_str_radix(digits, radix).map_err(|_| Code::UNKNOWN_FAIL)?;
    let value = if negative { -magnitude } else { magnitude };
    let value = i64::try_from(value).map_err(|_| Code::UNKNOWN_FAIL)?;
    // `Long.intValue()` keeps the low 32 bits.
    Ok(value as i32)
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `@Pattern(regexp = "[a-zA-z]+://[^\\s]*")` on the whole value (null passes). The class
/// `A-z` also admits `[ \ ] ^ _` and the backquote.
fn url_ok(url: &Option<String>) -> bool {
    let Some(url) = url else {
        return true;
    };
    let Some(pos) = url.find("://") else {
        return false;
    };
    let scheme = &url[..pos];
    !scheme.is_empty()
        && scheme.chars().all(|c| ('A'..='z').contains(&c))
        && !url[pos + 3..]
            .chars()
            .any(|c| matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r'))
}

fn remark_ok(remark: &Option<String>) -> bool {
    remark.as_deref().is_none_or(|r| utf16_len(r) <= 128)
}

/// The `quotas` list as bound (`List<QuotaDTO>`): `None` items are JSON nulls.
type QuotaItems = Option<Vec<Option<QuotaRow>>>;

/// A quota as given: its type and value, each possibly null.
type QuotaRow = (Option<String>, Option<i64>);

fn read_quotas(body: &JsonObject) -> Result<QuotaItems, Code> {
    let Some(items) = body.objects("quotas")?.value() else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            None => out.push(None),
            Some(object) => {
                let kind = object.string("type")?.value();
                let value = object.long("value")?.value();
                out.push(Some((kind, value)));
            }
        }
    }
    Ok(Some(out))
}

/// The controllers' conversion of the quota DTOs: a null item fails (`000002`), and so does a
/// `CallQuota` without a value (minutes × 60, unboxed); other values as given.
fn controller_quotas(items: Vec<Option<QuotaRow>>) -> Result<Vec<QuotaRow>, Code> {
    let mut rows = Vec::with_capacity(items.len());
    for item in items {
        let (kind, value) = item.ok_or(Code::UNKNOWN_FAIL)?;
        let value = if kind.as_deref() == Some(CALL_QUOTA) {
            Some(value.ok_or(Code::UNKNOWN_FAIL)?.wrapping_mul(60))
        } else {
            value
        };
        rows.push((kind, value));
    }
    Ok(rows)
}

/// Java's `String.hashCode`.
fn java_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// The iteration order of a `java.util.HashMap` holding these keys, inserted in this order.
pub(crate) fn java_hash_map_order<T>(entries: Vec<(String, T)>) -> Vec<(String, T)> {
    let mut capacity: usize = 16;
    while entries.len() * 4 > capacity * 3 {
        capacity *= 2;
    }
    let mut keyed: Vec<(usize, (String, T))> = entries
        .into_iter()
        .map(|(k, v)| {
            let h = java_hash(&k) as u32;
            (((h ^ (h >> 16)) as usize) & (capacity - 1), (k, v))
        })
        .collect();
    keyed.sort_by_key(|(bucket, _)| *bucket);
    keyed.into_iter().map(|(_, e)| e).collect()
}

// --- Rendering --------------------------------------------------------------------------

fn opt_text(s: &Option<String>) -> String {
    s.as_deref().map_or_else(|| "null".to_owned(), json_string)
}

/// `ApiCertificateSubAccountOutput`: every stored quota value divided by 60; no quotas (or
/// none asked for) is `null`.
fn render_sub(sub: &Sub, quotas: bool) -> String {
    let quotas = if quotas && !sub.quotas.is_empty() {
        let items: Vec<String> = sub
            .quotas
            .iter()
            .map(|q| {
                format!(
                    "{{\"type\":{},\"value\":{}}}",
                    json_string(&q.kind),
                    q.value / 60
                )
            })
            .collect();
        format!("[{}]", items.join(","))
    } else {
        "null".into()
    };
    format!(
        "{{\"id\":{},\"appId\":{},\"parentId\":{},\"callbackUrl\":{},\"enabled\":{},\"remark\":{},\"certId\":{},\"secretKey\":{},\"quotas\":{}}}",
        json_string(&sub.id),
        json_string(&sub.app_id),
        json_string(&sub.parent_id),
        opt_text(&sub.callback_url),
        sub.enabled.map_or_else(|| "null".to_owned(), |e| e.to_string()),
        opt_text(&sub.remark),
        json_string(&sub.cert_id),
        json_string(&sub.secret_key),
        quotas
    )
}

/// `pageNo` and `pageSize` as the list services take them: a page size above 1000, zero or
/// negative, or a page before the first, fails (`000002`). Returns the first row's offset and
/// the page size.
fn paging(request: &Request) -> Result<(i32, i32), Code> {
    let page_no = int_param(request, "pageNo", 1)?;
    let page_size = int_param(request, "pageSize", 10)?;
    if page_size > MAX_PAGE_SIZE || page_size <= 0 {
        return Err(Code::UNKNOWN_FAIL);
    }
    let first = (page_no.wrapping_sub(1)).wrapping_mul(page_size);
    if first < 0 {
        return Err(Code::UNKNOWN_FAIL);
    }
    Ok((first, page_size))
}

/// The page the controllers build from the service's page: its `totalCount` is the source's
/// `totalPageCount` (`Page.java` arithmetic, 1-based `startIndex`).
fn render_page(first: i32, size: i32, rows: &[String]) -> String {
    let size_l = i64::from(size);
    let ceil = |n: i64| {
        if n % size_l == 0 {
            n / size_l
        } else {
            n / size_l + 1
        }
    };
    let start = i64::from(first.wrapping_add(1));
    let total_count = ceil(rows.len() as i64);
    let total_page_count = ceil(total_count);
    let current = if size == 1 && start > 0 {
        start / size_l
    } else {
        start / size_l + 1
    };
    let from = usize::try_from(first).unwrap_or(usize::MAX).min(rows.len());
    let to = from
        .saturating_add(usize::try_from(size).unwrap_or(0))
        .min(rows.len());
    format!(
        "{{\"pageSize\":{size},\"startIndex\":{start},\"totalCount\":{total_count},\"totalPageCount\":{total_page_count},\"currentPageNo\":{current},\"result\":[{}]}}",
        rows[from..to].join(",")
    )
}

fn tenant_of(shared: &Shared, caller: &Caller) -> String {
    shared
        .credentials
        .app(&caller.app_id)
        .map(|a| a.cert_id.clone())
        .unwrap_or_default()
}

// --- Operations ---------------------------------------------------------------------------

/// `POST management/subaccount`.
fn create(shared: &Shared, caller: &Caller, request: &Request) -> Result<String, Code> {
    let body = api::bind_json(
        request,
        Some(&[
            ("callbackUrl", Kind::Text),
            ("remark", Kind::Text),
            ("quotas", Kind::Objects),
        ]),
    )?;
    let callback_url = body.string("callbackUrl")?.value();
    let remark = body.string("remark")?.value();
    let quotas = read_quotas(&body)?;
    if !url_ok(&callback_url) || !remark_ok(&remark) {
        return Err(Code::ILLEGAL_ARGUMENT);
    }
    let rows = controller_quotas(quotas.unwrap_or_default())?;
    // The service keeps the first row of each non-blank type, adds the default CallQuota row,
    // and saves them in the HashMap's order; an unknown type fails and nothing is created.
    let mut entries: Vec<(String, Option<i64>)> = Vec::new();
    for (kind, value) in rows {
        if let Some(kind) = kind.filter(|k| !java_blank(k)) {
            if !entries.iter().any(|(k, _)| *k == kind) {
                entries.push((kind, value));
            }
        }
    }
    if !entries.iter().any(|(k, _)| k == CALL_QUOTA) {
        entries.push((CALL_QUOTA.into(), None));
    }
    let entries = java_hash_map_order(entries);
    if entries
        .iter()
        .any(|(k, _)| !QUOTA_TYPES.contains(&k.as_str()))
    {
        return Err(Code::UNKNOWN_FAIL);
    }
    let tenant = tenant_of(shared, caller);
    let sub = Sub {
        id: shared.new_hex_id(),
        app_id: caller.app_id.clone(),
        parent_id: tenant.clone(),
        tenant,
        cert_id: shared.new_hex_id(),
        secret_key: shared.new_hex_id(),
        callback_url,
        enabled: Some(1),
        remark,
        quotas: entries
            .into_iter()
            .map(|(kind, value)| Quota {
                kind,
                value: value.unwrap_or(-1),
            })
            .collect(),
        deleted: false,
        call_used_s: 0,
    };
    shared.mgmt.create(sub.clone());
    Ok(render_sub(&sub, true))
}

/// `PUT` (or `POST`) `management/subaccount/{id}`.
fn update(shared: &Shared, request: &Request, id: &str) -> Result<String, Code> {
    let body = api::bind_json(
        request,
        Some(&[
            ("callbackUrl", Kind::Text),
            ("enabled", Kind::Int),
            ("remark", Kind::Text),
        ]),
    )?;
    let callback_url = body.string("callbackUrl")?.value();
    let enabled = body.int("enabled")?.value();
    let remark = body.string("remark")?.value();
    let enabled_ok = enabled.is_none_or(|e| (0..=1).contains(&e));
    if !url_ok(&callback_url) || !enabled_ok || !remark_ok(&remark) {
        return Err(Code::ILLEGAL_ARGUMENT);
    }
    let mut sub = shared.mgmt.get(id).ok_or(Code::UNKNOWN_FAIL)?;
    shared.mgmt.update(id, callback_url.clone(), enabled);
    // The answer is the loaded entity with the request's values (no quotas).
    sub.callback_url = callback_url;
    sub.enabled = enabled;
    sub.remark = remark;
    Ok(render_sub(&sub, false))
}

/// `DELETE management/subaccount/{id}?subaccountId=...` (the path id is ignored).
fn delete(shared: &Shared, caller: &Caller, request: &Request) -> Result<String, Code> {
    let id = string_param(request, "subaccountId", "1");
    let tenant = tenant_of(shared, caller);
    if shared.mgmt.delete(&id, &tenant, &caller.app_id) {
        Ok("true".into())
    } else {
        Err(Code::UNKNOWN_FAIL)
    }
}

/// `PUT` (or `POST`) `management/subaccount/{id}/quotas`.
fn set_quotas(shared: &Shared, request: &Request, id: &str) -> Result<String, Code> {
    let body = api::bind_json(request, Some(&[("quotas", Kind::Objects)]))?;
    let Some(items) = read_quotas(&body)? else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    let rows: Vec<Quota> = controller_quotas(items)?
        .into_iter()
        .filter_map(|(kind, value)| {
            Some(Quota {
                kind: kind?,
                value: value?,
            })
        })
        .collect();
    shared.mgmt.set_quotas(id, &rows);
    Ok("true".into())
}

/// `GET management/subaccount?pageNo=&pageSize=`: the app's sub-accounts, without quotas.
fn list(shared: &Shared, caller: &Caller, request: &Request) -> Result<String, Code> {
    let (first, size) = paging(request)?;
    let rows: Vec<String> = shared
        .mgmt
        .of_app(&caller.app_id)
        .iter()
        .map(|s| render_sub(s, false))
        .collect();
    Ok(render_page(first, size, &rows))
}

/// `GET management/subaccount/{id}`: any live sub-account, with its quotas.
fn get(shared: &Shared, id: &str) -> Result<String, Code> {
    let sub = shared.mgmt.get(id).ok_or(Code::UNKNOWN_FAIL)?;
    Ok(render_sub(&sub, true))
}

/// `GET management/telnum?pageNo=&pageSize=`: every number the account rents, newest first.
fn telnum_list(shared: &Shared, caller: &Caller, request: &Request) -> Result<String, Code> {
    let (first, size) = paging(request)?;
    let rows: Vec<String> = shared
        .mgmt
        .telnums_of(&tenant_of(shared, caller))
        .iter()
        .map(|n| {
            format!(
                "{{\"id\":{},\"appId\":{},\"subaccountId\":{},\"telnum\":{}}}",
                json_string(&n.id),
                opt_text(&n.app_id),
                opt_text(&n.subaccount_id),
                json_string(&n.telnum)
            )
        })
        .collect();
    Ok(render_page(first, size, &rows))
}

/// `POST management/telnum/{id}/subaccount` with `{"subaccountId": ...}`.
fn bind(shared: &Shared, caller: &Caller, request: &Request, id: &str) -> Result<String, Code> {
    let body = api::bind_json(request, Some(&[("subaccountId", Kind::Text)]))?;
    let Some(subaccount_id) = body.string("subaccountId")?.value() else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    let tenant = tenant_of(shared, caller);
    shared
        .mgmt
        .bind(id, &tenant, &caller.app_id, &subaccount_id)
        .map_err(|()| Code::UNKNOWN_FAIL)?;
    Ok("true".into())
}

/// `DELETE management/{id}/subaccount?subaccountId=...`.
fn unbind(shared: &Shared, caller: &Caller, request: &Request, id: &str) -> Result<String, Code> {
    let subaccount_id = string_param(request, "subaccountId", "1");
    let tenant = tenant_of(shared, caller);
    shared
        .mgmt
        .unbind(id, &tenant, &caller.app_id, &subaccount_id)
        .map_err(|()| Code::UNKNOWN_FAIL)?;
    Ok("true".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<&str> {
        mapped_segments(path).collect()
    }

    fn routed(method: &str, path: &str) -> Routed {
        route(path, &segs(path), method)
    }

    #[test]
    fn routes() {
        let p = "/v1/account/a/management/";
        assert_eq!(
            routed("POST", &format!("{p}subaccount")),
            Routed::Op(Op::SubaccountCreate, None)
        );
        assert_eq!(
            routed("GET", &format!("{p}subaccount.json")),
            Routed::Op(Op::SubaccountList, None)
        );
        assert_eq!(
            routed("GET", &format!("{p}subaccount/a.b.c")),
            Routed::Op(Op::SubaccountGet, Some("a.b".into()))
        );
        assert_eq!(
            routed("GET", &format!("{p}subaccount/a.b/")),
            Routed::Op(Op::SubaccountGet, Some("a.b".into()))
        );
        assert_eq!(
            routed("POST", &format!("{p}subaccount/x%20y")),
            Routed::Op(Op::SubaccountUpdate, Some("x y".into()))
        );
        assert_eq!(
            routed("DELETE", &format!("{p}n1/subaccount")),
            Routed::Op(Op::TelnumUnbind, Some("n1".into()))
        );
        // The documented unbind path exists only for POST (bind).
        assert_eq!(
            routed("DELETE", &format!("{p}telnum/n1/subaccount")),
            Routed::Method("POST".into())
        );
        assert_eq!(
            routed("PATCH", &format!("{p}subaccount/x")),
            Routed::Method("PUT, POST, DELETE, GET".into())
        );
        assert_eq!(routed("GET", &format!("{p}nothing")), Routed::NotFound);
        assert_eq!(
            routed("GET", "/v2/account/a/management/telnum"),
            Routed::NotFound
        );
        assert!(is_management_path(&segs("/v9/account/a/management")));
        assert!(is_management_path(&segs("//v1/account/a/management/x/y")));
        assert!(!is_management_path(&segs(
            "/v1/account/a/Management/telnum"
        )));
        assert!(!is_management_path(&segs("/v1/account/management/telnum")));
    }

    #[test]
    fn callback_url_pattern() {
        let ok = |s: &str| url_ok(&Some(s.into()));
        assert!(url_ok(&None));
        assert!(ok("http://example.com/x?y=1"));
        assert!(ok("a_b://"));
        assert!(ok("HTTPS://x"));
        assert!(!ok(""));
        assert!(!ok("example.com"));
        assert!(!ok("http://a b"));
        assert!(!ok("ht:tp://a"));
        assert!(!ok("h1://a"));
        assert!(!ok("://a"));
    }

    #[test]
    fn hash_map_order() {
        // As java.util.HashMap iterates these keys (checked with the JDK), whatever the
        // insertion order.
        let order = |keys: &[&str]| -> Vec<String> {
            java_hash_map_order(keys.iter().map(|k| (k.to_string(), ())).collect())
                .into_iter()
                .map(|(k, ())| k)
                .collect()
        };
        let mut reversed = QUOTA_TYPES;
        reversed.reverse();
        for keys in [QUOTA_TYPES, reversed] {
            assert_eq!(
                order(&keys),
                ["AgentQuota", "UssdQuota", "CallQuota", "SmsQuota"]
            );
        }
        assert_eq!(
            order(&["CallQuota", "AgentQuota"]),
            ["AgentQuota", "CallQuota"]
        );
        assert_eq!(
            order(&["SmsQuota", "CallQuota", "UssdQuota"]),
            ["UssdQuota", "CallQuota", "SmsQuota"]
        );
    }

    #[test]
    fn pages() {
        let rows: Vec<String> = (0..25).map(|i| i.to_string()).collect();
        assert_eq!(
            render_page(10, 10, &rows),
            "{\"pageSize\":10,\"startIndex\":11,\"totalCount\":3,\"totalPageCount\":1,\"currentPageNo\":2,\"result\":[10,11,12,13,14,15,16,17,18,19]}"
        );
        assert_eq!(
            render_page(0, 1, &rows[..2]),
            "{\"pageSize\":1,\"startIndex\":1,\"totalCount\":2,\"totalPageCount\":2,\"currentPageNo\":1,\"result\":[0]}"
        );
        assert_eq!(
            render_page(0, 10, &[]),
            "{\"pageSize\":10,\"startIndex\":1,\"totalCount\":0,\"totalPageCount\":0,\"currentPageNo\":1,\"result\":[]}"
        );
        assert!(render_page(990, 10, &rows).contains("\"result\":[]"));
    }
}
