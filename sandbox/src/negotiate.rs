//! Content negotiation of the gateway's answers (platform notes-2 §1.4): the envelope and the
//! error pages can only be written as JSON, so a request that does not admit JSON gets
//! HTTP 406 with an empty body, after its handler has run.
//!
//! What the request admits is read as the server's web framework reads it:
//!
//! - For the API's envelope, a file extension on the path's last segment comes first:
//!   `.json` asks for JSON whatever the `Accept` header says; `.xml` and the extensions of the
//!   JVM's default MIME table (`.txt`, `.html`, `.png`, ...) ask for something else (406);
//!   other extensions are ignored. Error pages (404, 405) are rendered for the error path,
//!   which has no extension: only `Accept` counts.
//! - `Accept` (only the first such header): absent or empty admits everything. It is split
//!   at each comma (with the whitespace after it); every range must parse (`type/subtype`,
//!   tokens only, `*` for `*/*`, `*/x` refused, parameters `name=value` with a token or quoted
//!   value, `q` between 0 and 1, `charset` a charset the JVM knows), else nothing is admitted.
//!   JSON is admitted by `*/*`, `application/*`, `application/json` (any parameters, even
//!   `q=0`) and concrete `application/x+json` types; not by `application/*+json`,
//!   `text/json` or `application/x-json`.

use crate::http::Response;

/// The names and aliases of the charsets the JVM supports, one charset a line.
const CHARSETS: &str = include_str!("charsets.txt");

/// Extensions with a media type other than JSON: `xml`, registered by the framework, and the
/// JVM's default MIME table.
const NON_JSON_EXTENSIONS: &[&str] = &[
    "xml", "html", "htm", "txt", "text", "gif", "ief", "jpeg", "jpg", "jpe", "tiff", "tif", "png",
    "xwd", "ai", "eps", "ps", "rtf", "tex", "texinfo", "texi", "t", "tr", "roff", "au", "midi",
    "mid", "aifc", "aif", "aiff", "mpeg", "mpg", "wav", "mpe", "qt", "mov", "avi",
];

/// The answer to an API request: the envelope, or 406 when the path's extension or the
/// `Accept` header does not admit JSON.
pub(crate) fn envelope(path: &str, accept: Option<&str>, response: Response) -> Response {
    let admitted = match extension(path) {
        Some(ext) if ext == "json" => true,
        Some(ext) if NON_JSON_EXTENSIONS.contains(&ext.as_str()) => false,
        _ => admits_json(accept),
    };
    if admitted {
        response
    } else {
        Response::new(406)
    }
}

/// An error page (404, 405), or 406 when `Accept` does not admit JSON.
pub(crate) fn error_page(accept: Option<&str>, page: Response) -> Response {
    if admits_json(accept) {
        page
    } else {
        Response::new(406)
    }
}

/// The lowercase extension of the path's last segment (without its `;parameters`), if any.
fn extension(path: &str) -> Option<String> {
    let file = path.rsplit('/').next().unwrap_or("");
    let file = file.split(';').next().unwrap_or("");
    let (_, ext) = file.rsplit_once('.')?;
    (!ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// Java's `String.trim`: every character up to U+0020 at either end.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// A media range of `Accept`: lowercase type and subtype.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Range {
    kind: String,
    subtype: String,
}

impl Range {
    fn wildcard_subtype(&self) -> bool {
        self.subtype == "*" || self.subtype.starts_with("*+")
    }

    fn concrete(&self) -> bool {
        self.kind != "*" && !self.wildcard_subtype()
    }

    /// The framework's `isCompatibleWith`.
    fn compatible(&self, other: &Range) -> bool {
        if self.kind == "*" || other.kind == "*" {
            return true;
        }
        if self.kind != other.kind {
            return false;
        }
        if self.subtype == other.subtype {
            return true;
        }
        if !(self.wildcard_subtype() || other.wildcard_subtype()) {
            return false;
        }
        match (self.subtype.split_once('+'), other.subtype.split_once('+')) {
            (None, None) => true,
            (Some((a, a_suffix)), Some((b, b_suffix))) => {
                a_suffix == b_suffix && (a == "*" || b == "*")
            }
            _ => false,
        }
    }
}

/// Whether an `Accept` header admits the JSON the gateway writes (`application/json`, or a
/// concrete `application/*+json` type).
pub(crate) fn admits_json(accept: Option<&str>) -> bool {
    let Some(accept) = accept.filter(|a| !a.is_empty()) else {
        return true;
    };
    let Some(ranges) = parse_accept(accept) else {
        return false;
    };
    if ranges.is_empty() {
        return true;
    }
    let json = Range {
        kind: "application".into(),
        subtype: "json".into(),
    };
    let plus_json = Range {
        kind: "application".into(),
        subtype: "*+json".into(),
    };
    ranges
        .iter()
        .any(|r| r.compatible(&json) || (r.compatible(&plus_json) && r.concrete()))
}

/// Splits as Java's `split(",\\s*")` does: at each comma and the whitespace after it, the
/// empty strings at the end dropped.
fn split_ranges(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(',') {
        out.push(&rest[..i]);
        rest = rest[i + 1..].trim_start_matches([' ', '\t', '\n', '\u{0B}', '\u{0C}', '\r']);
    }
    out.push(rest);
    while out.last() == Some(&"") {
        out.pop();
    }
    out
}

/// The media ranges of an `Accept` header, `None` when one does not parse.
fn parse_accept(accept: &str) -> Option<Vec<Range>> {
    split_ranges(accept).into_iter().map(parse_range).collect()
}

fn is_token(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii() && c > ' ' && c != '\u{7F}' && !"()<>@,;:\\\"/[]?={}".contains(c))
}

fn quoted(s: &str) -> bool {
    s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')))
}

fn unquote(s: &str) -> &str {
    if quoted(s) {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

fn parse_range(token: &str) -> Option<Range> {
    if token.is_empty() {
        return None;
    }
    let parts: Vec<&str> = token
        .split(';')
        .map(java_trim)
        .filter(|p| !p.is_empty())
        .collect();
    // A range of only `;` makes the server fail (500); it is not admitted here either.
    let full = java_trim(parts.first()?);
    let full = if full == "*" { "*/*" } else { full };
    let (kind, subtype) = full.split_once('/')?;
    if subtype.is_empty() || kind.is_empty() || (kind == "*" && subtype != "*") {
        return None;
    }
    if !is_token(kind) || !is_token(subtype) {
        return None;
    }
    // Later parameters of the same name replace earlier ones.
    let mut params: Vec<(&str, &str)> = Vec::new();
    for p in &parts[1..] {
        if let Some((name, value)) = p.split_once('=') {
            params.retain(|(n, _)| *n != name);
            params.push((name, value));
        }
    }
    for (name, value) in params {
        if name.is_empty() || value.is_empty() || !is_token(name) {
            return None;
        }
        if name == "charset" {
            if !known_charset(unquote(value)) {
                return None;
            }
        } else if !quoted(value) && !is_token(value) {
            return None;
        }
        if name == "q" {
            let q = java_parse_double(unquote(value))?;
            if !(0.0..=1.0).contains(&q) {
                return None;
            }
        }
    }
    Some(Range {
        kind: kind.to_ascii_lowercase(),
        subtype: subtype.to_ascii_lowercase(),
    })
}

fn known_charset(name: &str) -> bool {
    CHARSETS
        .split_ascii_whitespace()
        .any(|c| c.eq_ignore_ascii_case(name))
}

/// Java's `Double.parseDouble` for decimal text: trimmed, an optional sign, `NaN`, `Infinity`
/// or digits with an optional point and exponent, an optional `f`/`d` suffix.
fn java_parse_double(s: &str) -> Option<f64> {
    let t = java_trim(s);
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let value = match unsigned {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        _ => {
            let core = unsigned
                .strip_suffix(['f', 'F', 'd', 'D'])
                .unwrap_or(unsigned);
            let (mantissa, exponent) = match core.find(['e', 'E']) {
                Some(i) => (&core[..i], Some(&core[i + 1..])),
                None => (core, None),
            };
            let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
            let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
            if !(digits(int) && digits(frac)) || (int.is_empty() && frac.is_empty()) {
                return None;
            }
            if let Some(e) = exponent {
                let e = e.strip_prefix(['+', '-']).unwrap_or(e);
                if e.is_empty() || !digits(e) {
                    return None;
                }
            }
            core.parse::<f64>().ok()?
        }
    };
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outcomes computed with the server's web framework (the gateway's version): whether
    /// the envelope is written (true) or the answer is 406 (false).
    #[test]
    fn accept_headers() {
        let cases: &[(&str, bool)] = &[
            ("text/plain", false),
            ("text/html", false),
            ("*/*", true),
            ("application/*", true),
            ("application/json", true),
            ("APPLICATION/JSON", true),
            ("application/json;q=0", true),
            ("text/plain, application/json;q=0.1", true),
            ("application/*+json", false),
            ("application/vnd.x+json", true),
            ("application/problem+json;q=0.5", true),
            ("*/json", false),
            ("garbage", false),
            (",application/json", false),
            ("application/json,", true),
            ("application/json;q=2", false),
            ("application/json;charset=foo", false),
            ("application/json;charset=utf-8", true),
            ("application/json; q=abc", false),
            ("application/json;x", true),
            ("*", true),
            ("*; q=.2", true),
            ("application/", false),
            ("application/js on", false),
            ("application/json, text/plain;q=abc", false),
            ("application/x-json", false),
            ("text/json", false),
            ("\"application/json\"", false),
            ("application/json, ;", false),
            (";application/json", true),
            (",", true),
            ("text/plain,,application/json", false),
            ("text/plain, , application/json", false),
            ("text/plain ,application/json", true),
            ("application/json;q=0.5e0", true),
            ("application/json;q=NaN", false),
            ("application/json;q=\"0.5\"", true),
            ("application/json;q=1.0f", true),
            ("application/json;q= 0.5", false),
            ("application/json;q =0.5", false),
            ("application/json;charset=\"utf-8\"", true),
            ("application/json;charset=latin1", true),
            ("application/json;charset=GBK", true),
            ("application/json;charset=UTF8", true),
            ("application/json;a=", false),
            ("application/json;=b", false),
            ("application/json;a=\"b c\"", true),
            ("application/json;a=b c", false),
            ("application/json;a='b c'", true),
            ("/json", false),
            ("*/*;q=0", true),
            ("application/*;q=0.1", true),
            ("application/*+json;q=1, text/plain", false),
            ("application/*a+json", true),
            ("application/json+x", false),
            ("application/x+json+y", false),
            ("Application/Vnd.A+JSON", true),
            ("application/vnd.a+xml", false),
            ("application/json\u{e9}", false),
            ("text/plain;q=1,*/*;q=0.01", true),
        ];
        for (accept, admitted) in cases {
            assert_eq!(admits_json(Some(accept)), *admitted, "{accept:?}");
        }
        assert!(admits_json(None));
        assert!(admits_json(Some("")));
    }

    #[test]
    fn extensions() {
        let ok = |path: &str, accept: Option<&str>| {
            envelope(path, accept, Response::new(200)).status == 200
        };
        let base = "/v1/account/x/call/duo_callback";
        assert!(ok(&format!("{base}.json"), Some("text/plain")));
        assert!(ok(&format!("{base}.JSON"), Some("text/plain")));
        assert!(ok(&format!("{base}.a.json"), Some("text/plain")));
        for ext in ["xml", "txt", "html", "png", "gif", "wav"] {
            assert!(!ok(&format!("{base}.{ext}"), None), "{ext}");
        }
        for ext in ["foo", "pdf", "js", "css", "csv", "json.a"] {
            assert!(ok(&format!("{base}.{ext}"), None), "{ext}");
            assert!(!ok(&format!("{base}.{ext}"), Some("text/plain")), "{ext}");
        }
        assert!(ok(&format!("{base}."), None));
        assert!(!ok(&format!("{base}."), Some("text/plain")));
        assert!(ok(&format!("{base};jsessionid=1.xml"), None));
        assert!(!ok("/v1/account/x.y/call/duo_callback", Some("text/plain")));
    }
}
