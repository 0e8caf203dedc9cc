//! The declarations of the platform's webhook events: each event's name, family, doc and keys
//! (with their types and docs), as the server sends them (`spec/platform-notes-2.md` §8,
//! `spec/platform-notes.md` §4) and as the docs add to them.
//!
//! The typed Rust events ([`DuoCallbackEnd`](crate::DuoCallbackEnd) and the others), their
//! parsing and their canonical view are generated from this table by `scripts/codegen`.

/// The type of an event key's value, and how it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// Text; a number is read as its decimal text; `""` is absent.
    Str,
    /// An integer: a JSON number (fractions cut) or decimal text.
    Int,
    /// Epoch milliseconds, read as [`KeyType::Int`].
    Time,
}

/// One key of an event body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventKey {
    /// The key as it arrives.
    pub name: &'static str,
    /// The typed field's name (and the key in the canonical view): the key's own, except
    /// `kind` for a key `type`, the views' `type` being the event's name.
    pub field: &'static str,
    /// Its type.
    pub ty: KeyType,
    /// Another key read when this one is absent (the docs' misspelling `end_tinme`).
    pub fallback: Option<&'static str>,
    /// True for keys that the docs show and the real server never sends.
    pub docs_only: bool,
    /// One line for the docs.
    pub doc: &'static str,
}

/// One webhook event of the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventDecl {
    /// The `event` name: `conf.joined`.
    pub name: &'static str,
    /// The family: `simple_call`, `ivr`, `conference`, `callcenter`, `recording`, `messaging`.
    pub family: &'static str,
    /// The typed Rust struct it parses into, or `None` while it is kept whole as
    /// [`OtherEvent`](crate::OtherEvent).
    pub rust_type: Option<&'static str>,
    /// One line for the docs.
    pub doc: &'static str,
    /// Its keys (less `event` and `action`, which every event carries).
    pub keys: &'static [EventKey],
}

const fn key(name: &'static str, ty: KeyType, doc: &'static str) -> EventKey {
    EventKey {
        name,
        field: name,
        ty,
        fallback: None,
        docs_only: false,
        doc,
    }
}

/// A key `type`, typed as `kind`.
const fn kind(ty: KeyType, doc: &'static str) -> EventKey {
    EventKey {
        field: "kind",
        ..key("type", ty, doc)
    }
}

const fn docs_key(name: &'static str, ty: KeyType, doc: &'static str) -> EventKey {
    EventKey {
        docs_only: true,
        ..key(name, ty, doc)
    }
}

use KeyType::{Int, Str, Time};

const ID_CALL: EventKey = key("id", Str, "The call id.");
const ID_CONF: EventKey = key("id", Str, "The conference id.");
const SUBACCOUNT: EventKey = key(
    "subaccount_id",
    Str,
    "The sub-account of the resource; absent for the primary account.",
);
const USER_DATA: EventKey = key(
    "user_data",
    Str,
    "The `user_data` given when it was created.",
);
const MEMBER_USER_DATA: EventKey = key(
    "user_data",
    Str,
    "The member call's `user_data` (absent for invited members).",
);
const BEGIN: EventKey = key("begin_time", Time, "When it began.");
const END: EventKey = key("end_time", Time, "When it ended.");
const ERROR: EventKey = key("error", Str, "What failed; absent on success.");
const QUEUE_KEYS: [EventKey; 9] = [
    key(
        "agent_name",
        Str,
        "The chosen agent (absent before one was chosen).",
    ),
    key("agent_extension_id", Str, "The chosen agent's extension."),
    SUBACCOUNT,
    key("id", Str, "The queue task id."),
    USER_DATA,
    kind(
        Str,
        "Sent as `type`: how the caller was queued (`ivr`, `call_agent`, `fwd_agent`, `xfer_agent`, `invite_agent`).",
    ),
    key("origin_call_id", Str, "The queued call."),
    key("condition_id", Str, "The queue condition that routed it."),
    key("agent_call_id", Str, "The call to the agent."),
];
const QUEUE_FAIL_KEYS: [EventKey; 10] = [
    QUEUE_KEYS[0],
    QUEUE_KEYS[1],
    key(
        "cause",
        Str,
        "`timeout`, `error`, `hangup` (the caller left) or `call_fail`.",
    ),
    QUEUE_KEYS[2],
    QUEUE_KEYS[3],
    QUEUE_KEYS[4],
    QUEUE_KEYS[5],
    QUEUE_KEYS[6],
    QUEUE_KEYS[7],
    QUEUE_KEYS[8],
];
const CONF_SPAN: [EventKey; 5] = [END, BEGIN, SUBACCOUNT, ID_CONF, USER_DATA];

/// Every event the platform sends or documents, in the order of the docs.
pub static EVENTS: &[EventDecl] = &[
    EventDecl {
        name: "duo_callback.end",
        family: "simple_call",
        rust_type: Some("DuoCallbackEnd"),
        doc: "A voice callback ended.",
        keys: &[
            ID_CALL,
            key("subaccount_id", Str, "The sub-account that placed the call, if any."),
            key("begin_time", Time, "When dialling party 1 started."),
            key("answer_time1", Time, "When party 1 answered."),
            key("answer_time2", Time, "When party 2 answered, which is when the two were connected."),
            key("end_time", Time, "When the conversation ended (only sent when the parties were connected)."),
            key("hangup_by", Int, "Who hung up: 0 the platform, 1 party 1, 2 party 2."),
            docs_key("duration", Int, "Conversation seconds, as the docs show it (the real server does not send it)."),
            docs_key("reason", Str, "Failure reason (documented, never sent in practice)."),
            key("error", Str, "`connect timeout`, `connect error`, or `????` when the platform failed to start the call."),
            key("user_data", Str, "The `user_data` given when the call was placed."),
            docs_key("record_file", Str, "Recording file name (documented, never sent in practice)."),
        ],
    },
    EventDecl {
        name: "notify_call.end",
        family: "simple_call",
        rust_type: Some("NotifyCallEnd"),
        doc: "A voice notification ended (the normal end of a verification call arrives under this name too).",
        keys: &NOTIFY_KEYS,
    },
    EventDecl {
        name: "verify_call.end",
        family: "simple_call",
        rust_type: Some("NotifyCallEnd"),
        doc: "A verification call ended (in practice only when it failed to start).",
        keys: &NOTIFY_KEYS,
    },
    EventDecl {
        name: "ivr.call_end",
        family: "ivr",
        rust_type: Some("IvrCallEnd"),
        doc: "An IVR call ended.",
        keys: &[
            key("answer_time", Time, "When it was answered (absent if never)."),
            END,
            BEGIN,
            key("cause", Str, "The engine's cause."),
            SUBACCOUNT,
            ID_CALL,
            USER_DATA,
            key("end_by", Str, "Who ended it, as the engine says."),
            docs_key("reason", Str, "Documented, never sent."),
            docs_key("error", Str, "Documented, never sent."),
        ],
    },
    EventDecl {
        name: "ivr.play_end",
        family: "ivr",
        rust_type: Some("IvrPlayEnd"),
        doc: "A `<play>` or `<playlist>` action finished (at once, with `error` `play error`, for a file not audited).",
        keys: &[
            END,
            BEGIN,
            SUBACCOUNT,
            ID_CALL,
            ERROR,
            EventKey {
                fallback: Some("keys"),
                ..key("key", Str, "The key that stopped it (`key`; the docs call it `keys`).")
            },
        ],
    },
    EventDecl {
        name: "ivr.record_end",
        family: "ivr",
        rust_type: Some("IvrRecordEnd"),
        doc: "A `<record>` action finished (the next request's `record_id` names the recording).",
        keys: &[
            END,
            BEGIN,
            SUBACCOUNT,
            ID_CALL,
            ERROR,
            key("key", Str, "The key that stopped it."),
            docs_key("record_files", Str, "The recording, as the docs show it (never sent: the next request carries `record_id`)."),
        ],
    },
    EventDecl {
        name: "ivr.get_end",
        family: "ivr",
        rust_type: Some("IvrGetEnd"),
        doc: "A `<get>` action finished.",
        keys: &[
            key("keys", Str, "The keys pressed, without the finish key."),
            END,
            BEGIN,
            SUBACCOUNT,
            ID_CALL,
            ERROR,
            docs_key("key", Str, "The finish key, as the docs show it (never sent)."),
        ],
    },
    EventDecl {
        name: "ivr.put_end",
        family: "ivr",
        rust_type: Some("IvrPutEnd"),
        doc: "A `<send_dtmf>` action finished.",
        keys: &[END, BEGIN, SUBACCOUNT, ID_CALL, ERROR],
    },
    EventDecl {
        name: "ivr.dial_end",
        family: "ivr",
        rust_type: Some("IvrDialEnd"),
        doc: "The dialling of an `ivr_call` ended (no `error` when it was answered).",
        keys: &[END, BEGIN, SUBACCOUNT, ID_CALL, USER_DATA, ERROR],
    },
    EventDecl {
        name: "ivr.connect_begin",
        family: "ivr",
        rust_type: Some("IvrConnectBegin"),
        doc: "A `<dial>` connected the caller (no times).",
        keys: &[SUBACCOUNT, ID_CALL, docs_key("error", Str, "Documented, never sent.")],
    },
    EventDecl {
        name: "ivr.connect_end",
        family: "ivr",
        rust_type: Some("IvrConnectEnd"),
        doc: "A `<dial>` connection ended, or the dial failed (`error`: the engine's text, or `dial error`); one `<dial>` may send it twice.",
        keys: &[END, BEGIN, SUBACCOUNT, ID_CALL, ERROR],
    },
    EventDecl {
        name: "ivr.format_error",
        family: "ivr",
        rust_type: Some("IvrFormatError"),
        doc: "The application's IVR reply could not be read (undocumented).",
        keys: &[SUBACCOUNT, ID_CALL, USER_DATA],
    },
    EventDecl {
        name: "conf.create.succ",
        family: "conference",
        rust_type: Some("ConfCreateSucc"),
        doc: "A conference is ready.",
        keys: &[BEGIN, SUBACCOUNT, ID_CONF, USER_DATA],
    },
    EventDecl {
        name: "conf.end",
        family: "conference",
        rust_type: Some("ConfEnd"),
        doc: "A conference ended (with `error` when it could not be created).",
        keys: &[END, BEGIN, SUBACCOUNT, ID_CONF, USER_DATA, ERROR],
    },
    EventDecl {
        name: "conf.joined",
        family: "conference",
        rust_type: Some("ConfJoined"),
        doc: "A call joined a conference.",
        keys: &[
            SUBACCOUNT,
            ID_CONF,
            MEMBER_USER_DATA,
            key("join_time", Time, "When it joined."),
            key("call_id", Str, "The member call."),
        ],
    },
    EventDecl {
        name: "conf.join.fail",
        family: "conference",
        rust_type: Some("ConfJoinFail"),
        doc: "A call could not join a conference.",
        keys: &[
            SUBACCOUNT,
            ID_CONF,
            key("time", Time, "When it failed."),
            MEMBER_USER_DATA,
            key("call_id", Str, "The member call."),
        ],
    },
    EventDecl {
        name: "conf.quit",
        family: "conference",
        rust_type: Some("ConfQuit"),
        doc: "A call left a conference.",
        keys: &[
            SUBACCOUNT,
            ID_CONF,
            MEMBER_USER_DATA,
            key("quit_time", Time, "When it left."),
            key("join_time", Time, "When it had joined."),
            key("call_id", Str, "The member call."),
        ],
    },
    EventDecl {
        name: "conf.play_end",
        family: "conference",
        rust_type: Some("ConfPlayEnd"),
        doc: "What the conference played finished.",
        keys: &CONF_SPAN,
    },
    EventDecl {
        name: "conf.record_end",
        family: "conference",
        rust_type: Some("ConfRecordEnd"),
        doc: "The conference recording finished.",
        keys: &CONF_SPAN,
    },
    EventDecl {
        name: "callcenter.queue.select",
        family: "callcenter",
        rust_type: Some("CallcenterQueueSelect"),
        doc: "An agent was chosen for a queued call and its extension is being called.",
        keys: &QUEUE_KEYS,
    },
    EventDecl {
        name: "callcenter.queue.success",
        family: "callcenter",
        rust_type: Some("CallcenterQueueSuccess"),
        doc: "The chosen agent answered the queued call.",
        keys: &QUEUE_KEYS,
    },
    EventDecl {
        name: "callcenter.queue.fail",
        family: "callcenter",
        rust_type: Some("CallcenterQueueFail"),
        doc: "A queued call found no agent.",
        keys: &QUEUE_FAIL_KEYS,
    },
    EventDecl {
        name: "callcenter.agent.state_changed",
        family: "callcenter",
        rust_type: Some("CallcenterAgentStateChanged"),
        doc: "The platform changed an agent's state.",
        keys: &[
            key("previous_state", Str, "The state before."),
            key("name", Str, "The agent."),
            key("latest_state", Str, "The state now."),
            SUBACCOUNT,
            USER_DATA,
            key("current_time", Time, "When it changed."),
        ],
    },
    EventDecl {
        name: "callcenter.agent.conversation_changed",
        family: "callcenter",
        rust_type: Some("CallcenterAgentConversationChanged"),
        doc: "An agent entered or left a conversation.",
        keys: &[
            key("conversation_id", Str, "The conversation."),
            key("name", Str, "The agent."),
            key("latest_state", Str, "The agent's state now."),
            SUBACCOUNT,
            USER_DATA,
            kind(Str, "Sent as `type`: `enter` or `exit`."),
            key("current_time", Time, "When it changed."),
        ],
    },
    EventDecl {
        name: "callcenter.conversation.begin",
        family: "callcenter",
        rust_type: Some("CallcenterConversationBegin"),
        doc: "A conversation began (its first member answered).",
        keys: &[
            SUBACCOUNT,
            key("id", Str, "The conversation id."),
            USER_DATA,
            kind(Str, "Sent as `type`: `queue`, `call_out` or `call_agent`."),
            key("queue_id", Str, "The queue task, when it came from a queue."),
            key("agent_call_id", Str, "The agent's call."),
        ],
    },
    EventDecl {
        name: "callcenter.conversation.end",
        family: "callcenter",
        rust_type: Some("CallcenterConversationEnd"),
        doc: "A conversation ended.",
        keys: &[
            END,
            BEGIN,
            SUBACCOUNT,
            key("id", Str, "The conversation id."),
            USER_DATA,
            kind(Str, "Sent as `type`: `queue`, `call_out` or `call_agent`."),
        ],
    },
    EventDecl {
        name: "callcenter.conversation.parts_changed",
        family: "callcenter",
        rust_type: Some("CallcenterConversationPartsChanged"),
        doc: "A member joined a conversation.",
        keys: &[SUBACCOUNT, key("id", Str, "The conversation id."), USER_DATA],
    },
    EventDecl {
        name: "recording.url_generate",
        family: "recording",
        rust_type: Some("RecordingUrlGenerate"),
        doc: "The download URL asked for with `recording_url_gen` is ready.",
        keys: &[
            SUBACCOUNT,
            key("id", Str, "The recording id."),
            key("url", Str, "Where to download it."),
        ],
    },
    EventDecl {
        name: "msg.sending_complete",
        family: "messaging",
        rust_type: Some("MsgSendingComplete"),
        doc: "An SMS or USSD send (or mass task) finished.",
        keys: &[
            key("failMobiles", Str, "The numbers it failed for, `,`-separated; absent when none failed."),
            key("msgKey", Str, "The `msgKey` the send answered (the docs write `msg_key`)."),
            key(
                "state",
                Int,
                "The request's state: 1 success (some number got it), -1 failure; a mass task's can read 0 (waiting), the event being sent before the state is saved (the docs: 0 success, 1 failure).",
            ),
            kind(Int, "Sent as `type`: 0 a single send, 1 a mass task."),
        ],
    },
    EventDecl {
        name: "msg.template_complete",
        family: "messaging",
        rust_type: Some("MsgTemplateComplete"),
        doc: "A template's audit finished.",
        keys: &[
            key("reason", Str, "Why it was rejected (as the operator wrote it); absent when none was given."),
            key("checkTime", Str, "When it was audited: `yyyy-MM-dd HH:mm:ss` in UTC+8."),
            key("tempId", Str, "The template id (the docs write `temp_id`)."),
            key("status", Int, "1 approved, -1 rejected."),
        ],
    },
];

const NOTIFY_KEYS: [EventKey; 11] = [
    ID_CALL,
    key(
        "subaccount_id",
        Str,
        "The sub-account that placed the call, if any.",
    ),
    key("begin_time", Time, "When dialling started."),
    key("answer_time", Time, "When the call was answered."),
    EventKey {
        fallback: Some("end_tinme"),
        ..key(
            "end_time",
            Time,
            "When it ended (`end_time`, or the docs' spelling `end_tinme`).",
        )
    },
    docs_key(
        "duration",
        Int,
        "Call seconds, as the docs show it (the real server does not send it).",
    ),
    key(
        "hangup_by",
        Str,
        "As sent: `usr`/`sys` from the server for a verification call, `0`/`1` in the docs.",
    ),
    key(
        "dropped_by",
        Str,
        "As sent by the server for a notification: `usr` or `sys`.",
    ),
    docs_key(
        "reason",
        Str,
        "Failure reason (documented, never sent in practice).",
    ),
    key(
        "error",
        Str,
        "`ring timeout`, `dial failed`, `dial error`, `play error`, or `????`.",
    ),
    key(
        "user_data",
        Str,
        "The `user_data` given when the call was placed.",
    ),
];

/// The declaration of the event called `name`.
pub fn event(name: &str) -> Option<&'static EventDecl> {
    EVENTS.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_event_is_declared_once() {
        for name in crate::events::DOCUMENTED_EVENTS {
            assert_eq!(
                EVENTS.iter().filter(|e| e.name == name).count(),
                1,
                "{name}"
            );
        }
        assert_eq!(EVENTS.len(), crate::events::DOCUMENTED_EVENTS.len() + 1);
        for e in EVENTS {
            let mut keys: Vec<_> = e.keys.iter().map(|k| k.name).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), e.keys.len(), "{}", e.name);
        }
    }
}
