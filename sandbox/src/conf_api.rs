//! The conference and recording endpoints (platform notes 2 §3, §7): routing under
//! `/v1/account/{account_id}/conf/...` and `.../recording/...`, body binding and validation
//! in the server's order, the service checks, the answers, and the recordings' download URLs
//! (served by the sandbox itself as WAV files).

use crate::business::{BusinessCode as Code, Service};
use crate::events::json_string;
use crate::gateway::Caller;
use crate::http::{Request, Response};
use crate::lenient::{is_blank, parse_object, JsonObject, Kind, Schema};
use crate::sim::{
    Asker, NewConf, NewInvite, Recording, Shared, MAX_DURATION_S, MAX_PARTS, WAV_MAX_SECONDS,
};

/// The operations of these two families.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Create,
    Dismiss,
    InviteCall,
    Join,
    Quit,
    StartPlay,
    StopPlay,
    StartRecord,
    StopRecord,
    SetVoiceMode,
    RecordingList,
    RecordingUrlGen,
}

impl Op {
    fn method(self) -> &'static str {
        match self {
            Op::RecordingList | Op::RecordingUrlGen => "GET",
            _ => "POST",
        }
    }

    fn schema(self) -> Schema {
        use Kind::{Bool, Int, Text, Texts};
        match self {
            Op::Create => Some(&[
                ("max_duration", Int),
                ("max_parts", Int),
                ("recording", Bool),
                ("auto_hangup", Bool),
                ("bgm_file", Text),
                ("user_data", Text),
            ]),
            Op::InviteCall => Some(&[
                ("from", Text),
                ("to", Text),
                ("max_duration", Int),
                ("max_dial_duration", Int),
                ("dial_voice_stop_cond", Int),
                ("play_file", Text),
                ("voice_mode", Int),
            ]),
            Op::Join => Some(&[
                ("call_id", Text),
                ("max_duration", Int),
                ("play_file", Text),
                ("voice_mode", Int),
            ]),
            Op::Quit => Some(&[("call_id", Text)]),
            Op::StartPlay => Some(&[("files", Texts)]),
            // The DTO's JSON name has a trailing space.
            Op::StartRecord => Some(&[("max_duration ", Int)]),
            Op::SetVoiceMode => Some(&[("call_id", Text), ("voice_mode", Int)]),
            _ => Some(&[]),
        }
    }

    /// Whether the route binds a JSON body (`@RequestBody`).
    fn has_body(self) -> bool {
        !matches!(
            self,
            Op::Dismiss | Op::StopPlay | Op::StopRecord | Op::RecordingList | Op::RecordingUrlGen
        )
    }
}

/// The segments of a path as the server maps it (see `api::mapped_segments`).
fn segments(path: &str) -> Vec<&str> {
    path.split('/')
        .map(|s| s.split(';').next().unwrap_or(""))
        .filter(|s| !s.is_empty())
        .collect()
}

/// The operation and the path's `{id}` (URL-decoded, without a `.suffix`), if the path is one
/// of these families'.
pub(crate) fn route(path: &str) -> Option<(Op, Option<String>)> {
    let s = segments(path);
    if s.len() < 5 || s[0] != "v1" || s[1] != "account" {
        return None;
    }
    let rest = &s[3..];
    let trailing = path.ends_with('/');
    // The last segment loses a `.suffix` (not with a trailing `/`).
    let strip_op = |last: &str| -> Option<String> {
        match last.split_once('.') {
            Some(_) if trailing => None,
            Some((op, _)) => Some(op.to_owned()),
            None => Some(last.to_owned()),
        }
    };
    let strip_var = |last: &str| -> Option<String> {
        let decoded = percent_decode(last);
        match decoded.rsplit_once('.') {
            Some(_) if trailing => None,
            Some((v, _)) => Some(v.to_owned()),
            None => Some(decoded),
        }
    };
    match rest {
        ["conf", last] => (strip_op(last)?.as_str() == "create").then_some((Op::Create, None)),
        ["conf", op, id] => {
            let op = match *op {
                "dismiss" => Op::Dismiss,
                "invite_call" => Op::InviteCall,
                "join" => Op::Join,
                "quit" => Op::Quit,
                "start_play" => Op::StartPlay,
                "stop_play" => Op::StopPlay,
                "start_record" => Op::StartRecord,
                "stop_record" => Op::StopRecord,
                "set_voice_mode" => Op::SetVoiceMode,
                _ => return None,
            };
            Some((op, Some(strip_var(id)?)))
        }
        ["recording", last] => {
            (strip_op(last)?.as_str() == "plist").then_some((Op::RecordingList, None))
        }
        ["recording", "url", last] => {
            (strip_op(last)?.as_str() == "gen").then_some((Op::RecordingUrlGen, None))
        }
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| char::from(b).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A query parameter as Spring binds it: `+` is a space, `%XX` decoded; `None` when absent.
fn query(request: &Request, name: &str) -> Option<String> {
    request
        .query_param(name)
        .map(|v| percent_decode(&v.replace('+', " ")))
}

/// Serves one request of these families (the caller is authenticated). The answer's
/// `data` as JSON text, or the code.
pub(crate) fn serve(
    shared: &Shared,
    caller: &Caller,
    subaccount_id: Option<String>,
    op: Op,
    id: Option<String>,
    request: &Request,
) -> Result<String, Code> {
    let body = if op.has_body() {
        bind_body(request, op)?
    } else {
        parse_object(b"{}", Some(&[])).map_err(|_| Code::UNKNOWN_FAIL)?
    };
    let asker = Asker {
        app_id: &caller.app_id,
        subaccount_id: subaccount_id.as_deref(),
    };
    let id = id.unwrap_or_default();
    let ctx = Ctx {
        shared,
        caller,
        asker,
    };
    match op {
        Op::Create => create(&ctx, &body),
        Op::Dismiss => {
            ctx.service(false)?;
            shared.dismiss_conf(asker, &id)?;
            Ok("true".into())
        }
        Op::InviteCall => invite(&ctx, &id, &body),
        Op::Join => join(&ctx, &id, &body),
        Op::Quit => {
            let call_id = body.string("call_id")?.value();
            let call_id = match call_id {
                Some(c) if (1..=128).contains(&utf16_len(&c)) => c,
                _ => return Err(Code::ILLEGAL_ARGUMENT),
            };
            ctx.service(false)?;
            shared.quit_conf(asker, &id, &call_id)?;
            Ok("true".into())
        }
        Op::StartPlay => {
            let Some(files) = body.texts("files")?.value() else {
                return Err(Code::ILLEGAL_ARGUMENT);
            };
            let settings = ctx.service(false)?;
            shared.check_conf(asker, &id)?;
            // The files are joined with `|` and checked as one list.
            let joined: Vec<String> = files
                .iter()
                .map(|f| f.clone().unwrap_or_default())
                .collect();
            let joined = joined.join("|");
            settings.check_files(&joined)?;
            let count = files.iter().flatten().filter(|f| !is_blank(f)).count();
            shared.start_conf_play(asker, &id, count)?;
            Ok("true".into())
        }
        Op::StopPlay => {
            ctx.service(false)?;
            shared.stop_conf_play(asker, &id)?;
            Ok("true".into())
        }
        Op::StartRecord => {
            let max = body.int("max_duration ")?.value();
            if !within(max, 1, MAX_DURATION_S) {
                return Err(Code::ILLEGAL_ARGUMENT);
            }
            ctx.service(false)?;
            shared.start_conf_record(asker, &id, max)?;
            Ok("true".into())
        }
        Op::StopRecord => {
            ctx.service(false)?;
            shared.stop_conf_record(asker, &id)?;
            Ok("true".into())
        }
        Op::SetVoiceMode => {
            let call_id = body.string("call_id")?.value();
            let mode = body.int("voice_mode")?.value();
            let (Some(call_id), Some(mode)) = (call_id, mode) else {
                return Err(Code::ILLEGAL_ARGUMENT);
            };
            if !(1..=128).contains(&utf16_len(&call_id)) || !(1..=4).contains(&mode) {
                return Err(Code::ILLEGAL_ARGUMENT);
            }
            ctx.service(false)?;
            shared.set_conf_voice_mode(asker, &id, &call_id, mode)?;
            Ok("true".into())
        }
        Op::RecordingList => recording_list(&ctx, request),
        Op::RecordingUrlGen => url_gen(&ctx, request),
    }
}

/// The method the route takes (for the 405 answer).
pub(crate) fn method_of(op: Op) -> &'static str {
    op.method()
}

struct Ctx<'a> {
    shared: &'a Shared,
    caller: &'a Caller,
    asker: Asker<'a>,
}

impl Ctx<'_> {
    /// The conference service's checks of the app: a forced code, `SessionService`
    /// (`010002`), then, for the operations that cost (create, invite_call, join), the
    /// balance (`010003`) and the sub-account quota (`010006`).
    fn service(&self, costs: bool) -> Result<crate::business::AppSettings, Code> {
        let settings = self
            .shared
            .app_settings_for(&self.caller.app_id, self.caller.subaccount);
        if let Some(code) = settings.code {
            return Err(code);
        }
        if settings.disabled_services.contains(&Service::Conference) {
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

/// A JSON body (JSON content types only, else `000002`; an empty body `000002`).
fn bind_body(request: &Request, op: Op) -> Result<JsonObject, Code> {
    let media = request.header("Content-Type").map(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    let is_json = media.is_some_and(|m| {
        m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
    });
    if !is_json {
        return Err(Code::UNKNOWN_FAIL);
    }
    Ok(parse_object(&request.body, op.schema())?)
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

/// `conf/create`.
fn create(ctx: &Ctx<'_>, body: &JsonObject) -> Result<String, Code> {
    let max_duration = body.int("max_duration")?.value();
    let max_parts = body.int("max_parts")?.value();
    let recording = body.boolean("recording")?.value();
    let auto_hangup = body.boolean("auto_hangup")?.value();
    let bgm_file = body.string("bgm_file")?.value();
    let user_data = body.string("user_data")?.value();
    let valid = max_duration.is_some()
        && within(max_duration, 1, MAX_DURATION_S)
        && within(max_parts, 1, i32::MAX)
        && max_len(&bgm_file, 128)
        && max_len(&user_data, 128);
    let (true, Some(max_duration)) = (valid, max_duration) else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    let settings = ctx.service(true)?;
    if let Some(f) = &bgm_file {
        settings.check_files(f)?;
    }
    let id = ctx.shared.create_conf(NewConf {
        app_id: ctx.caller.app_id.clone(),
        subaccount_id: ctx.asker.subaccount_id.map(str::to_owned),
        callback_url: ctx
            .shared
            .callback_url_for(&ctx.caller.app_id, ctx.caller.subaccount),
        user_data,
        max_duration_s: max_duration,
        max_parts: max_parts.filter(|p| *p <= MAX_PARTS).unwrap_or(MAX_PARTS),
        recording: recording.unwrap_or(false),
        auto_hangup: auto_hangup.unwrap_or(false),
        bgm_file,
    });
    Ok(format!("{{\"confId\":{}}}", json_string(&id)))
}

/// `conf/invite_call`.
fn invite(ctx: &Ctx<'_>, conf_id: &str, body: &JsonObject) -> Result<String, Code> {
    let from = body.string("from")?.value();
    let to = body.string("to")?.value();
    let max_duration = body.int("max_duration")?.value();
    let max_dial = body.int("max_dial_duration")?.value();
    let stop_cond = body.int("dial_voice_stop_cond")?.value();
    let play_file = body.string("play_file")?.value();
    let voice_mode = body.int("voice_mode")?.value();
    let valid = max_len(&from, 128)
        && to
            .as_deref()
            .is_some_and(|t| (1..=128).contains(&utf16_len(t)))
        && max_duration.is_some()
        && within(max_duration, 1, MAX_DURATION_S)
        && within(max_dial, 1, 300)
        && within(stop_cond, 0, 1)
        && max_len(&play_file, 128)
        && within(voice_mode, 1, 4);
    let (true, Some(to), Some(max_duration)) = (valid, to, max_duration) else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    // The red list first (a number's forced code), then the app.
    if let Some(code) = ctx.shared.behavior_of(&to).code {
        return Err(code);
    }
    let settings = ctx.service(true)?;
    let sub = ctx.caller.subaccount.is_some();
    let to_ref = to.clone();
    let call_id = ctx.shared.invite_conf(
        ctx.asker,
        conf_id,
        NewInvite {
            to,
            max_duration_s: max_duration,
            max_dial_s: max_dial,
            play_file,
            voice_mode,
        },
        // The number and line selection, after the conference checks.
        || settings.check_call(Service::Conference, sub, &[&to_ref]),
    )?;
    Ok(format!("{{\"callId\":{}}}", json_string(&call_id)))
}

/// `conf/join`.
fn join(ctx: &Ctx<'_>, conf_id: &str, body: &JsonObject) -> Result<String, Code> {
    let call_id = body.string("call_id")?.value();
    let max_duration = body.int("max_duration")?.value();
    let play_file = body.string("play_file")?.value();
    let voice_mode = body.int("voice_mode")?.value();
    let valid = call_id
        .as_deref()
        .is_some_and(|c| (1..=128).contains(&utf16_len(c)))
        && max_duration.is_some()
        && within(max_duration, 1, MAX_DURATION_S)
        && max_len(&play_file, 128)
        && within(voice_mode, 1, 4);
    let (true, Some(call_id), Some(max_duration)) = (valid, call_id, max_duration) else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    let settings = ctx.service(true)?;
    ctx.shared.join_conf(
        ctx.asker,
        conf_id,
        &call_id,
        max_duration,
        play_file,
        voice_mode,
        |files| settings.check_files(files),
    )?;
    Ok("true".into())
}

/// An integer query parameter with a default: absent or empty → the default; not a number
/// → `000002`.
fn int_param(request: &Request, name: &str, default: i64) -> Result<i64, Code> {
    match query(request, name) {
        None => Ok(default),
        Some(v) if v.is_empty() => Ok(default),
        Some(v) => crate::lenient::parse_int(v.trim())
            .map(i64::from)
            .ok_or(Code::UNKNOWN_FAIL),
    }
}

/// `yyyy-MM-dd HH:mm:ss` in the platform's time zone (UTC+8) to epoch ms.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = &text[r];
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let days = crate::time::days_from_civil(y, mo, d);
    Some(((days * 86_400 + h * 3600 + mi * 60 + s) - 8 * 3600) * 1000)
}

/// Epoch ms to `yyyy-MM-dd HH:mm:ss` in UTC+8.
pub(crate) fn format_date(ms: i64) -> String {
    let t = crate::time::format_timestamp_utc8(ms);
    format!(
        "{}-{}-{} {}:{}:{}",
        &t[0..4],
        &t[4..6],
        &t[6..8],
        &t[8..10],
        &t[10..12],
        &t[12..14]
    )
}

/// The recordings this caller may see: its app and its own sub-account (none for the primary
/// account), IVR `<record>` results and conference recordings.
fn visible(ctx: &Ctx<'_>) -> Vec<Recording> {
    let mut all = ctx.shared.all_recordings();
    all.retain(|r| {
        r.app_id == ctx.caller.app_id && r.subaccount_id.as_deref() == ctx.asker.subaccount_id
    });
    all.sort_by_key(|r| r.end_ms);
    all
}

/// `recording/plist`.
fn recording_list(ctx: &Ctx<'_>, request: &Request) -> Result<String, Code> {
    let page_no = int_param(request, "pageNo", 1)?;
    let page_size = int_param(request, "pageSize", 10)?;
    let (Some(start), Some(end)) = (query(request, "start"), query(request, "end")) else {
        return Err(Code::UNKNOWN_FAIL);
    };
    if is_blank(&start) || is_blank(&end) {
        return Err(Code::ILLEGAL_ARGUMENT);
    }
    if page_size > 1000 || page_size <= 0 || page_no <= 0 {
        return Err(Code::UNKNOWN_FAIL);
    }
    let items: Vec<Recording> = match (parse_date(start.trim()), parse_date(end.trim())) {
        (Some(s), Some(e)) => visible(ctx)
            .into_iter()
            .filter(|r| r.end_ms >= s && r.end_ms <= e)
            .collect(),
        // An unparseable date is taken as null: nothing matches.
        _ => Vec::new(),
    };
    let total = items.len() as i64;
    let pages = (total + page_size - 1) / page_size;
    let first = (page_no - 1) * page_size;
    let result: Vec<String> = items
        .iter()
        .skip(usize::try_from(first).unwrap_or(usize::MAX))
        .take(usize::try_from(page_size).unwrap_or(0))
        .map(|r| {
            format!(
                "{{\"id\":{},\"date\":{},\"duration\":{},\"size\":{}}}",
                json_string(&r.id),
                json_string(&format_date(r.end_ms)),
                r.duration,
                r.size
            )
        })
        .collect();
    Ok(format!(
        "{{\"pageSize\":{page_size},\"startIndex\":{},\"totalCount\":{total},\"totalPageCount\":{pages},\"currentPageNo\":{page_no},\"result\":[{}]}}",
        first + 1,
        result.join(",")
    ))
}

/// `recording/url/gen`: the first request starts the upload (`state` 0); when it is done,
/// `recording.url_generate` is sent and later requests get `state` 1 with the URL.
fn url_gen(ctx: &Ctx<'_>, request: &Request) -> Result<String, Code> {
    let Some(id) = query(request, "id") else {
        return Err(Code::UNKNOWN_FAIL);
    };
    let Some(rec) = visible(ctx).into_iter().find(|r| r.id == id) else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    let base = ctx.shared.base_url.get().cloned().unwrap_or_default();
    let url = format!("{base}/sandbox/recordings/{}.wav", rec.id);
    let callback = ctx
        .shared
        .callback_url_for(&ctx.caller.app_id, ctx.caller.subaccount);
    if ctx
        .shared
        .request_upload(&rec.id, rec.subaccount_id.clone(), callback, url.clone())
    {
        Ok(format!("{{\"state\":1,\"url\":{}}}", json_string(&url)))
    } else {
        Ok("{\"state\":0,\"url\":null}".into())
    }
}

/// `GET /sandbox/recordings/{id}.wav`: the recording as a WAV file (8 kHz, 16-bit mono, a
/// quiet tone) of the size `recording/plist` gives, `404` for an unknown id.
pub(crate) fn serve_recording(shared: &Shared, path: &str) -> Response {
    let name = path.trim_start_matches("/sandbox/recordings/");
    let id = name.strip_suffix(".wav").unwrap_or(name);
    match shared.all_recordings().into_iter().find(|r| r.id == id) {
        Some(rec) => Response::new(200)
            .header("Content-Type", "audio/wav")
            .body(wav(rec.size)),
        None => crate::api::error_page(404, "No message available", path),
    }
}

/// A WAV file of `size` bytes in all (the header and whole samples of a quiet 440 Hz tone;
/// at most [`WAV_MAX_SECONDS`] of audio).
pub(crate) fn wav(size: i64) -> Vec<u8> {
    let data = (size - 44).clamp(0, WAV_MAX_SECONDS * 16_000) & !1;
    let samples = (data / 2) as u32;
    let data_len = samples * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&16_000u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        let phase = f64::from(i) * 440.0 * std::f64::consts::TAU / 8000.0;
        let v = (phase.sin() * 2000.0) as i16;
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let r = |p: &str| route(p);
        assert_eq!(r("/v1/account/a/conf/create"), Some((Op::Create, None)));
        assert_eq!(
            r("/v1/account/a/conf/create.json"),
            Some((Op::Create, None))
        );
        assert_eq!(
            r("/v1/account/a/conf/stop_play/abc"),
            Some((Op::StopPlay, Some("abc".into())))
        );
        assert_eq!(
            r("/v1/account/a/conf/dismiss/a.b"),
            Some((Op::Dismiss, Some("a".into())))
        );
        assert_eq!(r("/v1/account/a/conf/abc/stop_play"), None);
        assert_eq!(
            r("/v1/account/a/recording/plist"),
            Some((Op::RecordingList, None))
        );
        assert_eq!(
            r("/v1/account/a/recording/url/gen"),
            Some((Op::RecordingUrlGen, None))
        );
        assert_eq!(r("/v1/account/a/call/duo_callback"), None);
    }

    #[test]
    fn dates() {
        let ms = parse_date("2017-03-31 11:20:00").unwrap();
        assert_eq!(format_date(ms), "2017-03-31 11:20:00");
        assert_eq!(parse_date("2017-03-31"), None);
        assert_eq!(parse_date("2017-13-31 11:20:00"), None);
    }

    #[test]
    fn wav_header() {
        let w = wav(44 + 16_000);
        assert_eq!(w.len(), 44 + 16_000);
        assert_eq!(wav(80_000).len(), 80_000);
        assert_eq!(wav(0).len(), 44);
        assert_eq!(&w[0..4], b"RIFF");
        assert_eq!(&w[8..16], b"WAVEfmt ");
        assert_eq!(wav(i64::MAX).len(), 44 + 600 * 16_000);
    }
}
