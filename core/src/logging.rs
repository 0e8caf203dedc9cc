//! The SDK's log records on stderr, for programs that turn them on with `YUNHUNI_LOG` (the
//! bindings and the command line) rather than installing a `log` backend of their own.
//!
//! Core logs every request and every parsed event through the `log` facade, target `yunhuni`,
//! level debug, never with a secret key or a signature. [`init_from_env`] installs a logger that
//! writes those records (and no other crate's: the HTTP library's may show headers) to stderr,
//! one line each, control characters escaped:
//!
//! ```text
//! [yunhuni debug] POST call/duo_callback -> 200 000000 in 3.1 ms
//! ```

use crate::error::escape_control;
use log::{LevelFilter, Log, Metadata, Record};
use std::cell::Cell;
use std::io::Write;

/// The variable that sets the level: `off` (the default), `error`, `warn`, `info`, `debug` or
/// `trace`.
pub const VARIABLE: &str = "YUNHUNI_LOG";

thread_local! {
    /// Set while a request whose client reports it elsewhere (a hook, a callback) is made.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Writes the SDK's records to stderr.
struct Stderr;

impl Log for Stderr {
    fn enabled(&self, metadata: &Metadata) -> bool {
        let target = metadata.target();
        metadata.level() <= log::max_level()
            && (target == "yunhuni" || target.starts_with("yunhuni::"))
    }

    fn log(&self, record: &Record) {
        if QUIET.with(Cell::get) || !self.enabled(record.metadata()) {
            return;
        }
        let level = record.level().as_str().to_ascii_lowercase();
        let text = escape_control(&record.args().to_string());
        // Never panics, whatever stderr is.
        let _ = writeln!(std::io::stderr().lock(), "[yunhuni {level}] {text}");
    }

    fn flush(&self) {}
}

/// The level `YUNHUNI_LOG` asks for: `Ok(None)` when it is unset or empty, `Err` with the value
/// (escaped, at most 100 characters) when it is not a level.
pub fn level_from_env() -> Result<Option<LevelFilter>, String> {
    let Some(value) = std::env::var_os(VARIABLE) else {
        return Ok(None);
    };
    let text = value.to_string_lossy();
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<LevelFilter>()
        .map(Some)
        .map_err(|_| escape_control(&text.chars().take(100).collect::<String>()))
}

/// Writes the SDK's records at `level` and above to stderr. False when the process already
/// has a logger (its own, or this one from an earlier call); `Off` installs nothing.
pub fn install_stderr(level: LevelFilter) -> bool {
    if level == LevelFilter::Off || log::set_logger(&Stderr).is_err() {
        return false;
    }
    log::set_max_level(level);
    true
}

/// Installs the stderr logger at the level `YUNHUNI_LOG` names; `Err` with the value when it
/// is not a level (nothing is installed then, and the caller says so its own way).
pub fn init_from_env() -> Result<(), String> {
    if let Some(level) = level_from_env()? {
        install_stderr(level);
    }
    Ok(())
}

/// Runs `body` with this thread's records kept off stderr when `quiet`: for the requests of a
/// client that reports them to a hook of its own.
pub fn quietly<T>(quiet: bool, body: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            QUIET.with(|q| q.set(self.0));
        }
    }
    let _restore = Restore(QUIET.with(|q| q.replace(quiet)));
    body()
}

/// True while [`quietly`] keeps this thread's records off stderr.
pub fn is_quiet() -> bool {
    QUIET.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_is_restored_after_the_body_even_when_it_panics() {
        assert!(!is_quiet());
        quietly(true, || {
            assert!(is_quiet());
            quietly(false, || assert!(!is_quiet()));
            assert!(is_quiet());
        });
        assert!(!is_quiet());
        let _ = std::panic::catch_unwind(|| quietly(true, || panic!("boom")));
        assert!(!is_quiet());
    }
}
