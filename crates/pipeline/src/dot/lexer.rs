//! Tokenizer for the DOT subset Chainlink pipelines use.
//!
//! Ids are identifiers, numerals, `"quoted"` strings (only `\"` is unescaped and a
//! backslash-newline is a line continuation, as in Graphviz) and `<...>` strings (raw, with
//! balanced angle brackets; Chainlink strips the brackets). Comments: `//`, `#` and `/* */`.

use crate::error::{PipelineError, Position};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// An identifier or numeral (unquoted).
    Ident(String),
    /// A quoted or angle-bracket string, already unquoted.
    Str(String),
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Equals,
    Comma,
    Semicolon,
    Arrow,
    UndirectedEdge,
    Colon,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) pos: Position,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: u32,
    column: u32,
}

fn syntax(pos: Position, message: impl Into<String>) -> PipelineError {
    PipelineError::Syntax { pos, message: message.into() }
}

impl Lexer<'_> {
    fn pos(&self) -> Position {
        Position { line: self.line, column: self.column }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.chars.clone();
        it.next();
        it.next()
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' {
                break;
            }
            self.bump();
        }
    }

    fn next_token(&mut self) -> Result<Option<Token>, PipelineError> {
        loop {
            let Some(c) = self.peek() else { return Ok(None) };
            if c.is_whitespace() {
                self.bump();
                continue;
            }
            if c == '#' || (c == '/' && self.peek2() == Some('/')) {
                self.skip_line();
                continue;
            }
            if c == '/' && self.peek2() == Some('*') {
                let start = self.pos();
                self.bump();
                self.bump();
                loop {
                    match self.bump() {
                        None => return Err(syntax(start, "unterminated `/*` comment")),
                        Some('*') if self.peek() == Some('/') => {
                            self.bump();
                            break;
                        }
                        Some(_) => {}
                    }
                }
                continue;
            }
            break;
        }
        let pos = self.pos();
        let c = self.bump().expect("peeked");
        let tok = match c {
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            '{' => Tok::LBrace,
            '}' => Tok::RBrace,
            '=' => Tok::Equals,
            ',' => Tok::Comma,
            ';' => Tok::Semicolon,
            ':' => Tok::Colon,
            '-' if self.peek() == Some('>') => {
                self.bump();
                Tok::Arrow
            }
            '-' if self.peek() == Some('-') => {
                self.bump();
                Tok::UndirectedEdge
            }
            '"' => Tok::Str(self.quoted(pos)?),
            '<' => Tok::Str(self.angled(pos)?),
            c if c == '-' || c == '.' || c.is_ascii_digit() => Tok::Ident(self.numeral(c, pos)?),
            c if c == '_' || c.is_alphabetic() => {
                let mut s = String::from(c);
                while let Some(n) = self.peek() {
                    if n == '_' || n.is_alphanumeric() {
                        s.push(n);
                        self.bump();
                    } else {
                        break;
                    }
                }
                Tok::Ident(s)
            }
            other => return Err(syntax(pos, format!("unexpected character {other:?}"))),
        };
        Ok(Some(Token { tok, pos }))
    }

    fn quoted(&mut self, start: Position) -> Result<String, PipelineError> {
        let mut s = String::new();
        loop {
            match self.bump() {
                None => return Err(syntax(start, "unterminated string")),
                Some('"') => return Ok(s),
                Some('\\') => match self.peek() {
                    Some('"') => {
                        self.bump();
                        s.push('"');
                    }
                    Some('\n') => {
                        self.bump();
                    }
                    Some('\r') if self.peek2() == Some('\n') => {
                        self.bump();
                        self.bump();
                    }
                    _ => s.push('\\'),
                },
                Some(c) => s.push(c),
            }
        }
    }

    fn angled(&mut self, start: Position) -> Result<String, PipelineError> {
        let mut depth = 1usize;
        let mut s = String::new();
        loop {
            match self.bump() {
                None => return Err(syntax(start, "unterminated `<...>` string")),
                Some('<') => {
                    depth += 1;
                    s.push('<');
                }
                Some('>') => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(s);
                    }
                    s.push('>');
                }
                Some(c) => s.push(c),
            }
        }
    }

    fn numeral(&mut self, first: char, pos: Position) -> Result<String, PipelineError> {
        let mut s = String::from(first);
        let mut seen_dot = first == '.';
        while let Some(n) = self.peek() {
            if n.is_ascii_digit() {
                s.push(n);
                self.bump();
            } else if n == '.' && !seen_dot {
                seen_dot = true;
                s.push(n);
                self.bump();
            } else {
                break;
            }
        }
        if !s.chars().any(|c| c.is_ascii_digit()) {
            return Err(syntax(pos, format!("invalid numeral `{s}`")));
        }
        if let Some(n) = self.peek() {
            if n == '_' || n.is_alphabetic() {
                return Err(syntax(pos, format!("invalid identifier starting with `{s}{n}`")));
            }
        }
        Ok(s)
    }
}

/// Splits `src` into tokens.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, PipelineError> {
    let mut lx = Lexer { chars: src.chars().peekable(), line: 1, column: 1 };
    let mut out = Vec::new();
    while let Some(t) = lx.next_token()? {
        out.push(t);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_chainlink_forms() {
        assert_eq!(
            toks("a [type=\"http\" x=<{ \"k\": $(y) }>, n=-1.5] // c\n# d\n/* e */ a -> b;"),
            vec![
                Tok::Ident("a".into()),
                Tok::LBracket,
                Tok::Ident("type".into()),
                Tok::Equals,
                Tok::Str("http".into()),
                Tok::Ident("x".into()),
                Tok::Equals,
                Tok::Str("{ \"k\": $(y) }".into()),
                Tok::Comma,
                Tok::Ident("n".into()),
                Tok::Equals,
                Tok::Ident("-1.5".into()),
                Tok::RBracket,
                Tok::Ident("a".into()),
                Tok::Arrow,
                Tok::Ident("b".into()),
                Tok::Semicolon,
            ]
        );
    }

    #[test]
    fn quoted_escapes_follow_graphviz() {
        assert_eq!(toks(r#""a\"b\\n\x""#), vec![Tok::Str(r#"a"b\\n\x"#.into())]);
        assert_eq!(toks("\"multi\nline\""), vec![Tok::Str("multi\nline".into())]);
        assert_eq!(toks("\"cont\\\ninued\""), vec![Tok::Str("continued".into())]);
    }

    #[test]
    fn errors_carry_positions() {
        let e = tokenize("a\n  \"open").unwrap_err();
        assert_eq!(
            e,
            PipelineError::Syntax { pos: Position { line: 2, column: 3 }, message: "unterminated string".into() }
        );
        assert!(matches!(tokenize("x @"), Err(PipelineError::Syntax { pos: Position { line: 1, column: 3 }, .. })));
        assert!(tokenize("/* never closed").is_err());
        assert!(tokenize("<a <b>").is_err());
    }
}
