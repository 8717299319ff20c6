use std::fmt;

/// Result alias of this crate.
pub type Result<T, E = SpecError> = std::result::Result<T, E>;

/// A job spec that cannot be accepted, with where the problem is.
///
/// `line` and `column` are 1-based positions in the TOML document, when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecError {
    /// The spec field at fault (`contractAddress`, `observationSource`, ...), if any.
    pub field: Option<String>,
    /// 1-based line in the TOML document.
    pub line: Option<usize>,
    /// 1-based column in the TOML document.
    pub column: Option<usize>,
    /// What is wrong, in words.
    pub message: String,
}

impl SpecError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self { field: None, line: None, column: None, message: message.into() }
    }

    pub(crate) fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    pub(crate) fn at(mut self, pos: Option<(usize, usize)>) -> Self {
        if let Some((line, column)) = pos {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: ")?,
            (Some(l), None) => write!(f, "line {l}: ")?,
            _ => {}
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}
