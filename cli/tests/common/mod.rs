//! What the CLI's integration tests share: running the built `yunhuni` binary.

use std::process::{Command, Stdio};

/// Runs `yunhuni` with `args` (no stdin, no `YUNHUNI_LOG`): its exit code, stdout and stderr.
pub fn yunhuni(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yunhuni"))
        .args(args)
        .env_remove("YUNHUNI_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
