//! The end event of a simple call: its JSON in the platform's key order, and its hand-over
//! to the webhook workers.

use std::sync::Arc;

use super::Call;
use crate::events::{self, EventMap};
use crate::inspect::{CallKind, CallState, EndEventState, TimelineEntry};
use crate::sim::engine::Engine;
use crate::sim::{lock, Job, Shared};
use crate::time::floor_to_second;

impl Engine {
    /// The call is closed: build its end event and hand it to the webhook workers.
    pub(super) fn finish(&mut self, shared: &Shared, call: &mut Call, at: i64) {
        // The call records bill every answered leg to the sub-account's call quota.
        if let (Some(sub), Some(end)) = (call.subaccount_id.as_deref(), call.end) {
            shared
                .mgmt
                .charge_call(sub, &[call.answer1, call.answer2], end);
        }
        let json = end_event_json(call);
        let utf8 = shared.settings.utf8_webhooks;
        let body: Arc<[u8]> = events::encode_body(&json, utf8).into();
        call.body = Some(Arc::clone(&body));
        call.utf8 = utf8;
        self.calls.closed.push_back(Arc::clone(&call.id));
        match call.callback_url.clone() {
            Some(url) => {
                call.timeline.push(TimelineEntry {
                    sim_time_ms: at,
                    state: CallState::Closed,
                    what: format!("end event queued for {url}"),
                });
                lock(&shared.outbox).push_back(Job {
                    call_id: Arc::clone(&call.id),
                    event: call.event_name,
                    url,
                    body,
                    utf8,
                });
                shared.outbox_ready.notify_one();
            }
            None => {
                call.end_event = EndEventState::NoCallbackUrl;
                call.timeline.push(TimelineEntry {
                    sim_time_ms: at,
                    state: CallState::Closed,
                    what: "no callback URL; no end event sent".into(),
                });
                shared.ended.notify_all();
            }
        }
        if shared.settings.log {
            eprintln!("call {} {} closed", call.id, call.kind.as_str());
        }
    }
}

/// The end event's JSON text, in the platform's key order.
fn end_event_json(call: &mut Call) -> String {
    let mut m = EventMap::default();
    m.text("action", Some("event_notify"))
        .text("id", Some(&call.id))
        .text("subaccount_id", call.subaccount_id.as_deref())
        .text("user_data", call.user_data.as_deref());
    if call.error == Some(events::ENGINE_FAILURE) {
        call.event_name = match call.kind {
            CallKind::DuoCallback => "duo_callback.end",
            CallKind::NotifyCall => "notify_call.end",
            // IVR calls are not simple calls; they never get here.
            CallKind::VerifyCall | CallKind::IvrCall | CallKind::IvrIncoming => "verify_call.end",
        };
        m.text("event", Some(call.event_name))
            .text("error", call.error);
        return m.render(events::FAILURE_ORDER);
    }
    let cti = |t: Option<i64>| t.map(floor_to_second);
    m.number("begin_time", cti(Some(call.begin)))
        .number("end_time", cti(call.end))
        .text("error", call.error);
    match call.kind {
        CallKind::DuoCallback => {
            call.event_name = "duo_callback.end";
            m.text("event", Some(call.event_name))
                .number("answer_time1", cti(call.answer1))
                .number("answer_time2", cti(call.answer2))
                .text("hangup_by", Some(call.hangup_by));
            m.render(events::DUO_END_ORDER)
        }
        CallKind::NotifyCall => {
            call.event_name = "notify_call.end";
            m.text("event", Some(call.event_name))
                .number("answer_time", cti(call.answer1))
                .text("dropped_by", call.dropped_by);
            m.render(events::NOTIFY_END_ORDER)
        }
        CallKind::VerifyCall | CallKind::IvrCall | CallKind::IvrIncoming => {
            // The normal end of a verify call is reported under the notify event's name.
            call.event_name = "notify_call.end";
            m.text("event", Some(call.event_name))
                .number("answer_time", cti(call.answer1))
                .text("hangup_by", call.dropped_by);
            m.render(events::VERIFY_END_ORDER)
        }
    }
}
