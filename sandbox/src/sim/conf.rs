//! Conferences (platform notes 2 §3): the conference and member state machine as the area
//! server keeps it, the engine's timers (start, longest duration, play, record, members'
//! dials and hangups) and the `conf.*` events, byte for byte.
//!
//! A conference is *created* when the API accepts it (operations get `000004` until the
//! engine confirms it), *running* from `conf.create.succ`, *released* on dismiss or at its
//! `max_duration` (`conf.end`). A member is *dialling* (invited), *joined* (`conf.joined`), or
//! gone: it failed (`conf.join.fail`) or quit (`conf.quit`: quit operation, hangup, its own
//! longest duration, the conference's end). Invited calls are hung up when they leave; IVR
//! calls joined with `conf/join` are not (unless the conference was created with
//! `auto_hangup`).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::call::{dial_outcome_for, DialFailure};
use super::engine::{Engine, Wake};
use super::ivr::Recording;
use super::{lock, Job, Shared};
use crate::behavior::Behavior;
use crate::business::BusinessCode;
use crate::events::{self, EventMap};
use crate::inspect::CallState;
use crate::time::floor_to_second;

/// The server's limits (`ConfServiceImpl.java:55-58`).
pub(crate) const MAX_PARTS: i32 = 8;
pub(crate) const MAX_DURATION_S: i32 = 21_600;
/// The ring timeout of the engine when `max_dial_duration` is not set.
const ENGINE_DEFAULT_MAX_DIAL_MS: i64 = 50_000;
/// Simulated milliseconds of play per file.
const PLAY_FILE_MS: i64 = 2000;
/// Conferences kept after release (for `030100` on late operations and for inspection).
const CONF_HISTORY: usize = 10_000;
/// Recordings kept.
const RECORDING_HISTORY: usize = 10_000;
/// Bytes per second of a recording (8 kHz, 16-bit mono).
const RECORDING_BYTES_PER_S: i64 = 16_000;
/// Most seconds of audio in the WAV file the sandbox serves for a recording.
pub(crate) const WAV_MAX_SECONDS: i64 = 600;

/// Wire orders (HashMap iteration order of the keys, platform notes 2 §3 and §8).
const CREATE_SUCC_ORDER: &[&str] = &[
    "begin_time",
    "action",
    "subaccount_id",
    "id",
    "user_data",
    "event",
];
const END_ORDER: &[&str] = &[
    "end_time",
    "begin_time",
    "action",
    "subaccount_id",
    "id",
    "user_data",
    "event",
];
const JOINED_ORDER: &[&str] = &[
    "action",
    "subaccount_id",
    "id",
    "user_data",
    "event",
    "join_time",
    "call_id",
];
const JOIN_FAIL_ORDER: &[&str] = &[
    "action",
    "subaccount_id",
    "id",
    "time",
    "user_data",
    "event",
    "call_id",
];
const QUIT_ORDER: &[&str] = &[
    "action",
    "subaccount_id",
    "id",
    "user_data",
    "event",
    "quit_time",
    "join_time",
    "call_id",
];
/// `recording.url_generate` (platform notes 2 §7).
pub(crate) const URL_GENERATE_ORDER: &[&str] = &["action", "subaccount_id", "id", "event", "url"];

fn order_of(event: &str) -> &'static [&'static str] {
    match event {
        "conf.create.succ" => CREATE_SUCC_ORDER,
        "conf.joined" => JOINED_ORDER,
        "conf.join.fail" => JOIN_FAIL_ORDER,
        "conf.quit" => QUIT_ORDER,
        "recording.url_generate" => URL_GENERATE_ORDER,
        // conf.end, conf.play_end and conf.record_end share their keys.
        _ => END_ORDER,
    }
}

/// The state of a conference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConfState {
    /// Accepted; the engine has not confirmed it yet (operations get `000004`).
    Created,
    /// Confirmed (`conf.create.succ` sent).
    Running,
    /// Dismissed or over (`conf.end` sent).
    Released,
}

impl ConfState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ConfState::Created => "created",
            ConfState::Running => "running",
            ConfState::Released => "released",
        }
    }
}

/// How a member came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemberKind {
    /// Dialled by `conf/invite_call`: hung up when it leaves.
    Invited,
    /// An IVR call brought in by `conf/join`: not hung up when it leaves.
    Joined,
}

/// The state of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemberState {
    Dialing,
    Joined,
}

/// A conference accepted by the API.
#[derive(Debug, Clone)]
pub(crate) struct NewConf {
    pub(crate) app_id: String,
    pub(crate) subaccount_id: Option<String>,
    pub(crate) callback_url: Option<String>,
    pub(crate) user_data: Option<String>,
    pub(crate) max_duration_s: i32,
    pub(crate) max_parts: i32,
    pub(crate) recording: bool,
    pub(crate) auto_hangup: bool,
    pub(crate) bgm_file: Option<String>,
}

/// An invitation accepted by the API.
#[derive(Debug, Clone)]
pub(crate) struct NewInvite {
    pub(crate) to: String,
    pub(crate) max_duration_s: i32,
    pub(crate) max_dial_s: Option<i32>,
    pub(crate) play_file: Option<String>,
    pub(crate) voice_mode: Option<i32>,
}

/// What the conference checks of every operation answer (in the server's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConfCheck {
    /// Unknown, released, of another app or another sub-account: `030100`.
    NotExists,
    /// Not yet confirmed by the engine: `000004`.
    Unconfirmed,
}

impl From<ConfCheck> for BusinessCode {
    fn from(c: ConfCheck) -> Self {
        match c {
            ConfCheck::NotExists => BusinessCode::CONF_NOT_EXISTS,
            ConfCheck::Unconfirmed => BusinessCode::SYSTEM_BUSY,
        }
    }
}

/// A scheduled state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::sim) enum Step {
    /// The engine confirms the conference: `conf.create.succ`.
    Started,
    /// The conference reaches its `max_duration`.
    MaxDuration,
    /// The play numbered so ends.
    PlayDone(u64),
    /// The recording numbered so reaches its longest duration.
    RecordDone(u64),
    /// An invited member answers.
    MemberAnswered,
    /// An invited member's dial fails.
    MemberFailed(DialFailure),
    /// A joined member hangs up.
    MemberHangup,
    /// A member reaches its `max_duration`.
    MemberMaxDuration,
    /// The member's call was released elsewhere (an IVR call that ended).
    MemberCallReleased,
    /// A recording's upload is done: `recording.url_generate`.
    Uploaded,
}

/// An upload of a recording to the file store, asked for by `recording/url/gen`.
#[derive(Debug)]
struct Upload {
    done: bool,
    subaccount_id: Option<String>,
    callback_url: Option<String>,
    url: String,
}

/// How long the upload takes: the platform checks it every 3 minutes, the first check finds
/// it done here.
const UPLOAD_CHECK_MS: i64 = 180_000;

#[derive(Debug)]
struct Recorder {
    seq: u64,
    id: String,
    begin: i64,
}

#[derive(Debug)]
struct Conf {
    id: Arc<str>,
    app_id: String,
    subaccount_id: Option<String>,
    callback_url: Option<String>,
    user_data: Option<String>,
    max_duration_s: i32,
    max_parts: i32,
    recording: bool,
    auto_hangup: bool,
    bgm_file: Option<String>,
    state: ConfState,
    created: i64,
    begin: Option<i64>,
    end: Option<i64>,
    /// Joined members, in joining order.
    parts: Vec<Arc<str>>,
    /// Members being dialled.
    dialing: Vec<Arc<str>>,
    /// The running play: its number and start.
    play: Option<(u64, i64)>,
    record: Option<Recorder>,
    seq: u64,
    /// Every event queued, in order: name and body.
    events: Vec<(&'static str, Arc<[u8]>)>,
}

#[derive(Debug)]
struct Member {
    conf_id: Arc<str>,
    kind: MemberKind,
    state: MemberState,
    app_id: String,
    subaccount_id: Option<String>,
    callback_url: Option<String>,
    user_data: Option<String>,
    behavior: Behavior,
    generation: u64,
    join: Option<i64>,
    max_duration_ms: i64,
    play_file: Option<String>,
    voice_mode: i32,
}

/// A read-only view of a conference, for inspection and the API's checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfInfo {
    /// The conference id.
    pub id: String,
    /// `created`, `running` or `released`.
    pub state: &'static str,
    /// The ids of the joined members, in joining order.
    pub members: Vec<String>,
    /// The ids of the members being dialled.
    pub dialing: Vec<String>,
    /// The voice mode of each joined member, in the order of `members`.
    pub voice_modes: Vec<i32>,
    /// Whether a play is running.
    pub playing: bool,
    /// Whether a recording is running.
    pub recording: bool,
    /// The stored `max_parts` (8 when absent or above 8).
    pub max_parts: i32,
    /// Whether recording starts when the first member joins.
    pub auto_record: bool,
    /// Whether members are hung up when the conference ends.
    pub auto_hangup: bool,
    /// The background file.
    pub bgm_file: Option<String>,
    /// The events queued for this conference, in order: event name and body.
    pub events: Vec<(String, Vec<u8>)>,
}

/// Every conference and member kept, and the conference recordings.
pub(in crate::sim) struct Confs {
    map: HashMap<Arc<str>, Conf>,
    members: HashMap<Arc<str>, Member>,
    released: VecDeque<Arc<str>>,
    recordings: VecDeque<Recording>,
    /// Recordings whose upload was asked for by `recording/url/gen`.
    uploads: HashMap<Arc<str>, Upload>,
    /// Events queued, delivered (HTTP 200) and given up on, for the load benchmark.
    pub(in crate::sim) queued: u64,
    pub(in crate::sim) delivered: u64,
    pub(in crate::sim) failed: u64,
}

impl Confs {
    pub(in crate::sim) fn new() -> Self {
        Confs {
            map: HashMap::new(),
            members: HashMap::new(),
            released: VecDeque::new(),
            recordings: VecDeque::new(),
            uploads: HashMap::new(),
            queued: 0,
            delivered: 0,
            failed: 0,
        }
    }

    pub(in crate::sim) fn settle(&mut self, delivered: bool) {
        if delivered {
            self.delivered += 1;
        } else {
            self.failed += 1;
        }
    }

    pub(in crate::sim) fn recordings(&self) -> impl Iterator<Item = &Recording> {
        self.recordings.iter()
    }

    fn evict(&mut self) {
        while self.released.len() > CONF_HISTORY {
            if let Some(id) = self.released.pop_front() {
                self.map.remove(&id);
            }
        }
    }

    fn info(&self, conf: &Conf) -> ConfInfo {
        ConfInfo {
            id: conf.id.to_string(),
            state: conf.state.as_str(),
            members: conf.parts.iter().map(|m| m.to_string()).collect(),
            dialing: conf.dialing.iter().map(|m| m.to_string()).collect(),
            voice_modes: conf
                .parts
                .iter()
                .map(|m| self.members.get(m).map_or(1, |m| m.voice_mode))
                .collect(),
            playing: conf.play.is_some(),
            recording: conf.record.is_some(),
            max_parts: conf.max_parts,
            auto_record: conf.recording,
            auto_hangup: conf.auto_hangup,
            bgm_file: conf.bgm_file.clone(),
            events: conf
                .events
                .iter()
                .map(|(n, b)| ((*n).to_owned(), b.to_vec()))
                .collect(),
        }
    }
}

/// Who asks: the app and sub-account of the request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Asker<'a> {
    pub(crate) app_id: &'a str,
    pub(crate) subaccount_id: Option<&'a str>,
}

fn ms_of(secs: i32) -> i64 {
    i64::from(secs) * 1000
}

impl Shared {
    fn queue_conf_event(
        &self,
        conf: &mut Conf,
        url: Option<&str>,
        name: &'static str,
        m: &EventMap,
    ) {
        let utf8 = self.settings.utf8_webhooks;
        let body: Arc<[u8]> = events::encode_body(&m.render(order_of(name)), utf8).into();
        conf.events.push((name, Arc::clone(&body)));
        let Some(url) = url.filter(|u| !crate::lenient::is_blank(u)) else {
            return;
        };
        lock(&self.outbox).push_back(
            Job {
                call_id: Arc::clone(&conf.id),
                event: name,
                url: url.to_owned(),
                body,
                utf8,
            }
            .into(),
        );
        self.outbox_ready.notify_one();
    }

    /// Queues `recording.url_generate` for a recording (platform notes 2 §7).
    pub(crate) fn queue_url_generate(
        &self,
        recording_id: &str,
        subaccount_id: Option<&str>,
        callback_url: Option<&str>,
        url: &str,
    ) {
        let utf8 = self.settings.utf8_webhooks;
        let mut m = EventMap::default();
        m.text("action", Some("event_notify"))
            .text("subaccount_id", subaccount_id)
            .text("id", Some(recording_id))
            .text("event", Some("recording.url_generate"))
            .text("url", Some(url));
        let body: Arc<[u8]> = events::encode_body(&m.render(URL_GENERATE_ORDER), utf8).into();
        let Some(cb) = callback_url.filter(|u| !crate::lenient::is_blank(u)) else {
            return;
        };
        lock(&self.outbox).push_back(
            Job {
                call_id: recording_id.into(),
                event: "recording.url_generate",
                url: cb.to_owned(),
                body,
                utf8,
            }
            .into(),
        );
        self.outbox_ready.notify_one();
    }

    /// Accepts a conference; the engine confirms it after the confirm delay.
    pub(crate) fn create_conf(&self, new: NewConf) -> String {
        let id = {
            let mut engine = self.engine_now();
            let now = self.clock.now_ms();
            let id: Arc<str> = loop {
                let id = engine.ids.next();
                if !engine.confs.map.contains_key(id.as_str()) {
                    break id.into();
                }
            };
            let conf = Conf {
                id: Arc::clone(&id),
                app_id: new.app_id,
                subaccount_id: new.subaccount_id,
                callback_url: new.callback_url,
                user_data: new.user_data,
                max_duration_s: new.max_duration_s,
                max_parts: new.max_parts,
                recording: new.recording,
                auto_hangup: new.auto_hangup,
                bgm_file: new.bgm_file,
                state: ConfState::Created,
                created: now,
                begin: None,
                end: None,
                parts: Vec::new(),
                dialing: Vec::new(),
                play: None,
                record: None,
                seq: 0,
                events: Vec::new(),
            };
            let confirm = now.saturating_add(self.settings.confirm_delay_ms);
            engine.schedule(&id, 0, confirm, Wake::Conf(Step::Started));
            engine.confs.map.insert(Arc::clone(&id), conf);
            id
        };
        self.scheduler_wake.notify_one();
        id.to_string()
    }

    /// The checks every operation on a conference makes, in the server's order: exists,
    /// confirmed, not closed, same app, same sub-account.
    pub(crate) fn check_conf(&self, asker: Asker<'_>, conf_id: &str) -> Result<(), ConfCheck> {
        let engine = self.engine_now();
        check(&engine, asker, conf_id).map(drop)
    }

    /// A view of a conference.
    pub(crate) fn conf_info(&self, conf_id: &str) -> Option<ConfInfo> {
        let engine = self.engine_now();
        let conf = engine.confs.map.get(conf_id)?;
        Some(engine.confs.info(conf))
    }

    /// `conf/dismiss`: every member quits, the recording and play end, then `conf.end`.
    pub(crate) fn dismiss_conf(&self, asker: Asker<'_>, conf_id: &str) -> Result<(), ConfCheck> {
        {
            let mut engine = self.engine_now();
            check(&engine, asker, conf_id)?;
            let now = self.clock.now_ms();
            engine.release_conf(self, conf_id, now);
        }
        self.scheduler_wake.notify_one();
        Ok(())
    }

    /// `conf/invite_call`, after the conference checks: `030101` when full, else the member
    /// is dialled. Returns the member's call id.
    pub(crate) fn invite_conf(
        &self,
        asker: Asker<'_>,
        conf_id: &str,
        invite: NewInvite,
        before_dial: impl FnOnce() -> Result<(), BusinessCode>,
    ) -> Result<String, BusinessCode> {
        let behavior = self.behavior_of(&invite.to);
        let id = {
            let mut engine = self.engine_now();
            let conf = check(&engine, asker, conf_id)?;
            if conf.parts.len() >= usize::try_from(conf.max_parts).unwrap_or(0) {
                return Err(BusinessCode::CONF_MAX_PARTS);
            }
            before_dial()?;
            let now = self.clock.now_ms();
            let id: Arc<str> = engine.ids.next().into();
            let conf = engine
                .confs
                .map
                .get_mut(conf_id)
                .ok_or(BusinessCode::CONF_NOT_EXISTS)?;
            conf.dialing.push(Arc::clone(&id));
            let member = Member {
                conf_id: Arc::clone(&conf.id),
                kind: MemberKind::Invited,
                state: MemberState::Dialing,
                app_id: conf.app_id.clone(),
                subaccount_id: asker.subaccount_id.map(str::to_owned),
                callback_url: conf.callback_url.clone(),
                user_data: None,
                behavior: behavior.clone(),
                generation: 0,
                join: None,
                max_duration_ms: ms_of(invite.max_duration_s),
                play_file: invite.play_file,
                voice_mode: invite.voice_mode.unwrap_or(1),
            };
            let max_dial = invite.max_dial_s.map_or(ENGINE_DEFAULT_MAX_DIAL_MS, ms_of);
            let (due, outcome) = dial_outcome_for(&behavior, now, max_dial);
            let step = match outcome {
                Ok(()) => Step::MemberAnswered,
                Err(why) => Step::MemberFailed(why),
            };
            engine.schedule(&id, 0, due, Wake::Conf(step));
            engine.confs.members.insert(Arc::clone(&id), member);
            id
        };
        self.scheduler_wake.notify_one();
        Ok(id.to_string())
    }

    /// `conf/join` of a live call (an IVR call), in the server's order: the conference checks,
    /// `030101` when full, then the call (unknown or ended `020000`, another app's `000002`,
    /// another sub-account's `030100`), then the play file (`check_file`, `010005`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn join_conf(
        &self,
        asker: Asker<'_>,
        conf_id: &str,
        call_id: &str,
        max_duration_s: i32,
        play_file: Option<String>,
        voice_mode: Option<i32>,
        check_file: impl FnOnce(&str) -> Result<(), BusinessCode>,
    ) -> Result<(), BusinessCode> {
        {
            let mut engine = self.engine_now();
            let conf = check(&engine, asker, conf_id)?;
            if conf.parts.len() >= usize::try_from(conf.max_parts).unwrap_or(0) {
                return Err(BusinessCode::CONF_MAX_PARTS);
            }
            let conf_sub = conf.subaccount_id.clone();
            let Some(info) = engine.ivr.info(call_id) else {
                return Err(BusinessCode::CALL_NOT_EXISTS);
            };
            if matches!(info.state, CallState::Releasing | CallState::Closed) {
                return Err(BusinessCode::CALL_NOT_EXISTS);
            }
            if info.app_id != asker.app_id {
                return Err(BusinessCode::UNKNOWN_FAIL);
            }
            if info.subaccount_id != conf_sub {
                return Err(BusinessCode::CONF_NOT_EXISTS);
            }
            check_file(play_file.as_deref().unwrap_or(""))?;
            if engine.confs.members.contains_key(call_id) {
                // Already in a conference: the engine refuses the second enter.
                return Ok(());
            }
            let now = self.clock.now_ms();
            let answered = matches!(info.state, CallState::Answered1 | CallState::Connected);
            let conf = engine
                .confs
                .map
                .get_mut(conf_id)
                .ok_or(BusinessCode::CONF_NOT_EXISTS)?;
            let id: Arc<str> = call_id.into();
            conf.dialing.push(Arc::clone(&id));
            let member = Member {
                conf_id: Arc::clone(&conf.id),
                kind: MemberKind::Joined,
                state: MemberState::Dialing,
                app_id: info.app_id.clone(),
                subaccount_id: info.subaccount_id.clone(),
                callback_url: conf.callback_url.clone(),
                user_data: info.user_data.clone(),
                behavior: Behavior::answer_after(0),
                generation: 0,
                join: None,
                max_duration_ms: ms_of(max_duration_s),
                play_file,
                voice_mode: voice_mode.unwrap_or(1),
            };
            engine.confs.members.insert(Arc::clone(&id), member);
            let step = if answered {
                Step::MemberAnswered
            } else {
                Step::MemberFailed(DialFailure::Unreachable)
            };
            engine.schedule(&id, 0, now, Wake::Conf(step));
        }
        self.scheduler_wake.notify_one();
        Ok(())
    }

    /// Whether a call is known to the platform and live (for `quit` and `set_voice_mode`):
    /// `Ok(app_id, subaccount)` or the code.
    fn live_call(engine: &Engine, call_id: &str) -> Result<(String, Option<String>), BusinessCode> {
        if let Some(m) = engine.confs.members.get(call_id) {
            return Ok((m.app_id.clone(), m.subaccount_id.clone()));
        }
        match engine.ivr.info(call_id) {
            Some(info) if !matches!(info.state, CallState::Releasing | CallState::Closed) => {
                Ok((info.app_id, info.subaccount_id))
            }
            _ => Err(BusinessCode::CALL_NOT_EXISTS),
        }
    }

    /// `conf/quit`: the call first (`020000`), then the conference, then the engine exit.
    pub(crate) fn quit_conf(
        &self,
        asker: Asker<'_>,
        conf_id: &str,
        call_id: &str,
    ) -> Result<(), BusinessCode> {
        {
            let mut engine = self.engine_now();
            let (call_app, call_sub) = Self::live_call(&engine, call_id)?;
            let conf = check_exists(&engine, conf_id)?;
            if call_app != conf.app_id {
                return Err(BusinessCode::UNKNOWN_FAIL);
            }
            let conf_sub = conf.subaccount_id.clone();
            check_owner(conf, asker)?;
            if call_sub != conf_sub {
                return Err(BusinessCode::CONF_NOT_EXISTS);
            }
            let now = self.clock.now_ms();
            let in_this = engine
                .confs
                .members
                .get(call_id)
                .is_some_and(|m| &*m.conf_id == conf_id && m.state == MemberState::Joined);
            if in_this {
                engine.member_leaves(self, call_id, now, false);
            }
        }
        self.scheduler_wake.notify_one();
        Ok(())
    }

    /// `conf/set_voice_mode`, in the server's order: the call (`020000`), the conference
    /// (`030100`, `000004`), another app's call (`000002`), the caller's sub-account (`030100`).
    pub(crate) fn set_conf_voice_mode(
        &self,
        asker: Asker<'_>,
        conf_id: &str,
        call_id: &str,
        mode: i32,
    ) -> Result<(), BusinessCode> {
        let mut engine = self.engine_now();
        let (call_app, _) = Self::live_call(&engine, call_id)?;
        let conf = check_exists(&engine, conf_id)?;
        if call_app != conf.app_id {
            return Err(BusinessCode::UNKNOWN_FAIL);
        }
        check_owner(conf, asker)?;
        if let Some(m) = engine.confs.members.get_mut(call_id) {
            if &*m.conf_id == conf_id {
                m.voice_mode = mode;
            }
        }
        Ok(())
    }

    /// `conf/start_play`: plays the files in turn (`conf.play_end` after them); a running
    /// play is replaced (its `conf.play_end` is sent first).
    pub(crate) fn start_conf_play(
        &self,
        asker: Asker<'_>,
        conf_id: &str,
        files: usize,
    ) -> Result<(), ConfCheck> {
        {
            let mut engine = self.engine_now();
            check(&engine, asker, conf_id)?;
            let now = self.clock.now_ms();
            engine.end_play(self, conf_id, now);
            let Some(conf) = engine.confs.map.get_mut(conf_id) else {
                return Err(ConfCheck::NotExists);
            };
            conf.seq += 1;
            let seq = conf.seq;
            conf.play = Some((seq, now));
            let id = Arc::clone(&conf.id);
            let due = now + PLAY_FILE_MS * files as i64;
            engine.schedule(&id, 0, due, Wake::Conf(Step::PlayDone(seq)));
        }
        self.scheduler_wake.notify_one();
        Ok(())
    }

    /// `conf/stop_play`.
    pub(crate) fn stop_conf_play(&self, asker: Asker<'_>, conf_id: &str) -> Result<(), ConfCheck> {
        let mut engine = self.engine_now();
        check(&engine, asker, conf_id)?;
        let now = self.clock.now_ms();
        engine.end_play(self, conf_id, now);
        Ok(())
    }

    /// `conf/start_record`: records for at most `max_s` seconds (the conference's
    /// `max_duration` when absent); a running recording goes on.
    pub(crate) fn start_conf_record(
        &self,
        asker: Asker<'_>,
        conf_id: &str,
        max_s: Option<i32>,
    ) -> Result<(), ConfCheck> {
        {
            let mut engine = self.engine_now();
            check(&engine, asker, conf_id)?;
            let now = self.clock.now_ms();
            engine.start_record(conf_id, now, max_s);
        }
        self.scheduler_wake.notify_one();
        Ok(())
    }

    /// `conf/stop_record`.
    pub(crate) fn stop_conf_record(
        &self,
        asker: Asker<'_>,
        conf_id: &str,
    ) -> Result<(), ConfCheck> {
        let mut engine = self.engine_now();
        check(&engine, asker, conf_id)?;
        let now = self.clock.now_ms();
        engine.end_record(self, conf_id, now);
        Ok(())
    }

    /// Every recording kept: IVR `<record>` results, then conference recordings.
    pub(crate) fn all_recordings(&self) -> Vec<Recording> {
        let engine = self.engine_now();
        let mut all = engine.recordings();
        all.extend(engine.confs.recordings().cloned());
        all
    }

    /// `recording/url/gen`: whether the recording is uploaded (its URL can be given); else
    /// its upload starts (once) and `recording.url_generate` follows when it is done.
    pub(crate) fn request_upload(
        &self,
        id: &str,
        subaccount_id: Option<String>,
        callback_url: Option<String>,
        url: String,
    ) -> bool {
        let mut engine = self.engine_now();
        if let Some(up) = engine.confs.uploads.get(id) {
            return up.done;
        }
        // Memory stays bounded: past that many uploads, the finished ones are forgotten (asking
        // for one of them again starts its upload again).
        if engine.confs.uploads.len() >= 2 * RECORDING_HISTORY {
            engine.confs.uploads.retain(|_, up| !up.done);
        }
        let key: Arc<str> = id.into();
        engine.confs.uploads.insert(
            Arc::clone(&key),
            Upload {
                done: false,
                subaccount_id,
                callback_url,
                url,
            },
        );
        let due = self.clock.now_ms().saturating_add(UPLOAD_CHECK_MS);
        engine.schedule(&key, 0, due, Wake::Conf(Step::Uploaded));
        drop(engine);
        self.scheduler_wake.notify_one();
        false
    }

    /// Events of conferences (and `recording.url_generate`) queued, delivered and given up.
    pub(crate) fn conf_event_counts(&self) -> (u64, u64, u64) {
        let engine = lock(&self.engine);
        (
            engine.confs.queued,
            engine.confs.delivered,
            engine.confs.failed,
        )
    }
}

fn check_exists<'e>(engine: &'e Engine, conf_id: &str) -> Result<&'e Conf, ConfCheck> {
    let conf = engine.confs.map.get(conf_id).ok_or(ConfCheck::NotExists)?;
    match conf.state {
        ConfState::Created => Err(ConfCheck::Unconfirmed),
        ConfState::Released => Err(ConfCheck::NotExists),
        ConfState::Running => Ok(conf),
    }
}

fn check_owner(conf: &Conf, asker: Asker<'_>) -> Result<(), ConfCheck> {
    if conf.app_id != asker.app_id || conf.subaccount_id.as_deref() != asker.subaccount_id {
        return Err(ConfCheck::NotExists);
    }
    Ok(())
}

fn check<'e>(engine: &'e Engine, asker: Asker<'_>, conf_id: &str) -> Result<&'e Conf, ConfCheck> {
    let conf = check_exists(engine, conf_id)?;
    check_owner(conf, asker)?;
    Ok(conf)
}

impl Engine {
    /// Runs a conference step.
    pub(in crate::sim) fn wake_conf(
        &mut self,
        shared: &Shared,
        target: &Arc<str>,
        generation: u64,
        at: i64,
        step: Step,
    ) {
        match step {
            Step::Started => {
                let Some(conf) = self.confs.map.get_mut(target) else {
                    return;
                };
                if conf.state != ConfState::Created {
                    return;
                }
                conf.state = ConfState::Running;
                conf.begin = Some(at);
                let mut m = base(conf, "conf.create.succ");
                m.number("begin_time", Some(at))
                    .text("user_data", conf.user_data.as_deref());
                let url = conf.callback_url.clone();
                shared.queue_conf_event(conf, url.as_deref(), "conf.create.succ", &m);
                self.confs.queued += u64::from(url.is_some());
                let due = at.saturating_add(ms_of(conf.max_duration_s));
                let id = Arc::clone(&conf.id);
                self.schedule(&id, 0, due, Wake::Conf(Step::MaxDuration));
            }
            Step::MaxDuration => self.release_conf(shared, target, at),
            Step::Uploaded => {
                let Some(up) = self.confs.uploads.get_mut(target) else {
                    return;
                };
                up.done = true;
                let (sub, cb, url) = (
                    up.subaccount_id.clone(),
                    up.callback_url.clone(),
                    up.url.clone(),
                );
                if cb.as_deref().is_some_and(|u| !crate::lenient::is_blank(u)) {
                    self.confs.queued += 1;
                }
                shared.queue_url_generate(target, sub.as_deref(), cb.as_deref(), &url);
            }
            Step::PlayDone(seq) => {
                let playing = self
                    .confs
                    .map
                    .get(target)
                    .is_some_and(|c| c.play.is_some_and(|(s, _)| s == seq));
                if playing {
                    self.end_play(shared, target, at);
                }
            }
            Step::RecordDone(seq) => {
                let recording = self
                    .confs
                    .map
                    .get(target)
                    .is_some_and(|c| c.record.as_ref().is_some_and(|r| r.seq == seq));
                if recording {
                    self.end_record(shared, target, at);
                }
            }
            Step::MemberAnswered
            | Step::MemberFailed(_)
            | Step::MemberHangup
            | Step::MemberMaxDuration
            | Step::MemberCallReleased => {
                let current = self
                    .confs
                    .members
                    .get(target)
                    .is_some_and(|m| generation == u64::MAX || m.generation == generation);
                if current {
                    self.member_step(shared, target, at, step);
                }
            }
        }
    }

    fn member_step(&mut self, shared: &Shared, id: &Arc<str>, at: i64, step: Step) {
        let Some(member) = self.confs.members.get(id) else {
            return;
        };
        let conf_id = Arc::clone(&member.conf_id);
        match step {
            Step::MemberAnswered => {
                let conf_running = self
                    .confs
                    .map
                    .get(&conf_id)
                    .is_some_and(|c| c.state == ConfState::Running);
                let file_ok = member.play_file.as_deref().is_none_or(|f| {
                    let conf_app = &member.app_id;
                    shared.app_settings_of(conf_app).check_files(f).is_ok()
                });
                if conf_running && file_ok {
                    self.member_joins(shared, id, at);
                } else {
                    self.member_fails(shared, id, at);
                }
            }
            Step::MemberFailed(_) => self.member_fails(shared, id, at),
            Step::MemberHangup | Step::MemberMaxDuration | Step::MemberCallReleased => {
                if member.state == MemberState::Joined {
                    self.member_leaves(shared, id, at, false);
                } else {
                    self.member_fails(shared, id, at);
                }
            }
            _ => {}
        }
    }

    fn member_joins(&mut self, shared: &Shared, id: &Arc<str>, at: i64) {
        let Some(member) = self.confs.members.get_mut(id) else {
            return;
        };
        member.state = MemberState::Joined;
        member.join = Some(at);
        let generation = member.generation;
        let hangup = member.behavior.hangup_after_ms;
        let max = member.max_duration_ms;
        let (user_data, sub) = (member.user_data.clone(), member.subaccount_id.clone());
        let url = member.callback_url.clone();
        let conf_id = Arc::clone(&member.conf_id);
        let invited = member.kind == MemberKind::Invited;
        if let (Some(after), true) = (hangup, invited) {
            let t = at.saturating_add(i64::try_from(after).unwrap_or(i64::MAX));
            self.schedule(id, generation, t, Wake::Conf(Step::MemberHangup));
        }
        self.schedule(
            id,
            generation,
            at.saturating_add(max),
            Wake::Conf(Step::MemberMaxDuration),
        );
        let Some(conf) = self.confs.map.get_mut(&conf_id) else {
            return;
        };
        conf.dialing.retain(|d| d != id);
        conf.parts.push(Arc::clone(id));
        let first = conf.parts.len() == 1;
        let mut m = EventMap::default();
        m.text("action", Some("event_notify"))
            .text("subaccount_id", sub.as_deref())
            .text("id", Some(&conf.id))
            .text("user_data", user_data.as_deref())
            .text("event", Some("conf.joined"))
            .number("join_time", Some(at))
            .text("call_id", Some(id));
        shared.queue_conf_event(conf, url.as_deref(), "conf.joined", &m);
        self.confs.queued += u64::from(url.is_some());
        let auto_record = first && conf.recording && conf.record.is_none();
        if auto_record {
            self.start_record(&conf_id, at, None);
        }
    }

    fn member_fails(&mut self, shared: &Shared, id: &Arc<str>, at: i64) {
        let Some(member) = self.confs.members.remove(id) else {
            return;
        };
        let Some(conf) = self.confs.map.get_mut(&member.conf_id) else {
            return;
        };
        conf.dialing.retain(|d| d != id);
        let mut m = EventMap::default();
        m.text("action", Some("event_notify"))
            .text("subaccount_id", member.subaccount_id.as_deref())
            .text("id", Some(&conf.id))
            .number("time", Some(at))
            .text("user_data", member.user_data.as_deref())
            .text("event", Some("conf.join.fail"))
            .text("call_id", Some(id));
        let url = member.callback_url.as_deref();
        shared.queue_conf_event(conf, url, "conf.join.fail", &m);
        self.confs.queued += u64::from(url.is_some());
    }

    /// A joined member leaves: `conf.quit` (engine times, whole seconds).
    fn member_leaves(&mut self, shared: &Shared, id: &str, at: i64, _by_release: bool) {
        let Some(member) = self.confs.members.remove(id) else {
            return;
        };
        let Some(conf) = self.confs.map.get_mut(&member.conf_id) else {
            return;
        };
        conf.parts.retain(|p| &**p != id);
        let mut m = EventMap::default();
        m.text("action", Some("event_notify"))
            .text("subaccount_id", member.subaccount_id.as_deref())
            .text("id", Some(&conf.id))
            .text("user_data", member.user_data.as_deref())
            .text("event", Some("conf.quit"))
            .number("quit_time", Some(floor_to_second(at)))
            .number("join_time", member.join.map(floor_to_second))
            .text("call_id", Some(id));
        let url = member.callback_url.as_deref();
        shared.queue_conf_event(conf, url, "conf.quit", &m);
        self.confs.queued += u64::from(url.is_some());
    }

    /// Ends the running play with `conf.play_end`.
    fn end_play(&mut self, shared: &Shared, conf_id: &str, at: i64) {
        let Some(conf) = self.confs.map.get_mut(conf_id) else {
            return;
        };
        let Some((_, begin)) = conf.play.take() else {
            return;
        };
        let m = timed(conf, "conf.play_end", begin, at);
        let url = conf.callback_url.clone();
        shared.queue_conf_event(conf, url.as_deref(), "conf.play_end", &m);
        self.confs.queued += u64::from(url.is_some());
    }

    fn start_record(&mut self, conf_id: &str, at: i64, max_s: Option<i32>) {
        let Some(conf) = self.confs.map.get_mut(conf_id) else {
            return;
        };
        if conf.record.is_some() {
            return;
        }
        conf.seq += 1;
        let seq = conf.seq;
        let max = ms_of(max_s.unwrap_or(conf.max_duration_s));
        let id = Arc::clone(&conf.id);
        let rec_id = self.ids.next();
        if let Some(conf) = self.confs.map.get_mut(conf_id) {
            conf.record = Some(Recorder {
                seq,
                id: rec_id,
                begin: at,
            });
        }
        self.schedule(
            &id,
            0,
            at.saturating_add(max),
            Wake::Conf(Step::RecordDone(seq)),
        );
    }

    /// Ends the running recording: kept for `recording/plist`, then `conf.record_end`.
    fn end_record(&mut self, shared: &Shared, conf_id: &str, at: i64) {
        let Some(conf) = self.confs.map.get_mut(conf_id) else {
            return;
        };
        let Some(rec) = conf.record.take() else {
            return;
        };
        let duration = (at - rec.begin).max(0) / 1000;
        let recording = Recording {
            id: rec.id,
            call_id: conf.id.to_string(),
            app_id: conf.app_id.clone(),
            subaccount_id: conf.subaccount_id.clone(),
            begin_ms: rec.begin,
            end_ms: at,
            duration,
            // The size of the file served: a WAV header and the audio (at most ten minutes).
            size: 44 + duration.min(WAV_MAX_SECONDS) * RECORDING_BYTES_PER_S,
        };
        let m = timed(conf, "conf.record_end", rec.begin, at);
        let url = conf.callback_url.clone();
        shared.queue_conf_event(conf, url.as_deref(), "conf.record_end", &m);
        self.confs.queued += u64::from(url.is_some());
        self.confs.recordings.push_back(recording);
        while self.confs.recordings.len() > RECORDING_HISTORY {
            self.confs.recordings.pop_front();
        }
    }

    /// Releases a conference: members quit (invited ones are hung up; joined ones too when
    /// `auto_hangup`), members still dialling fail, the play and the recording end, then
    /// `conf.end`.
    fn release_conf(&mut self, shared: &Shared, conf_id: &str, at: i64) {
        let Some(conf) = self.confs.map.get(conf_id) else {
            return;
        };
        if conf.state != ConfState::Running {
            return;
        }
        let parts = conf.parts.clone();
        for id in &parts {
            self.member_leaves(shared, id, at, true);
        }
        // Members still dialling go on ringing; when one answers, the conference is gone and
        // it gets `conf.join.fail`.
        self.end_play(shared, conf_id, at);
        self.end_record(shared, conf_id, at);
        let Some(conf) = self.confs.map.get_mut(conf_id) else {
            return;
        };
        conf.state = ConfState::Released;
        conf.end = Some(at);
        let begin = conf.begin.unwrap_or(conf.created);
        let m = timed(conf, "conf.end", begin, at);
        let url = conf.callback_url.clone();
        shared.queue_conf_event(conf, url.as_deref(), "conf.end", &m);
        self.confs.queued += u64::from(url.is_some());
        self.confs.released.push_back(Arc::clone(&conf.id));
        self.confs.evict();
    }

    /// Called when an IVR call is released: if it is in a conference, it leaves.
    pub(in crate::sim) fn conf_call_released(&mut self, call_id: &Arc<str>, at: i64) {
        if self.confs.members.contains_key(call_id) {
            self.schedule(call_id, u64::MAX, at, Wake::Conf(Step::MemberCallReleased));
        }
    }
}

fn base(conf: &Conf, event: &'static str) -> EventMap {
    let mut m = EventMap::default();
    m.text("action", Some("event_notify"))
        .text("subaccount_id", conf.subaccount_id.as_deref())
        .text("id", Some(&conf.id))
        .text("event", Some(event));
    m
}

/// An event with the engine's begin and end times (whole seconds × 1000) and the
/// conference's `user_data`.
fn timed(conf: &Conf, event: &'static str, begin: i64, end: i64) -> EventMap {
    let mut m = base(conf, event);
    m.number("begin_time", Some(floor_to_second(begin)))
        .number("end_time", Some(floor_to_second(end)))
        .text("user_data", conf.user_data.as_deref());
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_orders() {
        let mut m = EventMap::default();
        m.text("event", Some("conf.quit"))
            .text("id", Some("c"))
            .number("join_time", Some(1000))
            .number("quit_time", Some(2000))
            .text("call_id", Some("m"))
            .text("action", Some("event_notify"));
        assert_eq!(
            m.render(order_of("conf.quit")),
            r#"{"action":"event_notify","id":"c","event":"conf.quit","quit_time":2000,"join_time":1000,"call_id":"m"}"#
        );
    }
}
