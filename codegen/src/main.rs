//! `scripts/codegen`: writes what each binding's toolchain needs written out, from core's
//! declarations (`yunhuni::ops`). Every file it writes starts with a line saying so.
//!
//! ```text
//! cargo run -p yunhuni-codegen            # write every generated file
//! cargo run -p yunhuni-codegen -- --check # exit 1 and name the files that are not current
//! ```

mod c;
mod events;
mod ivr;
mod java;
mod names;
mod node;
mod php;
mod php_ext;
mod php_ivr;
mod python;
mod rust;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// One generated file: its path from the repository root and its whole text.
pub struct Output {
    pub path: &'static str,
    pub text: String,
}

fn outputs() -> Vec<Output> {
    let mut all = Vec::new();
    all.extend(rust::outputs());
    all.extend(events::outputs());
    all.extend(python::outputs());
    all.extend(node::outputs());
    all.extend(c::outputs());
    all.extend(php::outputs());
    all.extend(java::outputs());
    all.extend(php_ext::outputs());
    all.extend(php_ivr::outputs());
    all
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate sits in the repository")
        .to_path_buf()
}

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = root();
    let mut stale = Vec::new();
    for out in outputs() {
        let path = root.join(out.path);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(out.text.as_str()) {
            continue;
        }
        if check {
            stale.push(out.path);
        } else {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).expect("create the folder of a generated file");
            }
            std::fs::write(&path, &out.text).expect("write a generated file");
            println!("wrote {}", out.path);
        }
    }
    if stale.is_empty() {
        if check {
            println!("generated files are current");
        }
        ExitCode::SUCCESS
    } else {
        for path in &stale {
            eprintln!("not current: {path} (run scripts/codegen)");
        }
        ExitCode::FAILURE
    }
}
