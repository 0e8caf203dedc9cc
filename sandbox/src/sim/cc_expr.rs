//! The call center's condition language (platform notes 2 §4.3): the `where` and `sort`
//! expressions of a queue condition, parsed and evaluated as the platform's engine does.
//!
//! A program is one or more statements, each ending with `;`; the last value counts. Literals:
//! integers, decimals, exponents (`1e2`), double-quoted strings, single-quoted characters,
//! `true`/`false`, dates `[yyyy-mm-dd]` and `[yyyy-mm-dd hh:mm:ss]`. Operators: `+ - * / %`,
//! `== != > < >= <=`, `&& ||`, parentheses. Functions: `get("skill")` (a number) and
//! `has("skill")` (a boolean), exactly one double-quoted argument. What the engine refuses is
//! refused here too: unary `!` and `-`, chained comparisons, the words `and`/`or`, `##`
//! comments, bare identifiers, a statement without `;`.

use std::fmt;

/// A value of the language.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Num(f64),
    Bool(bool),
    Str(String),
    Char(char),
    /// A date as seconds since the epoch (the literal's fields, no time zone).
    Date(i64),
}

/// Why an expression is refused (the platform answers `040402`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExprError(pub(crate) String);

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

type Res<T> = Result<T, ExprError>;

fn err<T>(msg: impl Into<String>) -> Res<T> {
    Err(ExprError(msg.into()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    And,
    Or,
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Lit(Val),
    Get(String),
    Has(String),
    Bin(Op, Box<Node>, Box<Node>),
}

/// A parsed program: its statements.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Program {
    statements: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Char(char),
    Date(i64),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    Semi,
}

fn lex(src: &str) -> Res<Vec<Tok>> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text: String = chars[start..i].iter().collect();
            let n: f64 = text
                .parse()
                .map_err(|_| ExprError(format!("{text:?} is not a number")))?;
            out.push(Tok::Num(n));
            continue;
        }
        if c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return err("a string is not closed"),
                    Some('"') => break,
                    Some('\\') => {
                        let e = chars
                            .get(i + 1)
                            .ok_or_else(|| ExprError("a string is not closed".into()))?;
                        s.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            other => *other,
                        });
                        i += 2;
                    }
                    Some(ch) => {
                        s.push(*ch);
                        i += 1;
                    }
                }
            }
            i += 1;
            out.push(Tok::Str(s));
            continue;
        }
        if c == '\'' {
            match (chars.get(i + 1), chars.get(i + 2)) {
                (Some(ch), Some('\'')) if *ch != '\'' => {
                    out.push(Tok::Char(*ch));
                    i += 3;
                    continue;
                }
                _ => return err("a character literal is one character in single quotes"),
            }
        }
        if c == '[' {
            let end = chars[i..]
                .iter()
                .position(|&ch| ch == ']')
                .ok_or_else(|| ExprError("a date is not closed with ]".into()))?;
            let text: String = chars[i + 1..i + end].iter().collect();
            out.push(Tok::Date(parse_date(&text)?));
            i += end + 1;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op2 = ["==", "!=", ">=", "<=", "&&", "||"]
            .into_iter()
            .find(|o| *o == two);
        if let Some(op) = op2 {
            out.push(Tok::Op(op));
            i += 2;
            continue;
        }
        if two == "##" {
            return err("## comments are not part of the language");
        }
        let tok = match c {
            '+' => Tok::Op("+"),
            '-' => Tok::Op("-"),
            '*' => Tok::Op("*"),
            '/' => Tok::Op("/"),
            '%' => Tok::Op("%"),
            '>' => Tok::Op(">"),
            '<' => Tok::Op("<"),
            '!' => return err("unary ! is not supported"),
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            ';' => Tok::Semi,
            other => return err(format!("unexpected character {other:?}")),
        };
        out.push(tok);
        i += 1;
    }
    Ok(out)
}

fn parse_date(text: &str) -> Res<i64> {
    let bad = || {
        ExprError(format!(
            "[{text}] is not a date (yyyy-mm-dd or yyyy-mm-dd hh:mm:ss)"
        ))
    };
    let (date, time) = match text.split_once(' ') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let d: Vec<&str> = date.split('-').collect();
    let [y, m, dd] = d.as_slice() else {
        return Err(bad());
    };
    let (y, m, dd) = (
        num(y).ok_or_else(bad)?,
        num(m).ok_or_else(bad)?,
        num(dd).ok_or_else(bad)?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&dd) {
        return Err(bad());
    }
    let mut secs = crate::time::days_from_civil(y, m, dd) * 86_400;
    if let Some(t) = time {
        let p: Vec<&str> = t.split(':').collect();
        let [h, mi, s] = p.as_slice() else {
            return Err(bad());
        };
        let (h, mi, s) = (
            num(h).ok_or_else(bad)?,
            num(mi).ok_or_else(bad)?,
            num(s).ok_or_else(bad)?,
        );
        if h > 23 || mi > 59 || s > 59 {
            return Err(bad());
        }
        secs += h * 3600 + mi * 60 + s;
    }
    Ok(secs)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn peek_op(&self, ops: &[&'static str]) -> Option<&'static str> {
        match self.peek() {
            Some(Tok::Op(o)) if ops.contains(o) => Some(o),
            _ => None,
        }
    }

    fn or(&mut self) -> Res<Node> {
        let mut left = self.and()?;
        while self.peek_op(&["||"]).is_some() {
            self.pos += 1;
            let right = self.and()?;
            left = Node::Bin(Op::Or, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Res<Node> {
        let mut left = self.cmp()?;
        while self.peek_op(&["&&"]).is_some() {
            self.pos += 1;
            let right = self.cmp()?;
            left = Node::Bin(Op::And, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn cmp(&mut self) -> Res<Node> {
        const CMP: [&str; 6] = ["==", "!=", ">", "<", ">=", "<="];
        let left = self.add()?;
        let Some(op) = self.peek_op(&CMP) else {
            return Ok(left);
        };
        self.pos += 1;
        let right = self.add()?;
        if self.peek_op(&CMP).is_some() {
            return err("chained comparisons are not supported");
        }
        let op = match op {
            "==" => Op::Eq,
            "!=" => Op::Ne,
            ">" => Op::Gt,
            "<" => Op::Lt,
            ">=" => Op::Ge,
            _ => Op::Le,
        };
        Ok(Node::Bin(op, Box::new(left), Box::new(right)))
    }

    fn add(&mut self) -> Res<Node> {
        let mut left = self.mul()?;
        while let Some(o) = self.peek_op(&["+", "-"]) {
            self.pos += 1;
            let right = self.mul()?;
            let op = if o == "+" { Op::Add } else { Op::Sub };
            left = Node::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn mul(&mut self) -> Res<Node> {
        let mut left = self.primary()?;
        while let Some(o) = self.peek_op(&["*", "/", "%"]) {
            self.pos += 1;
            let right = self.primary()?;
            let op = match o {
                "*" => Op::Mul,
                "/" => Op::Div,
                _ => Op::Rem,
            };
            left = Node::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Res<Node> {
        match self.next() {
            Some(Tok::Num(n)) => Ok(Node::Lit(Val::Num(n))),
            Some(Tok::Str(s)) => Ok(Node::Lit(Val::Str(s))),
            Some(Tok::Char(c)) => Ok(Node::Lit(Val::Char(c))),
            Some(Tok::Date(d)) => Ok(Node::Lit(Val::Date(d))),
            Some(Tok::LParen) => {
                let inner = self.or()?;
                match self.next() {
                    Some(Tok::RParen) => Ok(inner),
                    _ => err("a ( is not closed"),
                }
            }
            Some(Tok::Ident(word)) => match word.as_str() {
                "true" => Ok(Node::Lit(Val::Bool(true))),
                "false" => Ok(Node::Lit(Val::Bool(false))),
                "get" | "has" => {
                    let arg = match (self.next(), self.next(), self.next()) {
                        (Some(Tok::LParen), Some(Tok::Str(s)), Some(Tok::RParen)) => s,
                        _ => {
                            return err(format!(
                                "{word}() takes exactly one double-quoted skill name"
                            ))
                        }
                    };
                    Ok(if word == "get" {
                        Node::Get(arg)
                    } else {
                        Node::Has(arg)
                    })
                }
                "and" | "or" => err(format!("{word:?} is not an operator (use && and ||)")),
                other => err(format!("{other:?} is not known (a bare identifier)")),
            },
            Some(Tok::Op("-")) => err("unary - is not supported"),
            Some(Tok::Semi) => err("an empty statement"),
            Some(t) => err(format!("unexpected {t:?}")),
            None => err("the expression ends too early"),
        }
    }
}

/// Parses a program: statements, each ending with `;`.
pub(crate) fn parse(src: &str) -> Res<Program> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0 };
    let mut statements = Vec::new();
    while p.peek().is_some() {
        let node = p.or()?;
        match p.next() {
            Some(Tok::Semi) => statements.push(node),
            None => return err("every statement must end with ;"),
            Some(t) => return err(format!("unexpected {t:?}")),
        }
    }
    if statements.is_empty() {
        return err("no statement");
    }
    Ok(Program { statements })
}

/// How `get` and `has` read the agent: the score of an enabled skill, `None` when absent or
/// disabled.
pub(crate) trait Skills {
    fn score(&self, skill: &str) -> Option<i64>;
}

/// The checking environment: `get` is 1 and `has` true for every skill.
pub(crate) struct Checking;

impl Skills for Checking {
    fn score(&self, _skill: &str) -> Option<i64> {
        Some(1)
    }
}

fn num(v: &Val) -> Res<f64> {
    match v {
        Val::Num(n) => Ok(*n),
        other => err(format!("{other:?} is not a number")),
    }
}

fn boolean(v: &Val) -> Res<bool> {
    match v {
        Val::Bool(b) => Ok(*b),
        other => err(format!("{other:?} is not a boolean")),
    }
}

fn eval(node: &Node, env: &dyn Skills) -> Res<Val> {
    match node {
        Node::Lit(v) => Ok(v.clone()),
        Node::Get(s) => Ok(Val::Num(env.score(s).unwrap_or(0) as f64)),
        Node::Has(s) => Ok(Val::Bool(env.score(s).unwrap_or(0) >= 1)),
        Node::Bin(op, l, r) => {
            let a = eval(l, env)?;
            match op {
                Op::And => {
                    return Ok(Val::Bool(boolean(&a)? && boolean(&eval(r, env)?)?));
                }
                Op::Or => {
                    return Ok(Val::Bool(boolean(&a)? || boolean(&eval(r, env)?)?));
                }
                _ => {}
            }
            let b = eval(r, env)?;
            match op {
                Op::Add => match (&a, &b) {
                    (Val::Str(x), y) => Ok(Val::Str(format!("{x}{}", show(y)))),
                    (x, Val::Str(y)) => Ok(Val::Str(format!("{}{y}", show(x)))),
                    _ => Ok(Val::Num(num(&a)? + num(&b)?)),
                },
                Op::Sub => Ok(Val::Num(num(&a)? - num(&b)?)),
                Op::Mul => Ok(Val::Num(num(&a)? * num(&b)?)),
                Op::Div => {
                    let d = num(&b)?;
                    if d == 0.0 {
                        return err("division by zero");
                    }
                    Ok(Val::Num(num(&a)? / d))
                }
                Op::Rem => {
                    let d = num(&b)?;
                    if d == 0.0 {
                        return err("division by zero");
                    }
                    Ok(Val::Num(num(&a)? % d))
                }
                Op::Eq | Op::Ne => {
                    let same = match (&a, &b) {
                        (Val::Num(x), Val::Num(y)) => x == y,
                        (Val::Bool(x), Val::Bool(y)) => x == y,
                        (Val::Str(x), Val::Str(y)) => x == y,
                        (Val::Char(x), Val::Char(y)) => x == y,
                        (Val::Date(x), Val::Date(y)) => x == y,
                        (Val::Str(x), Val::Char(y)) | (Val::Char(y), Val::Str(x)) => {
                            x.chars().eq(std::iter::once(*y))
                        }
                        _ => return err(format!("{a:?} and {b:?} cannot be compared")),
                    };
                    Ok(Val::Bool(if *op == Op::Eq { same } else { !same }))
                }
                Op::Gt | Op::Lt | Op::Ge | Op::Le => {
                    let ord = match (&a, &b) {
                        (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
                        (Val::Date(x), Val::Date(y)) => Some(x.cmp(y)),
                        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
                        (Val::Char(x), Val::Char(y)) => Some(x.cmp(y)),
                        _ => None,
                    }
                    .ok_or_else(|| ExprError(format!("{a:?} and {b:?} cannot be ordered")))?;
                    use std::cmp::Ordering::{Greater, Less};
                    Ok(Val::Bool(match op {
                        Op::Gt => ord == Greater,
                        Op::Lt => ord == Less,
                        Op::Ge => ord != Less,
                        _ => ord != Greater,
                    }))
                }
                Op::And | Op::Or => unreachable!("handled above"),
            }
        }
    }
}

fn show(v: &Val) -> String {
    match v {
        Val::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Val::Num(n) => n.to_string(),
        Val::Bool(b) => b.to_string(),
        Val::Str(s) => s.clone(),
        Val::Char(c) => c.to_string(),
        Val::Date(d) => d.to_string(),
    }
}

impl Program {
    /// Runs every statement; the last value counts.
    pub(crate) fn run(&self, env: &dyn Skills) -> Res<Val> {
        let mut last = Val::Bool(false);
        for s in &self.statements {
            last = eval(s, env)?;
        }
        Ok(last)
    }

    /// `where`: whether the agent matches (a run-time failure: it does not).
    pub(crate) fn matches(&self, env: &dyn Skills) -> bool {
        matches!(self.run(env), Ok(Val::Bool(true)))
    }

    /// `sort`: the agent's score, truncated to a whole number (a failure scores 0).
    pub(crate) fn score(&self, env: &dyn Skills) -> i64 {
        match self.run(env) {
            Ok(Val::Num(n)) if n.is_finite() => n.trunc() as i64,
            _ => 0,
        }
    }
}

/// The condition service's check of a `where` (a boolean) and a `sort` (a number; blank is
/// `1;`), with `get` 1 and `has` true: the parsed programs, or why they are refused.
pub(crate) fn check(where_: &str, sort: Option<&str>) -> Res<(Program, Program)> {
    let w = parse(where_)?;
    if !matches!(w.run(&Checking)?, Val::Bool(_)) {
        return err("where must give a boolean");
    }
    let sort = sort
        .filter(|s| !crate::lenient::is_blank(s))
        .unwrap_or("1;");
    let s = parse(sort)?;
    if !matches!(s.run(&Checking)?, Val::Num(_)) {
        return err("sort must give a number");
    }
    Ok((w, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Agent(&'static [(&'static str, i64)]);
    impl Skills for Agent {
        fn score(&self, skill: &str) -> Option<i64> {
            self.0.iter().find(|(n, _)| *n == skill).map(|(_, s)| *s)
        }
    }

    #[test]
    fn valid_programs() {
        for (w, s) in [
            ("1==1;", None),
            (
                "get(\"sales\") >= 60 && has(\"en\");",
                Some("get(\"sales\");"),
            ),
            ("true;", Some("")),
            ("(1+2)*3 % 2 == 1 || false;", Some("1e2 / 4;")),
            ("\"a\" == \"a\";", Some("1.5;")),
            ("'x' == 'x';", Some("2;")),
            ("[2017-03-01] < [2017-03-02 10:00:00];", None),
            ("1;  true;", Some("1; 2;")),
            ("has(\"中文\");", None),
        ] {
            assert!(check(w, s).is_ok(), "{w} {s:?}: {:?}", check(w, s));
        }
    }

    #[test]
    fn refused_programs() {
        for (w, s) in [
            ("1==1", None),
            ("!true;", None),
            ("-1 < 0;", None),
            ("1 < 2 < 3;", None),
            ("true and false;", None),
            ("true or false;", None),
            ("## note\ntrue;", None),
            ("x == 1;", None),
            ("get(sales) > 1;", None),
            ("get(\"a\",\"b\") > 1;", None),
            ("get('a') > 1;", None),
            ("1;", None),
            ("true;", Some("true;")),
            ("true;", Some("1")),
            ("", None),
            (";", None),
            ("1/0 == 1;", None),
            ("[2017-13-01] < [2017-03-02];", None),
            ("(1 == 1;", None),
            ("true + 1 == 2;", None),
        ] {
            assert!(check(w, s).is_err(), "{w:?} {s:?} should be refused");
        }
    }

    #[test]
    fn agents_are_matched_and_scored() {
        let (w, s) = check(
            "has(\"sales\") && get(\"en\") >= 50;",
            Some("get(\"sales\") * 10 + get(\"en\") / 3;"),
        )
        .unwrap();
        let a = Agent(&[("sales", 3), ("en", 80)]);
        assert!(w.matches(&a));
        assert_eq!(s.score(&a), 56);
        assert!(!w.matches(&Agent(&[("sales", 0), ("en", 80)])));
        assert!(!w.matches(&Agent(&[("en", 80)])));
        // A run-time division by zero: no match.
        let (w, _) = check("10 / get(\"x\") > 1;", None).unwrap();
        assert!(!w.matches(&Agent(&[])));
        assert!(w.matches(&Agent(&[("x", 2)])));
    }
}
