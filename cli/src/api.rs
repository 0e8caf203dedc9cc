//! `yunhuni api`: any operation of the platform by its declared name.
//!
//! Every operation of [`yunhuni::ops::OPERATIONS`] is a subcommand of `api`, built at run time
//! from its declaration: its help lists the fields (type, required, rules, doc), and
//! `FIELD=VALUE` arguments set them, each value read as the field's declared type.

use crate::ops::{describe_rule, value_name, Connection};
use crate::output;
use clap::{Arg, ArgAction, ArgMatches, Args, FromArgMatches, Subcommand};
use serde_json::{json, Value};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;
use yunhuni::ops::{operation, BodyKind, Data, Field, Operation, Request, Shape, OPERATIONS};
use yunhuni::{CallCreated, Error};

/// Arguments of `yunhuni api`.
#[derive(Args, Debug)]
pub struct ApiArgs {
    /// List every operation (name, method, path, what it does), by family
    #[arg(long)]
    pub list: bool,

    #[command(subcommand)]
    pub call: Option<ApiCall>,
}

/// `yunhuni api NAME FIELD=VALUE ...`: an operation and its fields as typed.
#[derive(Debug)]
pub enum ApiCall {
    /// A declared operation (or an alias of one).
    Known {
        op: &'static Operation,
        fields: Vec<String>,
        compact: bool,
        conn: Connection,
    },
    /// A name no operation has: refused by core, naming it.
    Unknown { name: String, json: bool },
}

impl FromArgMatches for ApiCall {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let Some((name, sub)) = matches.subcommand() else {
            return Err(clap::Error::raw(
                clap::error::ErrorKind::MissingSubcommand,
                "name an operation, or pass --list",
            ));
        };
        let Some(op) = operation(name) else {
            let rest: Vec<&OsString> = sub
                .try_get_many::<OsString>("")
                .ok()
                .flatten()
                .map(Iterator::collect)
                .unwrap_or_default();
            return Ok(ApiCall::Unknown {
                name: name.to_owned(),
                json: rest.iter().any(|a| *a == "--json"),
            });
        };
        Ok(ApiCall::Known {
            op,
            fields: sub
                .get_many::<String>("fields")
                .map(|v| v.cloned().collect())
                .unwrap_or_default(),
            compact: sub.get_flag("compact"),
            conn: Connection::from_arg_matches(sub)?,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Subcommand for ApiCall {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        OPERATIONS
            .iter()
            .fold(cmd.allow_external_subcommands(true), |cmd, op| {
                cmd.subcommand(op_command(op))
            })
    }

    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_subcommands(cmd)
    }

    /// Every name: one that no operation has is refused by core, which names it.
    fn has_subcommand(_name: &str) -> bool {
        true
    }
}

/// The subcommand of one operation, with its help made from the declaration.
fn op_command(op: &'static Operation) -> clap::Command {
    let cmd = clap::Command::new(op.name)
        .arg(
            Arg::new("fields")
                .value_name("FIELD=VALUE")
                .num_args(1..)
                .action(ArgAction::Append)
                .help("A field and its value, read as the field's type (see Fields below)"),
        )
        .arg(
            Arg::new("compact")
                .long("compact")
                .action(ArgAction::SetTrue)
                .help("Print the data on one line"),
        );
    // The connection's flags first: their derive sets an `about` that the operation's replaces.
    let cmd = Connection::augment_args(cmd)
        .about(op.doc)
        .long_about(None)
        .after_help(op_help(op));
    match op.alias {
        Some(alias) => cmd.visible_alias(alias),
        None => cmd,
    }
}

/// What `yunhuni api NAME --help` shows after the options: the request, the answer and every
/// field, from the declaration.
fn op_help(op: &Operation) -> String {
    let mut out = String::new();
    let body = match op.body {
        BodyKind::Json => " with a JSON body",
        BodyKind::None => "",
    };
    let _ = writeln!(
        out,
        "Request: {} {}{body} (family {}, {})",
        op.method.as_str(),
        op.path,
        op.family,
        op.status
    );
    let _ = writeln!(out, "Answer (printed): {}", describe_data(op.data));
    let _ = writeln!(out);
    let usage = |f: &Field| format!("{}=<{}>", f.name, value_name(f.ty));
    if op.fields.is_empty() {
        let _ = writeln!(out, "Fields: none");
    } else {
        let _ = writeln!(
            out,
            "Fields (integers in decimal, true|false, lists as JSON or a,b,c):"
        );
        let width = op.fields.iter().map(|f| usage(f).len()).max().unwrap_or(0);
        for f in op.fields {
            let _ = writeln!(out, "  {:width$}  {}", usage(f), field_facts(f));
            let _ = writeln!(out, "  {:width$}  {}", "", f.doc);
        }
    }
    let example: Vec<String> = op.fields.iter().filter(|f| f.required).map(usage).collect();
    let _ = writeln!(out);
    let _ = write!(
        out,
        "Example:\n  yunhuni api {} {}",
        op.name,
        example.join(" ")
    );
    out.trim_end().to_owned()
}

/// `integer, required, 1-21600`: a field's type, whether it is required, and its rules.
fn field_facts(f: &Field) -> String {
    let mut facts = vec![
        f.ty.describe().to_owned(),
        if f.required { "required" } else { "optional" }.to_owned(),
    ];
    for rule in f.rules {
        let rule = describe_rule(*rule);
        if !facts.contains(&rule) {
            facts.push(rule);
        }
    }
    facts.join(", ")
}

fn describe_data(data: Data) -> String {
    let shape = |s: &Shape| {
        let keys: Vec<_> = s.fields.iter().map(|f| f.name).collect();
        format!("{} {{{}}}", s.name, keys.join(", "))
    };
    match data {
        Data::Null => "null".into(),
        Data::Bool => "true".into(),
        Data::Str => "a string".into(),
        Data::Call => "the call placed {callId, user_data}".into(),
        Data::Object(s) => shape(s),
        Data::ObjectOrNull(s) => format!("{} or null", shape(s)),
        Data::List(s) => format!("a list of {}", shape(s)),
        Data::ListOrNull(s) => format!("a list of {}, or null", shape(s)),
        Data::Page(s) => format!("a page (result: a list of {})", shape(s)),
        Data::Unknown => "not known".into(),
    }
}

/// Runs `yunhuni api`.
pub fn run(args: &ApiArgs, json_out: bool) -> ExitCode {
    let call = match &args.call {
        Some(call) if !args.list => call,
        _ => {
            list(json_out);
            return ExitCode::SUCCESS;
        }
    };
    let result = match call {
        ApiCall::Unknown { name, json } => return fail(&unknown(name), json_out || *json),
        ApiCall::Known {
            op,
            fields,
            compact,
            conn,
        } => send(op, fields, conn).map(|data| print_data(&data, *compact)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e, json_out),
    }
}

fn fail(err: &Error, json_out: bool) -> ExitCode {
    ExitCode::from(output::report(err, json_out))
}

fn unknown(name: &str) -> Error {
    match Request::new(name) {
        Err(e) => e,
        Ok(_) => Error::validation("operation", format!("{name:?} cannot be called here")),
    }
}

/// Builds the request from `FIELD=VALUE` arguments, then sends it.
fn send(op: &'static Operation, fields: &[String], conn: &Connection) -> Result<Value, Error> {
    let mut request = Request::of(op);
    for arg in fields {
        let Some((key, text)) = arg.split_once('=') else {
            return Err(Error::validation(
                arg.as_str(),
                format!("has no value; write {arg}=VALUE"),
            ));
        };
        if key.is_empty() {
            return Err(Error::validation(
                arg.as_str(),
                "has no field name; write FIELD=VALUE",
            ));
        }
        request.set_text(&key.replace('-', "_"), text)?;
    }
    request.validate()?;
    let data = conn.client()?.send(&request)?;
    if op.data == Data::Call {
        // A call was placed only if the answer names it: one without a call id is a decode
        // error, as every language's typed surface makes it.
        CallCreated::from_data(data.clone())?;
    }
    Ok(data)
}

fn print_data(data: &Value, compact: bool) {
    print_text(&(output::json_text(data, !compact) + "\n"));
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn print_text(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Prints every operation, grouped by family in the order of the declarations.
fn list(json_out: bool) {
    if json_out {
        let ops: Vec<Value> = OPERATIONS
            .iter()
            .map(|op| {
                json!({
                    "name": op.name,
                    "family": op.family,
                    "method": op.method.as_str(),
                    "path": op.path,
                    "doc": op.doc,
                    "alias": op.alias,
                    "status": op.status,
                })
            })
            .collect();
        print_text(&format!("{}\n", Value::Array(ops)));
        return;
    }
    let name_width = OPERATIONS.iter().map(|o| o.name.len()).max().unwrap_or(0);
    let path_width = OPERATIONS.iter().map(|o| o.path.len()).max().unwrap_or(0);
    let mut families: Vec<&str> = Vec::new();
    for op in OPERATIONS {
        if !families.contains(&op.family) {
            families.push(op.family);
        }
    }
    let mut out = String::new();
    for family in families {
        let ops: Vec<_> = OPERATIONS.iter().filter(|o| o.family == family).collect();
        let _ = writeln!(out, "{family} ({})", ops.len());
        for op in ops {
            let alias = op.alias.map(|a| format!(" (also {a})")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:name_width$}  {:6}  {:path_width$}  {}{alias}",
                op.name,
                op.method.as_str(),
                op.path,
                op.doc
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} operations; `yunhuni api NAME --help` shows an operation's fields.",
        OPERATIONS.len()
    );
    print_text(&out);
}
