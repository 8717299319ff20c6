//! `$(a.b.c)` references and attribute templates.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A parsed `$(root.key.key)` reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VarPath {
    /// The first segment: a task id or a run variable such as `jobRun`.
    pub root: String,
    /// The keys (or array indexes) below the root.
    pub keys: Vec<String>,
}

impl VarPath {
    /// Parses the inside of `$(...)`: dot-separated segments of `[A-Za-z0-9_-]`.
    pub fn parse(inner: &str) -> Result<Self, String> {
        let inner = inner.trim();
        if inner.is_empty() {
            return Err("empty variable".into());
        }
        let mut parts = inner.split('.');
        let mut segments = Vec::new();
        for part in parts.by_ref() {
            if part.is_empty() {
                return Err(format!("empty segment in `{inner}`"));
            }
            if let Some(c) = part.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-')) {
                return Err(format!("invalid character {c:?} in `{inner}`"));
            }
            segments.push(part.to_owned());
        }
        let root = segments.remove(0);
        Ok(Self { root, keys: segments })
    }
}

impl fmt::Display for VarPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.root)?;
        for k in &self.keys {
            write!(f, ".{k}")?;
        }
        Ok(())
    }
}

/// One piece of a [`Template`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Literal text.
    Text(String),
    /// A `$(...)` reference.
    Var(VarPath),
}

/// An attribute value split into literal text and `$(...)` references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    raw: String,
    segments: Vec<Segment>,
}

/// A malformed `$(` reference, with its byte offset in the attribute value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at offset {offset}: {message}")]
pub struct TemplateError {
    /// Byte offset of the `$(` in the value.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Finds the `$(...)` starting at `start` (which points at `$`); returns the path and the end offset.
pub(crate) fn scan_var(text: &str, start: usize) -> Result<(VarPath, usize), TemplateError> {
    let after = start + 2;
    let close =
        text[after..].find(')').ok_or_else(|| TemplateError { offset: start, message: "unclosed `$(`".into() })?;
    let inner = &text[after..after + close];
    let path = VarPath::parse(inner).map_err(|message| TemplateError { offset: start, message })?;
    Ok((path, after + close + 1))
}

impl Template {
    /// Splits `raw` into text and references. A `$(` that is not a well-formed reference is an error.
    pub fn parse(raw: &str) -> Result<Self, TemplateError> {
        let mut segments = Vec::new();
        let mut text_start = 0;
        let mut i = 0;
        while let Some(found) = raw[i..].find("$(") {
            let start = i + found;
            let (path, end) = scan_var(raw, start)?;
            if start > text_start {
                segments.push(Segment::Text(raw[text_start..start].to_owned()));
            }
            segments.push(Segment::Var(path));
            text_start = end;
            i = end;
        }
        if text_start < raw.len() {
            segments.push(Segment::Text(raw[text_start..].to_owned()));
        }
        Ok(Self { raw: raw.to_owned(), segments })
    }

    /// The value as written (after DOT unquoting).
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The pieces of the template.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The reference if the value is exactly one `$(...)` (surrounding whitespace allowed):
    /// such a value resolves to the referenced value with its type.
    pub fn single_var(&self) -> Option<&VarPath> {
        let mut var = None;
        for s in &self.segments {
            match s {
                Segment::Text(t) if t.trim().is_empty() => {}
                Segment::Var(v) if var.is_none() => var = Some(v),
                _ => return None,
            }
        }
        var
    }

    /// All references in order of appearance.
    pub fn vars(&self) -> impl Iterator<Item = &VarPath> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Var(v) => Some(v),
            Segment::Text(_) => None,
        })
    }

    /// True if the value contains no reference.
    pub fn is_literal(&self) -> bool {
        self.vars().next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_text_and_vars() {
        let t = Template::parse("https://x/$(a.b)?q=$( c )").unwrap();
        assert_eq!(t.vars().map(|v| v.to_string()).collect::<Vec<_>>(), ["a.b", "c"]);
        assert!(t.single_var().is_none());
        let t = Template::parse("  $(decode_log.requestId) ").unwrap();
        assert_eq!(t.single_var().unwrap().keys, ["requestId"]);
        assert!(Template::parse("plain").unwrap().is_literal());
    }

    #[test]
    fn rejects_bad_references() {
        assert_eq!(Template::parse("x $(a").unwrap_err().offset, 2);
        assert!(Template::parse("$()").is_err());
        assert!(Template::parse("$(a..b)").is_err());
        assert!(Template::parse("$(a b)").is_err());
    }
}
