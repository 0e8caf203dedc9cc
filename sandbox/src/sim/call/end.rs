//! The end event of a simple call: its JSON in the platform's key order, and its hand-over
//! to the webhook workers.
//!
//! The record does not keep the body: a webhook worker builds it from the record when it takes
//! the event from the outbox, and [`body`] builds the same bytes again when it is inspected.

use std::sync::Arc;

use super::Calls;
use super::{Call, Ctx, What};
use crate::events::{self, EventMap};
use crate::inspect::{CallKind, CallState, EndEventState};
use crate::sim::{lock, Job, Outgoing, Shared};
use crate::time::floor_to_second;

impl Ctx<'_> {
    /// The call is closed: build its end event and hand it to the webhook workers.
    pub(super) fn finish(&mut self, shared: &Shared, call: &mut Call, at: i64) {
        // The call records bill every answered leg to the sub-account's call quota.
        if let (Some(sub), Some(end)) = (call.subaccount_id.as_deref(), call.end) {
            shared
                .mgmt
                .charge_call(sub, &[call.answer1, call.answer2], end);
        }
        let utf8 = shared.settings.utf8_webhooks;
        call.utf8 = utf8;
        self.closed.push_back(Arc::clone(&call.id));
        match call.callback_url {
            Some(_) => {
                call.note(at, CallState::Closed, What::Queued);
                // The body is built when a worker takes the event (`Calls::end_job`).
                lock(&shared.outbox).push_back(Outgoing::CallEnd(Arc::clone(&call.id)));
                shared.outbox_ready.notify_one();
            }
            None => {
                call.end_event = EndEventState::NoCallbackUrl;
                call.note(at, CallState::Closed, What::NoCallbackUrl);
                shared.notify_ended();
            }
        }
        if shared.settings.log {
            eprintln!("call {} {} closed", call.id, call.kind.as_str());
        }
    }
}

impl Calls {
    /// The delivery of a closed call's end event; `None` if the call is no longer kept or has
    /// no callback URL.
    pub(in crate::sim) fn end_job(&self, id: &str) -> Option<Job> {
        let call = self.map.get(id)?;
        Some(Job {
            call_id: Arc::clone(&call.id),
            event: event_name(call),
            url: call.callback_url.as_deref()?.to_owned(),
            body: body(call, call.utf8).into(),
            utf8: call.utf8,
        })
    }
}

/// The end event's name (the `event` key) of a closed call.
pub(super) fn event_name(call: &Call) -> &'static str {
    match (call.kind, call.error == Some(events::ENGINE_FAILURE)) {
        (CallKind::DuoCallback, _) => "duo_callback.end",
        (CallKind::NotifyCall, _) => "notify_call.end",
        // IVR calls are not simple calls; they never get here.
        (CallKind::VerifyCall | CallKind::IvrCall | CallKind::IvrIncoming, true) => {
            "verify_call.end"
        }
        // The normal end of a verify call is reported under the notify event's name.
        (CallKind::VerifyCall | CallKind::IvrCall | CallKind::IvrIncoming, false) => {
            "notify_call.end"
        }
    }
}

/// The end event's bytes, in the charset `utf8` names.
pub(super) fn body(call: &Call, utf8: bool) -> Vec<u8> {
    events::encode_body(&end_event_json(call), utf8)
}

/// The end event's JSON text, in the platform's key order.
fn end_event_json(call: &Call) -> String {
    let event = event_name(call);
    let mut m = EventMap::default();
    m.text("action", Some("event_notify"))
        .text("id", Some(&call.id))
        .text("subaccount_id", call.subaccount_id.as_deref())
        .text("user_data", call.user_data.as_deref());
    if call.error == Some(events::ENGINE_FAILURE) {
        m.text("event", Some(event)).text("error", call.error);
        return m.render(events::FAILURE_ORDER);
    }
    let cti = |t: Option<i64>| t.map(floor_to_second);
    m.number("begin_time", cti(Some(call.begin)))
        .number("end_time", cti(call.end))
        .text("error", call.error);
    match call.kind {
        CallKind::DuoCallback => {
            m.text("event", Some(event))
                .number("answer_time1", cti(call.answer1))
                .number("answer_time2", cti(call.answer2))
                .text("hangup_by", Some(call.hangup_by()));
            m.render(events::DUO_END_ORDER)
        }
        CallKind::NotifyCall => {
            m.text("event", Some(event))
                .number("answer_time", cti(call.answer1))
                .text("dropped_by", call.dropped_by());
            m.render(events::NOTIFY_END_ORDER)
        }
        CallKind::VerifyCall | CallKind::IvrCall | CallKind::IvrIncoming => {
            m.text("event", Some(event))
                .number("answer_time", cti(call.answer1))
                .text("hangup_by", call.dropped_by());
            m.render(events::VERIFY_END_ORDER)
        }
    }
}
