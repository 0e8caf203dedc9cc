//! `YUNHUNI_LOG=debug` or `--verbose`: the SDK's log records (each request, each parsed event)
//! on stderr, through a logger of a few lines for the `log` facade that core logs to.

use crate::output::clean;
use log::{LevelFilter, Log, Metadata, Record};

/// The variable that sets the level: `off` (the default), `error`, `warn`, `info`, `debug` or
/// `trace`.
pub const VARIABLE: &str = "YUNHUNI_LOG";

/// Writes the records of the SDK (target `yunhuni`) to stderr, one line each, their text
/// cleaned of control characters. Other crates' records (the HTTP library's among them, which
/// may show headers) are never written.
struct StderrLog;

impl Log for StderrLog {
    fn enabled(&self, metadata: &Metadata) -> bool {
        let target = metadata.target();
        metadata.level() <= log::max_level()
            && (target == "yunhuni" || target.starts_with("yunhuni::"))
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            let level = record.level().as_str().to_ascii_lowercase();
            let text = record.args().to_string();
            eprintln!("[yunhuni {level}] {}", clean(&text));
        }
    }

    fn flush(&self) {}
}

/// The level `YUNHUNI_LOG` asks for (`Ok(None)` when unset or empty), or the value that is not
/// a level.
fn level_from_env() -> Result<Option<LevelFilter>, String> {
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
        .map_err(|_| text.to_owned())
}

/// Turns logging on when `YUNHUNI_LOG` or `verbose` asks for it (`verbose` is at least
/// `debug`); off otherwise. A value of `YUNHUNI_LOG` that is not a level is named on stderr and
/// leaves logging as `verbose` sets it.
pub fn init(verbose: bool) {
    let from_env = level_from_env().unwrap_or_else(|bad| {
        eprintln!(
            "warning: {VARIABLE}={} is not one of off, error, warn, info, debug, trace; ignored",
            clean(&bad)
        );
        None
    });
    let level = match (from_env, verbose) {
        (Some(level), true) => level.max(LevelFilter::Debug),
        (Some(level), false) => level,
        (None, true) => LevelFilter::Debug,
        (None, false) => LevelFilter::Off,
    };
    if level != LevelFilter::Off && log::set_logger(&StderrLog).is_ok() {
        log::set_max_level(level);
    }
}
