//! What a `<next>` URL must be for the platform to request it as written.
//!
//! The platform resolves `<next>` against nothing it can rely on (the first reply to an inbound
//! call has no base URL), parses it with `java.net.URI`, then rebuilds it from the parsed parts
//! before adding its own parameters (`spec/platform-notes-2.md` §2.4, §2.7): user info is
//! dropped, percent-escapes in the path, query and fragment are decoded, a host that Java
//! cannot parse as a host name becomes `null`. [`check_next_url`] refuses every URL that would
//! not arrive as written.

/// The query parameters the platform adds to every `<next>` request.
pub const PLATFORM_PARAMS: [&str; 5] = ["call_id", "type", "keys", "record_id", "error"];

/// The most characters of a `<next>` URL (the schema's `url` type).
pub const MAX_URL_CHARS: usize = 1024;

/// Checks a `<next>` URL; the error says what is wrong and what the platform would do with it.
pub fn check_next_url(url: &str) -> Result<(), String> {
    let chars = url.chars().count();
    if chars == 0 {
        return Err("is empty: leave <next> out to end the call after the action".into());
    }
    if chars > MAX_URL_CHARS {
        return Err(format!(
            "is {chars} characters; the platform's schema takes at most {MAX_URL_CHARS}"
        ));
    }
    if let Some(c) = url.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "contains {}, which the platform cannot request, escaped or not (it decodes escapes first)",
            describe_char(c)
        ));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err("is not an absolute URL: the platform cannot resolve a relative <next> in the first reply to an inbound call; write it in full, with http:// or https://".into());
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(format!(
            "has the scheme \"{scheme}\"; the platform requests only http:// and https:// URLs"
        ));
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    check_authority(authority)?;
    check_tail(tail)
}

fn describe_char(c: char) -> String {
    if c == ' ' {
        "a space".into()
    } else if c.is_ascii_graphic() {
        format!("`{c}`")
    } else {
        format!("U+{:04X}", c as u32)
    }
}

fn check_authority(authority: &str) -> Result<(), String> {
    if authority.is_empty() {
        return Err("has no host".into());
    }
    if authority.contains('@') {
        return Err(
            "has user info (`user@`), which the platform drops before it requests the URL".into(),
        );
    }
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err("has a `[` that does not close an IPv6 address".into());
        };
        let (v6, after) = (&inner[..close], &inner[close + 1..]);
        if v6.is_empty()
            || !v6
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(format!("has the host [{v6}], which is not an IPv6 address"));
        }
        match after {
            "" => (None, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (None, Some(port)),
                None => return Err("has text after its IPv6 address".into()),
            },
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(authority), None),
        }
    };
    if let Some(host) = host {
        if !is_host(host) {
            return Err(format!(
                "has the host \"{host}\", which the platform's URL parser does not read as a host (letters, digits and inner hyphens in dot-separated labels, the last starting with a letter, or an IPv4 address; write other names in their ASCII xn-- form)"
            ));
        }
    }
    if let Some(port) = port {
        let ok = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && (1..=65535).contains(&port.parse::<u32>().unwrap_or(0));
        if !ok {
            return Err(format!(
                "has the port \"{port}\"; a port is a number from 1 to 65535"
            ));
        }
    }
    Ok(())
}

/// A host name or IPv4 address as `java.net.URI` reads a server-based authority.
fn is_host(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let ipv4 = labels.len() == 4
        && labels.iter().all(|l| {
            !l.is_empty() && l.len() <= 3 && l.bytes().all(|b| b.is_ascii_digit()) && {
                l.parse::<u16>().is_ok_and(|n| n <= 255)
            }
        });
    if ipv4 {
        return true;
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|l| l.as_bytes()[0].is_ascii_alphabetic())
}

/// The path, query and fragment: characters `java.net.URI` accepts, and percent-escapes that
/// mean the same once the platform has decoded them.
fn check_tail(tail: &str) -> Result<(), String> {
    let (before_fragment, fragment) = match tail.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (tail, None),
    };
    if fragment.is_some_and(|f| f.contains('#')) {
        return Err("has a second `#`".into());
    }
    for c in tail.chars() {
        let bad =
            c.is_ascii() && !(c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?#%".contains(c));
        if bad {
            return Err(format!(
                "contains {}, which the platform's URL parser refuses, escaped or not (it decodes escapes first)",
                describe_char(c)
            ));
        }
    }
    check_escapes(tail)?;
    if let Some((_, query)) = before_fragment.split_once('?') {
        for pair in query.split('&') {
            let name = pair.split_once('=').map_or(pair, |(n, _)| n);
            let name = decode_unreserved(name);
            if PLATFORM_PARAMS.contains(&name.as_str()) {
                return Err(format!(
                    "has its own query parameter `{name}`, which the platform adds to every next request: the application would read the wrong one; rename it"
                ));
            }
        }
    }
    Ok(())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Every `%XX` escape decodes to an unreserved ASCII character or to part of a valid UTF-8
/// sequence of a character the parser accepts as it is.
fn check_escapes(tail: &str) -> Result<(), String> {
    let bytes = tail.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        let mut run = Vec::new();
        let start = i;
        while i < bytes.len() && bytes[i] == b'%' {
            let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) else {
                return Err(format!(
                    "has a `%` not followed by two hex digits at {}",
                    quote_escape(&tail[start..tail.len().min(i + 3)])
                ));
            };
            run.push(h * 16 + l);
            i += 3;
        }
        let text = &tail[start..i];
        let mut j = 0;
        while j < run.len() {
            let b = run[j];
            if b < 0x80 {
                let c = b as char;
                if !(c.is_ascii_alphanumeric() || "-._~".contains(c)) {
                    return Err(format!(
                        "has the escape %{b:02X} ({}): the platform decodes percent-escapes before it requests the URL, so it would arrive as {}",
                        quote_escape(text),
                        describe_char(c)
                    ));
                }
                j += 1;
                continue;
            }
            let len = match b {
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF4 => 4,
                _ => 0,
            };
            let decoded = run
                .get(j..j + len.max(1))
                .and_then(|s| std::str::from_utf8(s).ok())
                .and_then(|s| s.chars().next());
            match decoded {
                Some(c) if len > 0 && !c.is_whitespace() && !c.is_control() => j += len,
                _ => {
                    return Err(format!(
                        "has the escapes {}, which do not decode to a printable UTF-8 character: the platform decodes escapes before it requests the URL",
                        quote_escape(text)
                    ))
                }
            }
        }
    }
    Ok(())
}

fn quote_escape(text: &str) -> String {
    format!("\"{text}\"")
}

/// `text` with its escapes of unreserved characters decoded (for comparing parameter names).
fn decode_unreserved(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                let b = h * 16 + l;
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    out.push(b as char);
                    i += 3;
                    continue;
                }
            }
        }
        let c = text[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_the_platform_requests_as_written() {
        for url in [
            "http://app.example.com/ivr/next",
            "https://app.example.com:8443/ivr/next?step=menu&lang=zh#x",
            "HTTPS://APP.EXAMPLE.COM",
            "http://10.0.0.1/a",
            "http://[::1]:8080/a",
            "http://example.com./a",
            "http://a-b.example.com/%E8%8F%9C%E5%8D%95?x=%41",
            "http://example.com/菜单?x=一",
            "http://example.com/a?step=menu+one&x=y=z",
        ] {
            assert_eq!(check_next_url(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn urls_the_platform_misreads() {
        for (url, says) in [
            ("", "empty"),
            ("/ivr/next", "not an absolute URL"),
            ("ivr/next", "not an absolute URL"),
            ("ftp://example.com/a", "only http"),
            ("http://user:pw@example.com/a", "user info"),
            ("http://my_app.local/a", "host"),
            ("http://-a.example.com/a", "host"),
            ("http://example.123/a", "host"),
            ("http://例子.com/a", "host"),
            ("http://example.com:0/a", "port"),
            ("http://example.com:99999/a", "port"),
            ("http://example.com:/a", "port"),
            ("http:///a", "no host"),
            ("http://example.com/a b", "a space"),
            ("http://example.com/a\tb", "U+0009"),
            ("http://example.com/a|b", "`|`"),
            ("http://example.com/a?x=<b>", "`<`"),
            ("http://example.com/a?x=a%26b", "%26"),
            ("http://example.com/a%2Fb", "%2F"),
            ("http://example.com/a%20b", "%20"),
            ("http://example.com/a%25", "%25"),
            ("http://example.com/a%zz", "two hex digits"),
            ("http://example.com/a%4", "two hex digits"),
            ("http://example.com/a%E8%8F", "UTF-8"),
            ("http://example.com/a%C2%A0", "UTF-8"),
            ("http://example.com/a?type=menu", "`type`"),
            ("http://example.com/a?x=1&call_id=2", "`call_id`"),
            ("http://example.com/a?%74ype=1", "`type`"),
            ("http://example.com/a#b#c", "second `#`"),
            ("http://[zz]/a", "IPv6"),
        ] {
            let err = check_next_url(url).expect_err(url);
            assert!(err.contains(says), "{url}: {err}");
        }
        assert!(check_next_url(&format!("http://e.com/{}", "a".repeat(1011))).is_ok());
        let err = check_next_url(&format!("http://e.com/{}", "a".repeat(1012))).unwrap_err();
        assert!(err.contains("1025 characters"), "{err}");
    }
}
