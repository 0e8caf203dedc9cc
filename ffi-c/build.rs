//! Gives the shared library its SONAME on ELF platforms: `libyunhuni.so.MAJOR` (so
//! `libyunhuni.so.0` for 0.1.0), the name `scripts/dist --install` gives the symlink to
//! `libyunhuni.so.MAJOR.MINOR.PATCH`.
//!
//! A program linked with `-lyunhuni` records the SONAME as the library it needs, so the build
//! directory gets a `libyunhuni.so.MAJOR` symlink next to `libyunhuni.so` as well: that keeps
//! `LD_LIBRARY_PATH=target/release ./program` and `-Wl,-rpath,target/release` working.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let elf = !matches!(
        os.as_str(),
        "macos" | "ios" | "windows" | "tvos" | "watchos" | "visionos"
    );
    if !elf {
        return;
    }
    let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets CARGO_PKG_VERSION_MAJOR");
    let soname = format!("libyunhuni.so.{major}");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");

    // OUT_DIR is <profile dir>/build/<package>-<hash>/out; the library lands in <profile dir>.
    let Some(out_dir) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let Some(profile_dir) = out_dir.ancestors().nth(3) else {
        return;
    };
    let link = profile_dir.join(&soname);
    if std::fs::symlink_metadata(&link).is_err() {
        // Best effort: a read-only or unusual target directory only loses the convenience.
        #[cfg(unix)]
        let _ = std::os::unix::fs::symlink("libyunhuni.so", &link);
    }
}
