//! Messaging (platform notes 2 §6): templates and their audit, SMS and USSD requests (single
//! sends and mass tasks), the supplier's report, and the two `msg.*` events.
//!
//! The platform's operator console audits a template by hand; here a rule does it (approve or
//! reject a set time after the template was created or last changed, or wait for a script),
//! and a script can decide any pending template at once ([`crate::Sandbox::audit_template`]).
//! What the supplier does with each number is scripted per number
//! ([`crate::MobileOutcome`]); by default every message is delivered
//! [`DELIVERY_MS`] after it was handed over (for a mass task, after its `sendTime`).

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::engine::{Engine, Wake};
use super::{lock, Job, Shared};
use crate::conf_api::format_date;
use crate::events::{self, EventMap};

/// Simulated milliseconds between handing a message to the supplier and its report.
pub(crate) const DELIVERY_MS: i64 = 3000;
/// The global template every app may use (`tempId` `1001`).
pub(crate) const GLOBAL_TEMPLATE: &str = "1001";
/// A template with this `remark` is left pending by the audit rule: only a script decides it.
pub const REMARK_PENDING: &str = "sandbox:pending";
/// A template with this `remark` is rejected when the audit rule's time comes, whatever the
/// rule, with the reason [`REJECT_REASON`].
pub const REMARK_REJECT: &str = "sandbox:reject";
/// The reason of a template rejected for its remark [`REMARK_REJECT`].
pub const REJECT_REASON: &str = "rejected by the sandbox (remark sandbox:reject)";
/// Templates and requests kept; the oldest finished ones are forgotten beyond this.
const HISTORY: usize = 50_000;

/// Wire order of `msg.sending_complete` (§6.5, §8).
pub(crate) const SENDING_COMPLETE_ORDER: &[&str] =
    &["failMobiles", "action", "msgKey", "state", "event", "type"];
/// Wire order of `msg.template_complete` (§6.5, §8).
pub(crate) const TEMPLATE_COMPLETE_ORDER: &[&str] =
    &["reason", "checkTime", "action", "tempId", "event", "status"];

/// How the sandbox audits a template that is pending (status 0): the platform's operator
/// console, played by a rule. The rule in force when a template is created or updated
/// decides it; [`crate::Sandbox::audit_template`] decides any pending template at once.
/// Two reserved remarks need no setup: `sandbox:pending` (the rule leaves the template
/// pending) and `sandbox:reject` (the rule rejects it, even an approving rule; with
/// [`TemplateAudit::Manual`] it stays pending too).
///
/// As JSON (`PUT /sandbox/msg/audit`): `{"rule":"approve","after_ms":10000}`,
/// `{"rule":"reject","after_ms":10000,"reason":"..."}`, `{"rule":"manual"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum TemplateAudit {
    /// Approves it (status 1) this many simulated milliseconds later.
    Approve {
        /// Simulated milliseconds.
        after_ms: u64,
    },
    /// Rejects it (status -1) with `reason` this many simulated milliseconds later.
    Reject {
        /// Simulated milliseconds.
        after_ms: u64,
        /// The reason given (in the template and the event); may be absent.
        #[serde(default)]
        reason: Option<String>,
    },
    /// Leaves it pending until a script decides.
    Manual,
}

impl Default for TemplateAudit {
    /// Approve after 10 simulated seconds.
    fn default() -> Self {
        TemplateAudit::Approve { after_ms: 10_000 }
    }
}

/// What the supplier does with messages to one number.
///
/// As JSON (`PUT /sandbox/mobiles/{mobile}`): `"delivered"`, `"undelivered"`, `"refused"`,
/// `"no_supplier"`, `"supplier_down"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MobileOutcome {
    /// Accepted and delivered (the default).
    #[default]
    Delivered,
    /// Accepted, then reported as not delivered: the request fails for this number, which is
    /// listed in the event's `failMobiles`.
    Undelivered,
    /// The supplier refuses the message: a single send answers `state` 0 and its request is
    /// failed at once, with no event; in a mass task the number is returned in
    /// `invalidMobiles` and not sent.
    Refused,
    /// No supplier serves this number's operator: a single send gets `050106`; in a mass
    /// task the number is returned in `invalidMobiles`.
    NoSupplier,
    /// The supplier does not answer: a single send gets `050105` (`发送消息失败`); in a mass
    /// task the number is returned in `invalidMobiles`.
    SupplierDown,
}

impl MobileOutcome {
    /// Whether the supplier takes the message (it may still fail to deliver it).
    pub(crate) fn reaches_supplier(self) -> bool {
        matches!(self, MobileOutcome::Delivered | MobileOutcome::Undelivered)
    }
}

/// A template as the messaging service keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub(crate) temp_id: String,
    pub(crate) app_id: Option<String>,
    pub(crate) subaccount_id: Option<String>,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) content: String,
    pub(crate) remark: Option<String>,
    /// 0 pending, 1 approved, -1 rejected.
    pub(crate) status: i32,
    pub(crate) reason: Option<String>,
    /// The last change (epoch ms).
    pub(crate) last_time: i64,
    generation: u64,
}

/// An SMS or USSD request (`MsgUserRequest`).
#[derive(Debug, Clone)]
pub(crate) struct MsgRequest {
    pub(crate) msg_key: String,
    pub(crate) app_id: String,
    pub(crate) subaccount_id: Option<String>,
    /// The caller's sub-account index (for the callback URL).
    sub_index: Option<usize>,
    pub(crate) task_name: Option<String>,
    pub(crate) temp_id: String,
    pub(crate) temp_args: Option<String>,
    pub(crate) send_time: Option<i64>,
    pub(crate) send_type: &'static str,
    pub(crate) is_mass: bool,
    pub(crate) sum_num: i64,
    pub(crate) state: i32,
    pub(crate) succ_num: i64,
    pub(crate) fail_num: i64,
    pub(crate) pending_num: i64,
    pub(crate) mobile: Option<String>,
    /// The numbers handed to the supplier, in its order.
    sent: Vec<String>,
    /// The `msg.sending_complete` bodies sent for it.
    pub(crate) events: Vec<Arc<[u8]>>,
}

/// The messaging store.
pub(crate) struct Msgs {
    templates: HashMap<String, Template>,
    template_order: Vec<String>,
    requests: HashMap<String, MsgRequest>,
    request_order: Vec<String>,
    counter: u64,
    pub(crate) audit: TemplateAudit,
    pub(crate) mobiles: HashMap<String, MobileOutcome>,
    /// `msg.template_complete` bodies, oldest first (for inspection).
    template_events: Vec<(String, Arc<[u8]>)>,
}

/// A step of the messaging family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The audit rule decides a pending template.
    Audit,
    /// The supplier reports on a request.
    Report,
}

/// A new template as the controller builds it.
pub(crate) struct NewTemplate {
    pub(crate) app_id: String,
    pub(crate) subaccount_id: Option<String>,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) content: String,
    pub(crate) remark: Option<String>,
}

/// The fields of a template update (each may be blank: then it is not changed).
pub(crate) struct TemplateChange {
    pub(crate) name: Option<String>,
    pub(crate) kind: Option<String>,
    pub(crate) content: Option<String>,
    pub(crate) remark: Option<String>,
}

/// A request accepted by the service, to store.
pub(crate) struct NewRequest {
    pub(crate) app_id: String,
    pub(crate) subaccount_id: Option<String>,
    pub(crate) sub_index: Option<usize>,
    pub(crate) task_name: Option<String>,
    pub(crate) temp_id: String,
    pub(crate) temp_args: Option<String>,
    /// `None`: now (single sends); `Some(None)`: a mass task whose `sendTime` did not parse.
    pub(crate) send_time: Option<Option<i64>>,
    pub(crate) send_type: &'static str,
    pub(crate) is_mass: bool,
    pub(crate) mobile: Option<String>,
    /// The numbers handed to the supplier (empty: refused, the request fails at once).
    pub(crate) sent: Vec<String>,
}

impl Msgs {
    pub(crate) fn new() -> Self {
        let mut templates = HashMap::new();
        templates.insert(
            GLOBAL_TEMPLATE.to_owned(),
            Template {
                temp_id: GLOBAL_TEMPLATE.to_owned(),
                app_id: None,
                subaccount_id: None,
                name: "验证码".into(),
                kind: "msg_sms".into(),
                content: "您的验证码是#*#，请勿泄露。".into(),
                remark: None,
                status: 1,
                reason: None,
                last_time: 0,
                generation: 0,
            },
        );
        Msgs {
            templates,
            template_order: Vec::new(),
            requests: HashMap::new(),
            request_order: Vec::new(),
            counter: 0,
            audit: TemplateAudit::default(),
            mobiles: HashMap::new(),
            template_events: Vec::new(),
        }
    }

    /// The template `temp_id` as the gateway looks it up: `1001` for everyone, else the app's
    /// and the caller's sub-account's (none for the primary account).
    pub(crate) fn find(
        &self,
        app_id: &str,
        subaccount_id: Option<&str>,
        temp_id: &str,
    ) -> Option<&Template> {
        let t = self.templates.get(temp_id)?;
        if temp_id == GLOBAL_TEMPLATE {
            return Some(t);
        }
        (t.app_id.as_deref() == Some(app_id) && t.subaccount_id.as_deref() == subaccount_id)
            .then_some(t)
    }

    /// The app's templates of this sub-account (none: the primary account's), oldest first.
    pub(crate) fn templates_of(&self, app_id: &str, subaccount_id: Option<&str>) -> Vec<Template> {
        self.template_order
            .iter()
            .filter_map(|id| self.templates.get(id))
            .filter(|t| {
                t.app_id.as_deref() == Some(app_id) && t.subaccount_id.as_deref() == subaccount_id
            })
            .cloned()
            .collect()
    }

    /// The request `msg_key` of this type, app and sub-account.
    pub(crate) fn request(
        &self,
        app_id: &str,
        subaccount_id: Option<&str>,
        msg_key: &str,
        send_type: &str,
    ) -> Option<&MsgRequest> {
        self.requests.get(msg_key).filter(|r| {
            r.app_id == app_id
                && r.subaccount_id.as_deref() == subaccount_id
                && r.send_type == send_type
        })
    }

    /// The requests of this type, app and sub-account, oldest first.
    pub(crate) fn requests_of(
        &self,
        app_id: &str,
        subaccount_id: Option<&str>,
        send_type: &str,
    ) -> Vec<MsgRequest> {
        self.request_order
            .iter()
            .filter_map(|k| self.request(app_id, subaccount_id, k, send_type))
            .cloned()
            .collect()
    }

    pub(crate) fn outcome(&self, mobile: &str) -> MobileOutcome {
        self.mobiles.get(mobile).copied().unwrap_or_default()
    }

    fn evict(&mut self) {
        while self.request_order.len() > HISTORY {
            let key = self.request_order.remove(0);
            self.requests.remove(&key);
        }
        while self.template_order.len() > HISTORY {
            let id = self.template_order.remove(0);
            self.templates.remove(&id);
        }
        if self.template_events.len() > HISTORY {
            let extra = self.template_events.len() - HISTORY;
            self.template_events.drain(..extra);
        }
    }
}

/// What a script may learn of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateInfo {
    /// The template id.
    pub temp_id: String,
    /// 0 pending, 1 approved, -1 rejected.
    pub status: i32,
    /// The rejection reason, if any.
    pub reason: Option<String>,
    /// The bodies of the `msg.template_complete` events sent for it, oldest first.
    pub events: Vec<String>,
}

/// What a script may learn of an SMS or USSD request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MsgRequestInfo {
    /// The request's `msgKey`.
    pub msg_key: String,
    /// `msg_sms` or `msg_ussd`.
    pub send_type: String,
    /// Whether it is a mass task.
    pub is_mass: bool,
    /// 0 waiting, 1 success, -1 failure.
    pub state: i32,
    /// The bodies of its `msg.sending_complete` events.
    pub events: Vec<String>,
}

impl Shared {
    /// Queues a `msg.*` event for the app's (or the sub-account's) callback URL, read now.
    fn queue_msg_event(
        &self,
        id: &str,
        app_id: &str,
        sub_index: Option<usize>,
        name: &'static str,
        body: Arc<[u8]>,
    ) {
        let Some(url) = self.callback_url_for(app_id, sub_index) else {
            return;
        };
        lock(&self.outbox).push_back(
            Job {
                call_id: id.into(),
                event: name,
                url,
                body,
                utf8: self.settings.utf8_webhooks,
            }
            .into(),
        );
        self.outbox_ready.notify_one();
    }

    /// Stores a new template (status 0) and schedules its audit by the rule in force.
    pub(crate) fn create_template(&self, new: NewTemplate) -> Template {
        let template = {
            let mut engine = self.engine_now();
            let now = self.clock.now_ms();
            engine.msgs.counter += 1;
            let temp_id = (10_000 + engine.msgs.counter).to_string();
            let template = Template {
                temp_id: temp_id.clone(),
                app_id: Some(new.app_id),
                subaccount_id: new.subaccount_id,
                name: new.name,
                kind: new.kind,
                content: new.content,
                remark: new.remark,
                status: 0,
                reason: None,
                last_time: now,
                generation: 0,
            };
            engine
                .msgs
                .templates
                .insert(temp_id.clone(), template.clone());
            engine.msgs.template_order.push(temp_id.clone());
            engine.schedule_audit(&temp_id, 0, now);
            engine.msgs.evict();
            template
        };
        self.scheduler_wake.notify_one();
        template
    }

    /// Updates a template as the service does: each non-blank field replaces the stored one,
    /// and any change sets the status back to 0 (a new audit follows). `None` when the app and
    /// sub-account have no such template.
    pub(crate) fn update_template(
        &self,
        app_id: &str,
        subaccount_id: Option<&str>,
        temp_id: &str,
        change: TemplateChange,
    ) -> Option<Template> {
        let template = {
            let mut engine = self.engine_now();
            let now = self.clock.now_ms();
            if temp_id == GLOBAL_TEMPLATE {
                return None;
            }
            engine.msgs.find(app_id, subaccount_id, temp_id)?;
            let t = engine.msgs.templates.get_mut(temp_id)?;
            let non_blank = |v: Option<String>| v.filter(|s| !crate::business::java_blank(s));
            let mut changed = false;
            if let Some(v) = non_blank(change.name) {
                t.name = v;
                changed = true;
            }
            if let Some(v) = non_blank(change.kind) {
                t.kind = v;
                changed = true;
            }
            if let Some(v) = non_blank(change.content) {
                t.content = v;
                changed = true;
            }
            if let Some(v) = non_blank(change.remark) {
                t.remark = Some(v);
                changed = true;
            }
            if !changed {
                return Some(t.clone());
            }
            t.status = 0;
            t.last_time = now;
            t.generation += 1;
            let (generation, out) = (t.generation, t.clone());
            engine.schedule_audit(temp_id, generation, now);
            out
        };
        self.scheduler_wake.notify_one();
        Some(template)
    }

    /// Deletes the app's (and sub-account's) template; `false` when there is none.
    pub(crate) fn delete_template(
        &self,
        app_id: &str,
        subaccount_id: Option<&str>,
        temp_id: &str,
    ) -> bool {
        let mut engine = self.engine_now();
        if temp_id == GLOBAL_TEMPLATE || engine.msgs.find(app_id, subaccount_id, temp_id).is_none()
        {
            return false;
        }
        engine.msgs.templates.remove(temp_id);
        engine.msgs.template_order.retain(|t| t != temp_id);
        true
    }

    /// A template as `find` sees it.
    pub(crate) fn find_template(
        &self,
        app_id: &str,
        subaccount_id: Option<&str>,
        temp_id: &str,
    ) -> Option<Template> {
        self.engine_now()
            .msgs
            .find(app_id, subaccount_id, temp_id)
            .cloned()
    }

    pub(crate) fn templates_of(&self, app_id: &str, subaccount_id: Option<&str>) -> Vec<Template> {
        self.engine_now().msgs.templates_of(app_id, subaccount_id)
    }

    /// A script's audit of a pending template: approves (status 1) or rejects (status -1)
    /// it now and sends `msg.template_complete`.
    pub(crate) fn audit_template(
        &self,
        temp_id: &str,
        approve: bool,
        reason: Option<&str>,
    ) -> std::io::Result<()> {
        use std::io::{Error, ErrorKind};
        let mut engine = self.engine_now();
        let now = self.clock.now_ms();
        let Some(t) = engine.msgs.templates.get(temp_id) else {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("audit_template: no template {temp_id:?}"),
            ));
        };
        if t.status != 0 {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "audit_template: template {temp_id} is not pending (status {})",
                    t.status
                ),
            ));
        }
        engine.decide(self, temp_id, approve, reason.map(str::to_owned), now);
        Ok(())
    }

    pub(crate) fn set_template_audit(&self, audit: TemplateAudit) {
        self.engine_now().msgs.audit = audit;
    }

    pub(crate) fn template_audit(&self) -> TemplateAudit {
        self.engine_now().msgs.audit.clone()
    }

    pub(crate) fn set_mobile_outcome(&self, mobile: &str, outcome: Option<MobileOutcome>) {
        let mut engine = self.engine_now();
        match outcome {
            Some(o) => engine.msgs.mobiles.insert(mobile.to_owned(), o),
            None => engine.msgs.mobiles.remove(mobile),
        };
    }

    pub(crate) fn mobile_outcome(&self, mobile: &str) -> MobileOutcome {
        self.engine_now().msgs.outcome(mobile)
    }

    pub(crate) fn template_info(&self, temp_id: &str) -> Option<TemplateInfo> {
        let engine = self.engine_now();
        let t = engine.msgs.templates.get(temp_id)?;
        let utf8 = self.settings.utf8_webhooks;
        Some(TemplateInfo {
            temp_id: t.temp_id.clone(),
            status: t.status,
            reason: t.reason.clone(),
            events: engine
                .msgs
                .template_events
                .iter()
                .filter(|(id, _)| id == temp_id)
                .map(|(_, b)| events::decode_body(b, utf8))
                .collect(),
        })
    }

    pub(crate) fn msg_request_info(&self, msg_key: &str) -> Option<MsgRequestInfo> {
        let engine = self.engine_now();
        let r = engine.msgs.requests.get(msg_key)?;
        let utf8 = self.settings.utf8_webhooks;
        Some(MsgRequestInfo {
            msg_key: r.msg_key.clone(),
            send_type: r.send_type.to_owned(),
            is_mass: r.is_mass,
            state: r.state,
            events: r
                .events
                .iter()
                .map(|b| events::decode_body(b, utf8))
                .collect(),
        })
    }

    pub(crate) fn msg_request(
        &self,
        app_id: &str,
        subaccount_id: Option<&str>,
        msg_key: &str,
        send_type: &str,
    ) -> Option<MsgRequest> {
        self.engine_now()
            .msgs
            .request(app_id, subaccount_id, msg_key, send_type)
            .cloned()
    }

    pub(crate) fn msg_requests_of(
        &self,
        app_id: &str,
        subaccount_id: Option<&str>,
        send_type: &str,
    ) -> Vec<MsgRequest> {
        self.engine_now()
            .msgs
            .requests_of(app_id, subaccount_id, send_type)
    }

    /// Stores an accepted request and schedules the supplier's report; its `msgKey`.
    pub(crate) fn store_request(&self, new: NewRequest) -> String {
        let key = {
            let mut engine = self.engine_now();
            let now = self.clock.now_ms();
            let key = loop {
                let key = engine.ids.next();
                if !engine.msgs.requests.contains_key(&key) {
                    break key;
                }
            };
            let pending = new.sent.len() as i64;
            let send_time = match new.send_time {
                None => Some(now),
                Some(t) => t,
            };
            let failed_now = new.sent.is_empty();
            let request = MsgRequest {
                msg_key: key.clone(),
                app_id: new.app_id,
                subaccount_id: new.subaccount_id,
                sub_index: new.sub_index,
                task_name: new.task_name,
                temp_id: new.temp_id,
                temp_args: new.temp_args,
                send_time,
                send_type: new.send_type,
                is_mass: new.is_mass,
                sum_num: if new.is_mass { pending } else { 1 },
                state: if failed_now { -1 } else { 0 },
                succ_num: 0,
                fail_num: 0,
                pending_num: pending,
                mobile: new.mobile,
                sent: new.sent,
                events: Vec::new(),
            };
            if !failed_now {
                let due = send_time
                    .unwrap_or(now)
                    .max(now)
                    .saturating_add(DELIVERY_MS);
                let target: Arc<str> = key.as_str().into();
                engine.schedule(&target, 0, due, Wake::Msg(Step::Report));
            }
            engine.msgs.requests.insert(key.clone(), request);
            engine.msgs.request_order.push(key.clone());
            engine.msgs.evict();
            key
        };
        self.scheduler_wake.notify_one();
        key
    }
}

impl Engine {
    fn schedule_audit(&mut self, temp_id: &str, generation: u64, now: i64) {
        let reserved = self
            .msgs
            .templates
            .get(temp_id)
            .and_then(|t| t.remark.as_deref());
        if reserved == Some(REMARK_PENDING) {
            return;
        }
        let after = match &self.msgs.audit {
            TemplateAudit::Approve { after_ms } | TemplateAudit::Reject { after_ms, .. } => {
                *after_ms
            }
            TemplateAudit::Manual => return,
        };
        let due = now.saturating_add(i64::try_from(after).unwrap_or(i64::MAX));
        let target: Arc<str> = temp_id.into();
        self.schedule(&target, generation, due, Wake::Msg(Step::Audit));
    }

    /// Approves or rejects a pending template at `at` and sends `msg.template_complete`.
    fn decide(
        &mut self,
        shared: &Shared,
        temp_id: &str,
        approve: bool,
        reason: Option<String>,
        at: i64,
    ) {
        let Some(t) = self.msgs.templates.get_mut(temp_id) else {
            return;
        };
        t.status = if approve { 1 } else { -1 };
        t.reason = reason;
        t.last_time = at;
        // Any pending audit timer is void now.
        t.generation += 1;
        let mut m = EventMap::default();
        m.text("reason", t.reason.as_deref())
            .text("checkTime", Some(&format_date(at)))
            .text("action", Some("event_notify"))
            .text("tempId", Some(&t.temp_id))
            .text("event", Some("msg.template_complete"))
            .number("status", Some(i64::from(t.status)));
        let body: Arc<[u8]> = events::encode_body(
            &m.render(TEMPLATE_COMPLETE_ORDER),
            shared.settings.utf8_webhooks,
        )
        .into();
        let (app_id, sub) = (t.app_id.clone(), t.subaccount_id.clone());
        self.msgs
            .template_events
            .push((temp_id.to_owned(), Arc::clone(&body)));
        let Some(app_id) = app_id else {
            return;
        };
        let sub_index = sub
            .as_deref()
            .and_then(|id| shared.mgmt.live(id))
            .map(|l| l.0);
        shared.queue_msg_event(temp_id, &app_id, sub_index, "msg.template_complete", body);
    }

    pub(in crate::sim) fn wake_msg(
        &mut self,
        shared: &Shared,
        target: &Arc<str>,
        generation: u64,
        at: i64,
        step: Step,
    ) {
        match step {
            Step::Audit => {
                let Some(t) = self.msgs.templates.get(&**target) else {
                    return;
                };
                if t.generation != generation || t.status != 0 {
                    return;
                }
                let (approve, reason) = match &self.msgs.audit {
                    _ if t.remark.as_deref() == Some(REMARK_REJECT) => {
                        (false, Some(REJECT_REASON.to_owned()))
                    }
                    TemplateAudit::Approve { .. } => (true, None),
                    TemplateAudit::Reject { reason, .. } => (false, reason.clone()),
                    TemplateAudit::Manual => return,
                };
                self.decide(shared, target, approve, reason, at);
            }
            Step::Report => self.report(shared, target),
        }
    }

    /// The supplier's final report on a request: each number delivered or not, the request's
    /// state (success if any number succeeded), then `msg.sending_complete`.
    fn report(&mut self, shared: &Shared, msg_key: &str) {
        let Some(r) = self.msgs.requests.get(msg_key) else {
            return;
        };
        if r.state != 0 {
            return;
        }
        let failed: Vec<String> = r
            .sent
            .iter()
            .filter(|m| self.msgs.outcome(m) != MobileOutcome::Delivered)
            .cloned()
            .collect();
        let Some(r) = self.msgs.requests.get_mut(msg_key) else {
            return;
        };
        let total = r.sent.len() as i64;
        r.fail_num = failed.len() as i64;
        r.succ_num = total - r.fail_num;
        r.pending_num = 0;
        r.state = if r.succ_num > 0 { 1 } else { -1 };
        let fail_mobiles = failed.join(",");
        let mut m = EventMap::default();
        m.text("failMobiles", Some(&fail_mobiles))
            .text("action", Some("event_notify"))
            .text("msgKey", Some(&r.msg_key))
            .number("state", Some(i64::from(r.state)))
            .text("event", Some("msg.sending_complete"))
            .number("type", Some(i64::from(r.is_mass)));
        let body: Arc<[u8]> = events::encode_body(
            &m.render(SENDING_COMPLETE_ORDER),
            shared.settings.utf8_webhooks,
        )
        .into();
        r.events.push(Arc::clone(&body));
        let (app_id, sub_index) = (r.app_id.clone(), r.sub_index);
        shared.queue_msg_event(msg_key, &app_id, sub_index, "msg.sending_complete", body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_orders_render() {
        let mut m = EventMap::default();
        m.text("event", Some("msg.sending_complete"))
            .text("msgKey", Some("k"))
            .number("state", Some(-1))
            .text("failMobiles", Some("13300000001"))
            .number("type", Some(0))
            .text("action", Some("event_notify"));
        assert_eq!(
            m.render(SENDING_COMPLETE_ORDER),
            r#"{"failMobiles":"13300000001","action":"event_notify","msgKey":"k","state":-1,"event":"msg.sending_complete","type":0}"#
        );
        assert_eq!(format_date(0), "1970-01-01 08:00:00");
    }
}
