//! `YUNHUNI_LOG=debug` or `--verbose`: the SDK's log records (each request, each parsed event)
//! on stderr, through core's stderr logger (`yunhuni::logging`).

use crate::output::clean;
use log::LevelFilter;
use yunhuni::logging::{install_stderr, level_from_env, VARIABLE};

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
    install_stderr(level);
}
