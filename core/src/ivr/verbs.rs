//! The typed builders of the elements: each is a [`Node`] of its declaration, and each setter
//! sets the attribute of the same name. Nothing is checked here: every rule is checked, in one
//! place, when the document is validated or written.

use super::node::Node;
use super::table::{AGENT, CONDITION, CONNECT, DIAL, ENQUEUE, GET, NUMBER, PLAY, PLAYLIST};
use super::table::{PAUSE, RECORD, ROUTE, SEND_DTMF};
use serde_json::Value;

macro_rules! typed {
    ($(#[$doc:meta])* $ty:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $ty(Node);

        impl From<$ty> for Node {
            fn from(value: $ty) -> Node {
                value.0
            }
        }

        impl $ty {
            /// The element, for the generic API.
            pub fn node(&self) -> &Node {
                &self.0
            }

            /// Checks the element and what it holds, as [`Node::validate`] does.
            pub fn validate(&self) -> crate::Result<()> {
                self.0.validate()
            }
        }
    };
}

macro_rules! setters {
    ($ty:ident { $( $(#[$doc:meta])* $name:ident : $kind:ident ),* $(,)? }) => {
        impl $ty {
            $(
                $(#[$doc])*
                pub fn $name(self, value: setters!(@arg $kind)) -> Self {
                    $ty(self.0.put(stringify!($name), setters!(@value $kind, value)))
                }
            )*
        }
    };
    (@arg int) => { i64 };
    (@arg bool) => { bool };
    (@arg text) => { impl Into<String> };
    (@value int, $v:ident) => { Value::from($v) };
    (@value bool, $v:ident) => { Value::from($v) };
    (@value text, $v:ident) => { Value::String($v.into()) };
}

typed!(
    /// `<play>`: plays a voice file.
    ///
    /// ```
    /// use yunhuni::ivr::{Play, Response};
    ///
    /// let xml = Response::new()
    ///     .play(Play::new("welcome.wav").finish_keys("#").repeat(2))
    ///     .next("https://app.example.com/ivr/menu")
    ///     .to_xml()?;
    /// assert!(xml.contains(r##"<play finish_keys="#" repeat="2">welcome.wav</play>"##));
    /// # Ok::<(), yunhuni::Error>(())
    /// ```
    Play
);

impl Play {
    /// Plays `file`: the name of a voice file uploaded and audited in the console, ending in
    /// `.wav`.
    pub fn new(file: impl Into<String>) -> Self {
        Play(Node::of(&PLAY).put_text(file.into()))
    }
}

setters!(Play {
    /// Keys that stop the playback (`0-9 * # A B C D`).
    finish_keys: text,
    /// How many times to play it, 1 to 10.
    repeat: int,
});

impl From<&str> for Play {
    fn from(file: &str) -> Self {
        Play::new(file)
    }
}

impl From<String> for Play {
    fn from(file: String) -> Self {
        Play::new(file)
    }
}

typed!(
    /// `<playlist>`: plays 1 to 10 voice files one after the other.
    Playlist
);

impl Playlist {
    /// An empty list: add files with [`Playlist::play`].
    pub fn new() -> Self {
        Playlist(Node::of(&PLAYLIST))
    }

    /// A list of these files.
    pub fn of<P: Into<Play>>(files: impl IntoIterator<Item = P>) -> Self {
        files.into_iter().fold(Playlist::new(), Playlist::play)
    }

    /// Adds a file (its own attributes are ignored by the platform, so they are refused).
    pub fn play(self, file: impl Into<Play>) -> Self {
        Playlist(self.0.put_child(file.into().0))
    }
}

impl Default for Playlist {
    fn default() -> Self {
        Playlist::new()
    }
}

setters!(Playlist {
    /// Keys that stop the playback.
    finish_keys: text,
    /// How many times to play the list, 1 to 10.
    repeat: int,
});

typed!(
    /// `<record>`: records the caller; the next request carries the recording's `record_id`.
    Record
);

impl Record {
    /// A recording with the engine's defaults.
    pub fn new() -> Self {
        Record(Node::of(&RECORD))
    }
}

impl Default for Record {
    fn default() -> Self {
        Record::new()
    }
}

setters!(Record {
    /// The longest recording, in seconds (at least 1).
    max_duration: int,
    /// Play a beep before recording.
    beeping: bool,
    /// Keys that stop the recording.
    finish_keys: text,
});

typed!(
    /// `<send_dtmf>`: sends telephone keys on the call.
    SendDtmf
);

impl SendDtmf {
    /// Sends `keys` (one or more of `0-9 * # A B C D`).
    pub fn new(keys: impl Into<String>) -> Self {
        SendDtmf(Node::of(&SEND_DTMF).put_text(keys.into()))
    }
}

typed!(
    /// `<get>`: plays a prompt and collects the keys the caller presses; the next request
    /// carries them as `keys`.
    ///
    /// ```
    /// use yunhuni::ivr::{Get, Response};
    ///
    /// let xml = Response::new()
    ///     .get(Get::new().max_keys(1).finish_keys("#").play("menu.wav"))
    ///     .next("https://app.example.com/ivr/menu")
    ///     .to_xml()?;
    /// assert_eq!(
    ///     xml,
    ///     concat!(
    ///         r#"<?xml version="1.0" encoding="UTF-8"?><response>"#,
    ///         r##"<get max_keys="1" finish_keys="#"><play>menu.wav</play></get>"##,
    ///         "<next>https://app.example.com/ivr/menu</next></response>"
    ///     )
    /// );
    /// # Ok::<(), yunhuni::Error>(())
    /// ```
    Get
);

impl Get {
    /// A key input with the engine's defaults; give it a prompt with [`Get::play`] or
    /// [`Get::playlist`].
    pub fn new() -> Self {
        Get(Node::of(&GET))
    }

    /// The prompt: one file (its own attributes are ignored by the platform inside `<get>`).
    pub fn play(self, file: impl Into<Play>) -> Self {
        Get(self.0.put_child(file.into().0))
    }

    /// The prompt: several files (the list's attributes are ignored inside `<get>`).
    pub fn playlist(self, list: Playlist) -> Self {
        Get(self.0.put_child(list.0))
    }
}

impl Default for Get {
    fn default() -> Self {
        Get::new()
    }
}

setters!(Get {
    /// The keys accepted (the engine's default: `0123456789*#ABCD`).
    valid_keys: text,
    /// The most keys collected (at least 1; the engine's default: 11).
    max_keys: int,
    /// Keys that end the input, not included in `keys` (the engine's default: `#`).
    finish_keys: text,
    /// Seconds to wait for the first key (at least 1; the engine's default: 45).
    first_key_timeout: int,
    /// Seconds to wait for each following key (at least 1; the engine's default: 30).
    continues_keys_timeout: int,
    /// How many times to play the prompt while waiting, 1 to 10.
    play_repeat: int,
    /// Stop the prompt at the first key (the engine's default: true).
    if_break_on_key: bool,
});

typed!(
    /// `<pause>`: waits, then requests `<next>`.
    Pause
);

impl Pause {
    /// Waits `seconds` (1 to 2147483).
    pub fn new(seconds: i64) -> Self {
        Pause(Node::of(&PAUSE).put("duration", Value::from(seconds)))
    }
}

typed!(
    /// `<dial>`: calls a number and connects the caller to it. The document always carries a
    /// `<connect>` (empty, with the platform's defaults, unless [`Dial::connect`] sets one).
    ///
    /// ```
    /// use yunhuni::ivr::{Connect, Dial, Response};
    ///
    /// let xml = Response::new()
    ///     .dial(Dial::new("13800000002").max_dial_duration(30).play("ring.wav"))
    ///     .end_call()
    ///     .to_xml()?;
    /// assert!(xml.contains(
    ///     r#"<dial max_dial_duration="30"><number>13800000002</number><play>ring.wav</play><connect/></dial>"#
    /// ));
    /// # Ok::<(), yunhuni::Error>(())
    /// ```
    Dial
);

impl Dial {
    /// Calls `number`.
    pub fn new(number: impl Into<String>) -> Self {
        Dial(Node::of(&DIAL).put_child(Node::of(&NUMBER).put_text(number.into())))
    }

    /// The ring tone the caller hears while the number rings (its own attributes are
    /// ignored); without it, the caller hears the callee's real ring-back.
    pub fn play(self, file: impl Into<Play>) -> Self {
        Dial(self.0.replace_child(file.into().0))
    }

    /// How the two are connected once the callee answers.
    pub fn connect(self, connect: Connect) -> Self {
        Dial(self.0.replace_child(connect.0))
    }
}

setters!(Dial {
    /// The number shown to the callee: one of the numbers rented on the platform (the
    /// platform picks one when it is left out).
    from: text,
    /// The longest the dialled call may last, in seconds (the platform's default: 21600).
    max_call_duration: int,
    /// The longest the callee may ring, in seconds.
    max_dial_duration: int,
    /// When the ring tone stops: 0 when the callee rings, 1 when it answers or the dial ends.
    dial_voice_stop_cond: int,
});

typed!(
    /// `<connect>`: how a [`Dial`] connects the two parties.
    Connect
);

impl Connect {
    /// The platform's defaults.
    pub fn new() -> Self {
        Connect(Node::of(&CONNECT))
    }

    /// A file played at [`Connect::play_time`] (its `repeat` is read; `finish_keys` is not).
    pub fn play(self, file: impl Into<Play>) -> Self {
        Connect(self.0.replace_child(file.into().0))
    }
}

impl Default for Connect {
    fn default() -> Self {
        Connect::new()
    }
}

setters!(Connect {
    /// The longest the two may talk, in seconds (the platform's default: 21600).
    max_duration: int,
    /// Who hears whom: 1 both (the default), 2 only the callee hears the caller, 3 only the
    /// caller hears the callee.
    mode: int,
    /// Record the conversation.
    recording: bool,
    /// The volume of the first party.
    volume1: int,
    /// The volume of the second party.
    volume2: int,
    /// When to play the file of [`Connect::play`].
    play_time: int,
});

typed!(
    /// `<enqueue>`: queues the caller for a call-center agent, found through a queue condition
    /// or by name.
    Enqueue
);

impl Enqueue {
    /// Queues for the agents that the queue condition `id` selects.
    pub fn condition(id: impl Into<String>) -> Self {
        let condition = Node::of(&CONDITION).put("id", Value::from(id.into()));
        Enqueue(Node::of(&ENQUEUE).put_child(Node::of(&ROUTE).put_child(condition)))
    }

    /// Queues for one agent.
    pub fn agent(agent: Agent) -> Self {
        Enqueue(Node::of(&ENQUEUE).put_child(Node::of(&ROUTE).put_child(agent.0)))
    }
}

setters!(Enqueue {
    /// The level of the conversation created (unused by the platform).
    conversation_level: int,
    /// The longest the conversation may last, in seconds (1 to 21600).
    conversation_timeout: int,
    /// How an agent is chosen: `random` (the default) or `lru`.
    choice: text,
    /// The agent's state once the conversation ends: `idle` (the default), `busy`, `away`,
    /// `busy/...` or `away/...`.
    reserve_state: text,
    /// Docs: treat a failed agent call as an overflow (unused by the platform).
    fail_overflow: bool,
    /// Played to the caller, looped, while queued.
    wait_voice: text,
    /// What the caller hears while the agent is called, 1 to 4 (unused by the platform).
    ring_mode: int,
    /// Docs: played while the agent is called (unused by the platform).
    ring_voice: text,
    /// Played in the conversation while only one party is left in it.
    hold_voice: text,
    /// Announce the agent's work number when the agent answers.
    play_num: bool,
    /// Played before the agent's work number.
    pre_num_voice: text,
    /// Played after the agent's work number.
    post_num_voice: text,
    /// Replaces the call's `user_data` in the events that follow (at most 128 characters).
    user_data: text,
});

typed!(
    /// `<agent>`: one agent an [`Enqueue`] asks for, by name.
    Agent
);

impl Agent {
    /// The agent called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Agent(Node::of(&AGENT).put("name", Value::from(name.into())))
    }
}

setters!(Agent {
    /// The task's priority (at least 0; the default 0).
    priority: int,
    /// Seconds to wait for the agent to be free (at least 1).
    queue_timeout: int,
    /// Seconds the agent's extension may ring (at least 1).
    fetch_timeout: int,
});
