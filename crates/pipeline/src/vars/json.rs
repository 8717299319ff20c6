//! A small JSON parser that produces [`Value`]s directly (numbers stay exact) and, in template
//! mode, accepts `$(path)` in value positions, as in `data="{ \"value\": $(multiply) }"`.
//!
//! Nesting is limited to [`MAX_DEPTH`] so hostile input cannot overflow the stack.

use std::collections::BTreeMap;

use super::template::{scan_var, Template, VarPath};
use crate::value::{parse_decimal, Value};

/// Deepest accepted nesting of arrays and objects.
pub const MAX_DEPTH: usize = 128;

/// A JSON syntax error with its byte offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at offset {offset}")]
pub struct JsonSyntaxError {
    /// Byte offset in the text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Error of [`parse_json_template`]: bad syntax, or a reference that did not resolve.
#[derive(Debug)]
pub(crate) enum JsonTemplateError<E> {
    Syntax(JsonSyntaxError),
    Var(E),
}

/// Parses plain JSON text into a [`Value`] (no references allowed).
pub fn parse_json(text: &str) -> Result<Value, JsonSyntaxError> {
    let mut p: Parser<'_, '_, ()> = Parser { s: text, b: text.as_bytes(), i: 0, resolve: None };
    match p.document() {
        Ok(v) => Ok(v),
        Err(JsonTemplateError::Syntax(e)) => Err(e),
        // Without a resolver `$` is a syntax error, so this arm is never taken.
        Err(JsonTemplateError::Var(())) => Err(JsonSyntaxError { offset: 0, message: "unexpected reference".into() }),
    }
}

/// Parses JSON in which `$(path)` may stand in any value position; each is replaced by
/// `resolve(path)` with its type. Inside strings, references are interpolated as text.
pub(crate) fn parse_json_template<E>(
    text: &str,
    resolve: &mut dyn FnMut(&VarPath) -> Result<Value, E>,
) -> Result<Value, JsonTemplateError<E>> {
    let mut p = Parser { s: text, b: text.as_bytes(), i: 0, resolve: Some(resolve) };
    p.document()
}

/// Resolves one reference in template mode.
type Resolver<'r, E> = &'r mut dyn FnMut(&VarPath) -> Result<Value, E>;

struct Parser<'a, 'r, E> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    resolve: Option<Resolver<'r, E>>,
}

type PResult<T, E> = Result<T, JsonTemplateError<E>>;

impl<E> Parser<'_, '_, E> {
    fn err<T>(&self, message: impl Into<String>) -> PResult<T, E> {
        Err(JsonTemplateError::Syntax(JsonSyntaxError { offset: self.i, message: message.into() }))
    }

    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn document(&mut self) -> PResult<Value, E> {
        let v = self.value(0)?;
        self.ws();
        if self.i != self.b.len() {
            return self.err("trailing characters");
        }
        Ok(v)
    }

    fn value(&mut self, depth: usize) -> PResult<Value, E> {
        if depth > MAX_DEPTH {
            return self.err("nesting too deep");
        }
        self.ws();
        let Some(&c) = self.b.get(self.i) else { return self.err("unexpected end of input") };
        match c {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => {
                let s = self.string()?;
                self.interpolate(s)
            }
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            b'$' if self.resolve.is_some() => {
                if self.b.get(self.i + 1) != Some(&b'(') {
                    return self.err("expected `$(`");
                }
                let (path, end) = scan_var(self.s, self.i)
                    .map_err(|e| JsonTemplateError::Syntax(JsonSyntaxError { offset: e.offset, message: e.message }))?;
                self.i = end;
                let resolve = self.resolve.as_mut().expect("checked");
                resolve(&path).map_err(JsonTemplateError::Var)
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => self.err(format!("unexpected character {:?}", self.s[self.i..].chars().next().unwrap_or('?'))),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> PResult<Value, E> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else {
            self.err("invalid literal")
        }
    }

    fn number(&mut self) -> PResult<Value, E> {
        let start = self.i;
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        let int_start = self.i;
        while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
            self.i += 1;
        }
        let int_len = self.i - int_start;
        if int_len == 0 || (int_len > 1 && self.b[int_start] == b'0') {
            return self.err("invalid number");
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            let f = self.i;
            while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
                self.i += 1;
            }
            if self.i == f {
                return self.err("invalid number fraction");
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            let e = self.i;
            while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
                self.i += 1;
            }
            if self.i == e {
                return self.err("invalid number exponent");
            }
        }
        match parse_decimal(&self.s[start..self.i]) {
            Some(v) => Ok(v),
            None => {
                self.i = start;
                self.err("number out of range")
            }
        }
    }

    fn string(&mut self) -> PResult<String, E> {
        debug_assert_eq!(self.b[self.i], b'"');
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.b.get(self.i) else { return self.err("unterminated string") };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.i += 1;
                    let Some(&e) = self.b.get(self.i) else { return self.err("unterminated escape") };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&hi) {
                                if !self.s[self.i..].starts_with("\\u") {
                                    return self.err("unpaired surrogate");
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.err("invalid low surrogate");
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                char::from_u32(hi)
                            };
                            match ch {
                                Some(ch) => out.push(ch),
                                None => return self.err("invalid unicode escape"),
                            }
                        }
                        _ => return self.err("invalid escape"),
                    }
                }
                c if c < 0x20 => return self.err("control character in string"),
                _ => {
                    // Copy one whole UTF-8 character.
                    let ch = self.s[self.i..].chars().next().expect("in bounds");
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> PResult<u32, E> {
        let Some(h) = self.s.get(self.i..self.i + 4) else { return self.err("short unicode escape") };
        match u32::from_str_radix(h, 16) {
            Ok(v) if h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                self.i += 4;
                Ok(v)
            }
            _ => self.err("invalid unicode escape"),
        }
    }

    /// In template mode, references inside strings are replaced by their text.
    fn interpolate(&mut self, s: String) -> PResult<Value, E> {
        if self.resolve.is_none() || !s.contains("$(") {
            return Ok(Value::String(s));
        }
        let template = Template::parse(&s)
            .map_err(|e| JsonTemplateError::Syntax(JsonSyntaxError { offset: self.i, message: e.message }))?;
        let resolve = self.resolve.as_mut().expect("checked");
        let mut out = String::new();
        for seg in template.segments() {
            match seg {
                super::template::Segment::Text(t) => out.push_str(t),
                super::template::Segment::Var(p) => {
                    out.push_str(&resolve(p).map_err(JsonTemplateError::Var)?.to_interpolated_string())
                }
            }
        }
        Ok(Value::String(out))
    }

    fn array(&mut self, depth: usize) -> PResult<Value, E> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                _ => return self.err("expected `,` or `]`"),
            }
        }
    }

    fn object(&mut self, depth: usize) -> PResult<Value, E> {
        self.i += 1;
        let mut map = BTreeMap::new();
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Value::Map(map));
        }
        loop {
            self.ws();
            if self.b.get(self.i) != Some(&b'"') {
                return self.err("expected a string key");
            }
            let key = self.string()?;
            self.ws();
            if self.b.get(self.i) != Some(&b':') {
                return self.err("expected `:`");
            }
            self.i += 1;
            let v = self.value(depth + 1)?;
            map.insert(key, v);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::Map(map));
                }
                _ => return self.err("expected `,` or `}`"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_json_exactly() {
        let v = parse_json(
            r#"{"a":[1,2.50,-3e2,"x\u00e9\ud83d\ude00"],"b":null,"c":true, "big": 123456789012345678901234567890.123}"#,
        )
        .unwrap();
        let Value::Map(m) = &v else { panic!() };
        assert_eq!(m["a"].as_array().unwrap()[0], Value::Integer(1.into()));
        assert_eq!(m["a"].as_array().unwrap()[2], Value::Integer((-300).into()));
        assert_eq!(m["a"].as_array().unwrap()[3], Value::from("xé😀"));
        assert_eq!(m["big"].to_string(), "123456789012345678901234567890.123");
    }

    #[test]
    fn rejects_bad_json() {
        for s in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "nul", "[1] 2", "$(a)", "\"\\ud800\""] {
            assert!(parse_json(s).is_err(), "{s}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2);
        assert!(parse_json(&deep).is_err());
    }

    #[test]
    fn template_substitutes_typed_values() {
        let mut resolve = |p: &VarPath| -> Result<Value, String> {
            match p.root.as_str() {
                "n" => Ok(Value::Integer(7.into())),
                "s" => Ok(Value::from("hi")),
                other => Err(other.to_owned()),
            }
        };
        let v =
            parse_json_template(r#"{ "value": $(n), "list": [$(s), $( n )], "t": "x-$(s)" }"#, &mut resolve).unwrap();
        assert_eq!(v.to_plain_json().to_string(), r#"{"list":["hi",7],"t":"x-hi","value":7}"#);
        assert!(matches!(parse_json_template("[$(zz)]", &mut resolve), Err(JsonTemplateError::Var(e)) if e == "zz"));
    }
}
