//! Every element of the platform's IVR documents, declared once, from the server's schema
//! (`ivraction.xsd`) and the handlers that read each element (`spec/platform-notes-2.md`
//! §2.4-§2.7), and the two requests the platform sends to an IVR application.

use super::decl::*;

/// The largest value of the schema's `xs:int`.
const INT_MAX: i64 = i32::MAX as i64;

const fn attr(name: &'static str, ty: ValueType, doc: &'static str) -> Attr {
    Attr {
        name,
        ty,
        required: false,
        default: None,
        why: None,
        doc,
    }
}

const fn int(min: i64, max: i64) -> ValueType {
    ValueType::Int { min, max }
}

const POSITIVE: ValueType = int(1, INT_MAX);
const REPEAT: ValueType = int(1, 10);

const fn child(name: &'static str, min: usize, max: usize) -> Child {
    Child {
        name,
        min,
        max,
        keeps: None,
        implicit: false,
        why: None,
    }
}

/// A child whose attributes the platform ignores in this place.
const fn bare(name: &'static str, min: usize, max: usize) -> Child {
    Child {
        keeps: Some(&[]),
        ..child(name, min, max)
    }
}

const FINISH_KEYS: Attr = attr(
    "finish_keys",
    ValueType::Keys,
    "Keys that stop the playback when the caller presses one.",
);
const PLAY_REPEAT: Attr = attr("repeat", REPEAT, "How many times to play it, 1 to 10.");
const VOICE: ValueType = ValueType::File;

pub(crate) const PLAY: Element = Element {
    name: "play",
    action: true,
    content: Some(Content {
        name: "file",
        ty: VOICE,
        doc: "The voice file: the name of a file uploaded and audited in the console, ending in `.wav`.",
    }),
    attrs: &[FINISH_KEYS, PLAY_REPEAT],
    children: Children::None,
    ending: Some(Ending {
        event: Some("ivr.play_end"),
        results: &["error"],
    }),
    doc: "Plays a voice file (an unaudited file ends the action at once with `error` `play error`).",
};

pub(crate) const PLAYLIST: Element = Element {
    name: "playlist",
    action: true,
    content: None,
    attrs: &[FINISH_KEYS, PLAY_REPEAT],
    children: Children::Each(&[bare("play", 1, 10)]),
    ending: Some(Ending {
        event: Some("ivr.play_end"),
        results: &["error"],
    }),
    doc: "Plays 1 to 10 voice files one after the other (the files' own attributes are ignored).",
};

pub(crate) const RECORD: Element = Element {
    name: "record",
    action: true,
    content: None,
    attrs: &[
        attr(
            "max_duration",
            POSITIVE,
            "The longest recording, in seconds.",
        ),
        attr("beeping", ValueType::Bool, "Play a beep before recording."),
        attr(
            "finish_keys",
            ValueType::Keys,
            "Keys that stop the recording.",
        ),
    ],
    children: Children::None,
    ending: Some(Ending {
        event: Some("ivr.record_end"),
        results: &["record_id", "error"],
    }),
    doc: "Records the caller; the next request carries the recording's `record_id`.",
};

pub(crate) const SEND_DTMF: Element = Element {
    name: "send_dtmf",
    action: true,
    content: Some(Content {
        name: "keys",
        ty: ValueType::Keys,
        doc: "The keys to send: one or more of 0-9 * # A B C D.",
    }),
    attrs: &[],
    children: Children::None,
    ending: Some(Ending {
        event: Some("ivr.put_end"),
        results: &["error"],
    }),
    doc: "Sends telephone keys (DTMF) on the call (the docs also call it put).",
};

pub(crate) const GET: Element = Element {
    name: "get",
    action: true,
    content: None,
    attrs: &[
        Attr {
            default: Some("0123456789*#ABCD (the engine's)"),
            ..attr("valid_keys", ValueType::Keys, "The keys accepted.")
        },
        Attr {
            default: Some("11 (the engine's)"),
            ..attr("max_keys", POSITIVE, "The most keys collected.")
        },
        Attr {
            default: Some("# (the engine's)"),
            ..attr(
                "finish_keys",
                ValueType::Keys,
                "Keys that end the input (not included in `keys`).",
            )
        },
        Attr {
            default: Some("45 (the engine's)"),
            ..attr(
                "first_key_timeout",
                POSITIVE,
                "Seconds to wait for the first key.",
            )
        },
        Attr {
            default: Some("30 (the engine's)"),
            ..attr(
                "continues_keys_timeout",
                POSITIVE,
                "Seconds to wait for each following key (the platform's spelling).",
            )
        },
        attr(
            "play_repeat",
            REPEAT,
            "How many times to play the prompt while waiting, 1 to 10.",
        ),
        Attr {
            default: Some("true (the engine's)"),
            ..attr(
                "if_break_on_key",
                ValueType::Bool,
                "Stop the prompt when the first key is pressed.",
            )
        },
    ],
    children: Children::OneOf(&[bare("play", 1, 1), bare("playlist", 1, 1)]),
    ending: Some(Ending {
        event: Some("ivr.get_end"),
        results: &["keys", "error"],
    }),
    doc: "Plays a prompt (one <play> or one <playlist>, whose own attributes are ignored) and collects keys; the next request carries them as `keys`.",
};

pub(crate) const HANGUP: Element = Element {
    name: "hangup",
    action: true,
    content: None,
    attrs: &[],
    children: Children::None,
    ending: Some(Ending {
        event: Some("ivr.call_end"),
        results: &[],
    }),
    doc: "Ends the call (rejects an inbound call not yet answered); no next request follows.",
};

pub(crate) const PAUSE: Element = Element {
    name: "pause",
    action: true,
    content: None,
    attrs: &[Attr {
        required: true,
        why: Some("the schema wants at least 1, and the platform counts it in milliseconds in a 32-bit integer, which overflows past 2147483 seconds"),
        ..attr("duration", int(1, 2_147_483), "Seconds to wait.")
    }],
    children: Children::None,
    ending: Some(Ending {
        event: None,
        results: &[],
    }),
    doc: "Waits, then requests <next> (no event).",
};

pub(crate) const DIAL: Element = Element {
    name: "dial",
    action: true,
    content: None,
    attrs: &[
        Attr {
            default: Some("a number the platform picks"),
            ..attr(
                "from",
                ValueType::Text {
                    min: 1,
                    max: usize::MAX,
                },
                "The number shown to the callee: one of the numbers rented on the platform.",
            )
        },
        Attr {
            default: Some("21600 (the platform's)"),
            ..attr(
                "max_call_duration",
                POSITIVE,
                "The longest the dialled call may last, in seconds.",
            )
        },
        Attr {
            default: Some("the engine's"),
            ..attr(
                "max_dial_duration",
                POSITIVE,
                "The longest the callee may ring, in seconds.",
            )
        },
        attr(
            "dial_voice_stop_cond",
            int(0, 1),
            "When the ring tone <play> stops: 0 when the callee rings, 1 when it answers or the dial ends.",
        ),
    ],
    children: Children::Each(&[
        Child {
            why: Some("the platform dials only the first <number>"),
            ..child("number", 1, 1)
        },
        Child {
            why: Some("the platform plays only the first <play>"),
            ..bare("play", 0, 1)
        },
        Child {
            implicit: true,
            ..child("connect", 0, 1)
        },
    ]),
    ending: Some(Ending {
        event: Some("ivr.connect_end"),
        results: &["error"],
    }),
    doc: "Calls a number and connects the caller to it (`ivr.connect_begin`, then `ivr.connect_end`); a <play> inside is the ring tone the caller hears meanwhile.",
};

pub(crate) const NUMBER: Element = Element {
    name: "number",
    action: false,
    content: Some(Content {
        name: "number",
        ty: ValueType::Text { min: 1, max: 128 },
        doc: "The number to call.",
    }),
    attrs: &[],
    children: Children::None,
    ending: None,
    doc: "The number a <dial> calls.",
};

pub(crate) const CONNECT: Element = Element {
    name: "connect",
    action: false,
    content: None,
    attrs: &[
        Attr {
            default: Some("21600 (the platform's)"),
            ..attr(
                "max_duration",
                POSITIVE,
                "The longest the two may talk, in seconds.",
            )
        },
        Attr {
            default: Some("1 (the platform's)"),
            ..attr(
                "mode",
                int(1, 3),
                "Who hears whom: 1 both, 2 only the callee hears the caller, 3 only the caller hears the callee.",
            )
        },
        attr("recording", ValueType::Bool, "Record the conversation."),
        attr(
            "volume1",
            POSITIVE,
            "The volume of the first party once connected.",
        ),
        attr(
            "volume2",
            POSITIVE,
            "The volume of the second party once connected.",
        ),
        attr(
            "play_time",
            POSITIVE,
            "When to play the <play> inside (a time point, as the engine reads it).",
        ),
    ],
    children: Children::Each(&[Child {
        keeps: Some(&["repeat"]),
        ..child("play", 0, 1)
    }]),
    ending: None,
    doc: "How a <dial> connects the two parties (written empty, with the platform's defaults, when not given).",
};

pub(crate) const ENQUEUE: Element = Element {
    name: "enqueue",
    action: true,
    content: None,
    attrs: &[
        attr(
            "conversation_level",
            POSITIVE,
            "The level of the conversation created (the docs support only 2; unused by the platform).",
        ),
        Attr {
            default: Some("21600 (the platform's)"),
            why: Some("the schema wants at least 1, and the platform caps a conversation at 21600 seconds"),
            ..attr(
                "conversation_timeout",
                int(1, 21600),
                "The longest the conversation may last, in seconds.",
            )
        },
        Attr {
            default: Some("random"),
            why: Some("the platform reads only `lru`, and any other value as random"),
            ..attr(
                "choice",
                ValueType::OneOf {
                    values: &["random", "lru"],
                    prefixes: &[],
                },
                "How an agent is chosen: `random`, or `lru` (the one idle longest).",
            )
        },
        Attr {
            default: Some("idle"),
            why: Some("the platform leaves the agent in this state as written, and only these states can be set"),
            ..attr(
                "reserve_state",
                ValueType::OneOf {
                    values: &["idle", "busy", "away"],
                    prefixes: &["busy/", "away/"],
                },
                "The agent's state once the conversation ends: `idle`, `busy`, `away`, `busy/...` or `away/...`.",
            )
        },
        attr(
            "fail_overflow",
            ValueType::Bool,
            "Docs: treat a failed agent call as an overflow (unused by the platform).",
        ),
        attr("wait_voice", VOICE, "Played to the caller, looped, while queued."),
        attr(
            "ring_mode",
            int(1, 4),
            "What the caller hears while the agent is called (the docs support only 1; unused by the platform).",
        ),
        attr(
            "ring_voice",
            VOICE,
            "Docs: played while the agent is called (unused by the platform).",
        ),
        attr(
            "hold_voice",
            VOICE,
            "Played in the conversation while only one party is left in it.",
        ),
        attr(
            "play_num",
            ValueType::Bool,
            "Announce the agent's work number when the agent answers.",
        ),
        attr(
            "pre_num_voice",
            VOICE,
            "Played before the agent's work number.",
        ),
        attr(
            "post_num_voice",
            VOICE,
            "Played after the agent's work number.",
        ),
        attr(
            "user_data",
            ValueType::Text { min: 1, max: 128 },
            "Replaces the call's `user_data` in the events that follow.",
        ),
    ],
    children: Children::Each(&[child("route", 1, 1)]),
    ending: Some(Ending {
        event: None,
        results: &["error"],
    }),
    doc: "Queues the caller for a call-center agent (`callcenter.*` events); the next request follows when the queue fails (`error`) or the conversation ends.",
};

pub(crate) const ROUTE: Element = Element {
    name: "route",
    action: false,
    content: None,
    attrs: &[],
    children: Children::OneOf(&[child("condition", 1, 1), child("agent", 1, 1)]),
    ending: None,
    doc: "Where an <enqueue> looks for an agent: one <condition> or one <agent>.",
};

pub(crate) const CONDITION: Element = Element {
    name: "condition",
    action: false,
    content: None,
    attrs: &[Attr {
        required: true,
        why: Some("the schema wants 32 characters, and the queue fails without it"),
        ..attr(
            "id",
            ValueType::Text { min: 32, max: 32 },
            "The queue condition's id (32 characters), from `condition_create`.",
        )
    }],
    children: Children::None,
    ending: None,
    doc: "Routes to the agents a queue condition selects.",
};

pub(crate) const AGENT: Element = Element {
    name: "agent",
    action: false,
    content: None,
    attrs: &[
        Attr {
            required: true,
            ..attr(
                "name",
                ValueType::Text { min: 1, max: 128 },
                "The agent's name.",
            )
        },
        Attr {
            default: Some("0"),
            ..attr("priority", int(0, INT_MAX), "The task's priority.")
        },
        attr(
            "queue_timeout",
            POSITIVE,
            "Seconds to wait for the agent to be free.",
        ),
        Attr {
            default: Some("50 (the docs')"),
            ..attr(
                "fetch_timeout",
                POSITIVE,
                "Seconds the agent's extension may ring.",
            )
        },
    ],
    children: Children::None,
    ending: None,
    doc: "Routes to one agent, by name.",
};

pub(crate) const NEXT: Element = Element {
    name: "next",
    action: false,
    content: Some(Content {
        name: "url",
        ty: ValueType::Url,
        doc: "The URL the platform requests (GET) once the action completes.",
    }),
    attrs: &[],
    children: Children::None,
    ending: None,
    doc: "Where the platform asks for the next document once the action completes; without it the platform hangs up then.",
};

/// Every element of the platform's IVR documents (the root `<response>` aside): the nine
/// actions first, then the elements found inside them and `<next>`.
pub static ELEMENTS: &[Element] = &[
    PLAY, PLAYLIST, RECORD, SEND_DTMF, GET, HANGUP, PAUSE, DIAL, ENQUEUE, NUMBER, CONNECT, ROUTE,
    CONDITION, AGENT, NEXT,
];

/// The `ivr_start` request: a JSON body POSTed to the application's URL when an IVR call starts.
pub static IVR_START: IvrRequest = IvrRequest {
    name: "ivr_start",
    method: "POST",
    keys: &[
        RequestKey {
            wire: "call_id",
            name: "call_id",
            doc: "The call's id.",
        },
        RequestKey {
            wire: "type",
            name: "kind",
            doc: "`ivr_call` (the platform called out, `ivr_call`) or `ivr_incoming` (someone called in; not yet answered).",
        },
        RequestKey {
            wire: "from",
            name: "from",
            doc: "The customer's number: the called party of `ivr_call`, the caller of an inbound call.",
        },
        RequestKey {
            wire: "subaccount_id",
            name: "subaccount_id",
            doc: "The sub-account of the call; absent for the primary account.",
        },
        RequestKey {
            wire: "user_data",
            name: "user_data",
            doc: "The `user_data` given to `ivr_call` (absent for inbound calls).",
        },
    ],
    doc: "An IVR call starts: answer with the first document.",
};

/// The request to a `<next>` URL: a GET whose query carries the results of the action that ran.
pub static IVR_NEXT: IvrRequest = IvrRequest {
    name: "ivr_next",
    method: "GET",
    keys: &[
        RequestKey {
            wire: "call_id",
            name: "call_id",
            doc: "The call's id.",
        },
        RequestKey {
            wire: "type",
            name: "action",
            doc: "The action that ran: `play`, `playlist`, `get`, `record`, `send_dtmf`, `pause`, `dial` or `enqueue`.",
        },
        RequestKey {
            wire: "keys",
            name: "keys",
            doc: "After <get>: the keys pressed (without the finish key).",
        },
        RequestKey {
            wire: "record_id",
            name: "record_id",
            doc: "After <record>: the recording's id (for `recording_url_gen`).",
        },
        RequestKey {
            wire: "error",
            name: "error",
            doc: "What failed; absent when the action succeeded (`dial error`, `timeout`, ...).",
        },
    ],
    doc: "An action completed: answer with the next document.",
};
