//! The URLs of IVR requests, built as the platform builds them (platform notes 2 §2.4 step 5
//! and §2.7): a relative `<next>` resolved against the URL that returned the document, and the
//! next request's URL rebuilt from its parts with each result parameter appended.

/// Characters a `java.net.URI` refuses anywhere outside an escape.
fn is_illegal(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
        || matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
}

/// The parts of a hierarchical `scheme://authority/path?query#fragment` URI, checked the way
/// `URI.create` checks them (illegal characters, broken `%` escapes), still encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parts<'a> {
    scheme: &'a str,
    authority: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn parse(url: &str) -> Result<Parts<'_>, String> {
    if let Some(c) = url.chars().find(|c| is_illegal(*c)) {
        return Err(format!("illegal character {c:?} in the URL {url:?}"));
    }
    let bytes = url.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%'
            && !(i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit())
        {
            return Err(format!("malformed escape in the URL {url:?}"));
        }
    }
    let (rest, fragment) = match url.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (url, None),
    };
    if fragment.is_some_and(|f| f.contains('#')) {
        return Err(format!("two fragments in the URL {url:?}"));
    }
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let Some((scheme, rest)) = rest.split_once("://") else {
        return Err(format!("not an absolute http URL: {url:?}"));
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err(format!("not an absolute http URL: {url:?}"));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    Ok(Parts {
        scheme,
        authority,
        path,
        query,
        fragment,
    })
}

/// Decodes `%XX` escapes as UTF-8 (invalid sequences replaced), as `URI.getPath()` and
/// friends do.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| char::from(b).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The host of an authority (user info and port removed); `"null"` when there is none, as
/// Java's string concatenation writes a missing host.
fn host_and_port(authority: &str) -> (String, Option<u16>) {
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if hostport.starts_with('[') {
        match hostport.split_once(']') {
            Some((h, rest)) => (
                format!("{h}]"),
                rest.strip_prefix(':').and_then(|p| p.parse().ok()),
            ),
            None => (hostport.to_owned(), None),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), p.parse().ok()),
            None => (hostport.to_owned(), None),
        }
    };
    if host.is_empty() {
        ("null".into(), port)
    } else {
        (host, port)
    }
}

/// `URLEncoder.encode(value, "UTF-8")`: letters, digits and `.-*_` kept, space as `+`,
/// everything else as `%XX` (uppercase) of its UTF-8 bytes.
pub(crate) fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Appends one `key=value` to a URL as the platform does: the URL is taken apart, its path,
/// query and fragment decoded, user info dropped, and it is written again as
/// `scheme://host[:port]path?query[&key=value][#fragment]`.
pub(crate) fn append_param(url: &str, key: &str, value: &str) -> Result<String, String> {
    let parts = parse(url)?;
    let (host, port) = host_and_port(parts.authority);
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    let path = decode(parts.path);
    let pair = format!("{key}={}", form_encode(value));
    let query = match parts.query.map(decode).filter(|q| !q.is_empty()) {
        Some(q) => format!("{q}&{pair}"),
        None => pair,
    };
    let fragment = parts
        .fragment
        .map(|f| format!("#{}", decode(f)))
        .unwrap_or_default();
    Ok(format!(
        "{}://{host}{port}{path}?{query}{fragment}",
        parts.scheme
    ))
}

/// The URL of the next request: the `<next>` URL with `call_id`, `type` and each result
/// (in the order given) appended, then checked as the HTTP client checks it.
pub(crate) fn next_request_url(
    next: &str,
    call_id: &str,
    action: Option<&str>,
    results: &[(&str, String)],
) -> Result<String, String> {
    let mut target = append_param(next, "call_id", call_id)?;
    if let Some(action) = action {
        target = append_param(&target, "type", action)?;
    }
    for (key, value) in results {
        target = append_param(&target, key, value)?;
    }
    parse(&target)?;
    Ok(ascii(&target))
}

/// `URI.toASCIIString()`: every non-ASCII character written as `%XX` of its UTF-8 bytes.
pub(crate) fn ascii(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Whether a URL is absolute as the platform's resolver sees it (`[a-z0-9.+-]+://`, any case).
fn is_absolute(url: &str) -> bool {
    url.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
    })
}

/// Resolves a `<next>` URL against the URL that returned the document: an absolute URL is
/// kept, a relative one is resolved (RFC 3986); with no base (the first document of an
/// inbound call, run after the answer) a relative URL cannot be resolved.
pub(crate) fn resolve(base: Option<&str>, next: &str) -> Result<String, String> {
    if is_absolute(next) {
        return Ok(next.to_owned());
    }
    let Some(base) = base.filter(|b| !b.trim().is_empty()) else {
        return Err(format!(
            "the relative <next> {next:?} has no base URL to be resolved against"
        ));
    };
    let parts = parse(base)?;
    let origin = format!("{}://{}", parts.scheme, parts.authority);
    if let Some(rest) = next.strip_prefix("//") {
        return Ok(format!("{}://{rest}", parts.scheme));
    }
    if next.starts_with('/') {
        return Ok(format!("{origin}{}", remove_dots(next)));
    }
    if next.starts_with('?') {
        return Ok(format!("{origin}{}{next}", parts.path));
    }
    if next.starts_with('#') || next.is_empty() {
        let query = parts.query.map(|q| format!("?{q}")).unwrap_or_default();
        return Ok(format!("{origin}{}{query}{next}", parts.path));
    }
    let dir = match parts.path.rfind('/') {
        Some(i) => &parts.path[..=i],
        None => "/",
    };
    Ok(format!("{origin}{}", remove_dots(&format!("{dir}{next}"))))
}

/// Removes `.` and `..` segments of a path (its query and fragment left alone).
fn remove_dots(target: &str) -> String {
    let split = target.find(['?', '#']).unwrap_or(target.len());
    let (path, tail) = target.split_at(split);
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    format!("{}{tail}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_urls_as_the_platform_builds_them() {
        let cid = "8a2bc6725b1d2e3f015b1d2f40a100c9";
        let url = |next: &str, action, results: &[(&str, String)]| {
            next_request_url(next, cid, Some(action), results).unwrap()
        };
        assert_eq!(
            url("http://h/ivr/next", "play", &[]),
            format!("http://h/ivr/next?call_id={cid}&type=play")
        );
        assert_eq!(
            url(
                "http://u:p@h:8080/ivr/next?step=menu&lang=zh#frag",
                "get",
                &[("keys", "12#".into())]
            ),
            format!(
                "http://h:8080/ivr/next?step=menu&lang=zh&call_id={cid}&type=get&keys=12%23#frag"
            )
        );
        assert_eq!(
            url(
                "http://h/n?x=%41%7E&name=%E4%B8%80%E7%BA%A7",
                "play",
                &[("error", "play error".into())]
            ),
            format!(
                "http://h/n?x=A~&name=%E4%B8%80%E7%BA%A7&call_id={cid}&type=play&error=play+error"
            )
        );
        // An escaped & becomes a separator; an escaped space makes the request fail.
        assert_eq!(
            url("http://h/n?a=1%262", "pause", &[]),
            format!("http://h/n?a=1&2&call_id={cid}&type=pause")
        );
        assert!(next_request_url("http://h/n?a=%20", cid, Some("play"), &[]).is_err());
        assert!(next_request_url("http://h/a b", cid, Some("play"), &[]).is_err());
        assert!(next_request_url("not a url", cid, Some("play"), &[]).is_err());
    }

    /// The queries the vectors pin as the server's: rebuilt from the typed view (the URL's own
    /// parameters, then `call_id`, `type` and the results in the server's order).
    #[test]
    fn the_vectors_next_queries() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/ivr.json");
        let vectors: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut checked = 0;
        for v in vectors["next"].as_array().unwrap() {
            let query = v["query"].as_str().unwrap();
            if v["source"] != "server" || query.contains('/') {
                continue;
            }
            let e = &v["expect"];
            let own: Vec<String> = e["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    format!(
                        "{}={}",
                        p[0].as_str().unwrap(),
                        ascii(p[1].as_str().unwrap())
                    )
                })
                .collect();
            let base = if own.is_empty() {
                "http://app.example.com/ivr/next".to_owned()
            } else {
                format!("http://app.example.com/ivr/next?{}", own.join("&"))
            };
            let results: Vec<(&str, String)> = ["keys", "record_id", "error"]
                .into_iter()
                .filter_map(|k| e[k].as_str().map(|x| (k, x.to_owned())))
                .collect();
            let url = next_request_url(
                &base,
                e["call_id"].as_str().unwrap(),
                e["action"].as_str(),
                &results,
            )
            .unwrap();
            assert_eq!(url.split_once('?').unwrap().1, query, "{}", v["name"]);
            checked += 1;
        }
        assert!(checked >= 20, "only {checked} queries");
    }

    #[test]
    fn relative_next_urls() {
        let base = Some("http://h:1/app/ivr/start?x=1");
        assert_eq!(resolve(base, "menu").unwrap(), "http://h:1/app/ivr/menu");
        assert_eq!(resolve(base, "/menu").unwrap(), "http://h:1/menu");
        assert_eq!(
            resolve(base, "../menu?a=b").unwrap(),
            "http://h:1/app/menu?a=b"
        );
        assert_eq!(
            resolve(base, "?a=b").unwrap(),
            "http://h:1/app/ivr/start?a=b"
        );
        assert_eq!(resolve(base, "HTTPS://o/x").unwrap(), "HTTPS://o/x");
        assert!(resolve(None, "menu").is_err());
        assert_eq!(resolve(None, "http://o/x").unwrap(), "http://o/x");
    }
}
