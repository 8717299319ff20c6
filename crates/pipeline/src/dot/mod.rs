//! Parser for Chainlink's `observationSource`: the body of a DOT `digraph` without the
//! `digraph { }` wrapper.
//!
//! Grammar (statements may end with `;`, attributes may be separated by `,` or `;`):
//! ```text
//! stmt      := id attrs?                  (node statement)
//!            | id ("->" id)+ attrs?       (edge chain; edge attributes are ignored)
//! attrs     := "[" (id "=" id [,;]?)* "]" attrs?
//! id        := identifier | numeral | "quoted" | <angle>
//! ```
//! Subgraphs, ports, `graph`/`node`/`edge` defaults and undirected edges are rejected.

mod lexer;

use lexer::{tokenize, Tok, Token};

use crate::error::{PipelineError, Position};

/// One `key=value` attribute as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DotAttr {
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) pos: Position,
}

/// A node statement (the declaration of a task).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DotNode {
    pub(crate) id: String,
    pub(crate) pos: Position,
    pub(crate) attrs: Vec<DotAttr>,
}

/// The statements of a DOT body, in source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DotGraph {
    /// Node statements that carry attributes.
    pub(crate) nodes: Vec<DotNode>,
    /// Every id mentioned anywhere, with its first position, in order of first mention.
    pub(crate) mentions: Vec<(String, Position)>,
    /// Edges `(from, to, position of the arrow)`.
    pub(crate) edges: Vec<(String, String, Position)>,
}

const KEYWORDS: &[&str] = &["graph", "digraph", "subgraph", "node", "edge", "strict"];

struct Parser {
    toks: Vec<Token>,
    i: usize,
    end: Position,
}

fn syntax(pos: Position, message: impl Into<String>) -> PipelineError {
    PipelineError::Syntax { pos, message: message.into() }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.i)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.i).cloned();
        self.i += 1;
        t
    }

    fn here(&self) -> Position {
        self.peek().map(|t| t.pos).unwrap_or(self.end)
    }

    /// An id used as a node name: keywords are reserved.
    fn node_id(&mut self) -> Result<(String, Position), PipelineError> {
        match self.next() {
            Some(Token { tok: Tok::Ident(s), pos }) => {
                if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(&s)) {
                    Err(syntax(pos, format!("`{s}` statements are not supported in a pipeline")))
                } else {
                    Ok((s, pos))
                }
            }
            Some(Token { tok: Tok::Str(s), pos }) => Ok((s, pos)),
            Some(t) => Err(syntax(t.pos, format!("expected a task id, found {}", describe(&t.tok)))),
            None => Err(syntax(self.end, "expected a task id, found end of input")),
        }
    }

    fn value(&mut self) -> Result<(String, Position), PipelineError> {
        match self.next() {
            Some(Token { tok: Tok::Ident(s) | Tok::Str(s), pos }) => Ok((s, pos)),
            Some(t) => Err(syntax(t.pos, format!("expected an attribute value, found {}", describe(&t.tok)))),
            None => Err(syntax(self.end, "expected an attribute value, found end of input")),
        }
    }

    fn attr_lists(&mut self) -> Result<Vec<DotAttr>, PipelineError> {
        let mut attrs = Vec::new();
        while matches!(self.peek(), Some(Token { tok: Tok::LBracket, .. })) {
            self.next();
            loop {
                match self.next() {
                    Some(Token { tok: Tok::RBracket, .. }) => break,
                    Some(Token { tok: Tok::Ident(key) | Tok::Str(key), pos }) => {
                        match self.next() {
                            Some(Token { tok: Tok::Equals, .. }) => {}
                            Some(t) => {
                                return Err(syntax(
                                    t.pos,
                                    format!("expected `=` after `{key}`, found {}", describe(&t.tok)),
                                ))
                            }
                            None => return Err(syntax(self.end, format!("expected `=` after `{key}`"))),
                        }
                        let (value, vpos) = self.value()?;
                        let _ = pos;
                        attrs.push(DotAttr { key, value, pos: vpos });
                        if matches!(self.peek(), Some(Token { tok: Tok::Comma | Tok::Semicolon, .. })) {
                            self.next();
                        }
                    }
                    Some(t) => {
                        return Err(syntax(
                            t.pos,
                            format!("expected an attribute name or `]`, found {}", describe(&t.tok)),
                        ))
                    }
                    None => return Err(syntax(self.end, "unterminated attribute list (missing `]`)")),
                }
            }
        }
        Ok(attrs)
    }

    fn parse(mut self) -> Result<DotGraph, PipelineError> {
        let mut g = DotGraph::default();
        // A set beside the ordered list keeps big pipelines linear to parse.
        let mut seen = std::collections::HashSet::new();
        let mut mention = |g: &mut DotGraph, id: &str, pos: Position| {
            if seen.insert(id.to_owned()) {
                g.mentions.push((id.to_owned(), pos));
            }
        };
        while self.peek().is_some() {
            if matches!(self.peek(), Some(Token { tok: Tok::Semicolon, .. })) {
                self.next();
                continue;
            }
            let (first, first_pos) = self.node_id()?;
            mention(&mut g, &first, first_pos);
            match self.peek().map(|t| &t.tok) {
                Some(Tok::Arrow) => {
                    let mut prev = first;
                    while let Some(Token { tok: Tok::Arrow, pos }) = self.peek().cloned() {
                        self.next();
                        let (to, to_pos) = self.node_id()?;
                        mention(&mut g, &to, to_pos);
                        g.edges.push((prev, to.clone(), pos));
                        prev = to;
                    }
                    // Edge attributes carry no meaning for a pipeline.
                    self.attr_lists()?;
                }
                Some(Tok::LBracket) => {
                    let attrs = self.attr_lists()?;
                    g.nodes.push(DotNode { id: first, pos: first_pos, attrs });
                }
                Some(Tok::UndirectedEdge) => {
                    return Err(syntax(self.here(), "undirected edges (`--`) are not allowed; use `->`"));
                }
                Some(Tok::Colon) => return Err(syntax(self.here(), "ports (`id:port`) are not supported")),
                Some(Tok::Equals) => {
                    return Err(syntax(self.here(), "graph attributes (`id = value`) are not supported"))
                }
                Some(Tok::LBrace | Tok::RBrace) => {
                    return Err(syntax(self.here(), "subgraphs and braces are not supported; give the body only"))
                }
                _ => {
                    // A bare node statement.
                }
            }
        }
        Ok(g)
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Str(_) => "a string".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::LBrace => "`{`".into(),
        Tok::RBrace => "`}`".into(),
        Tok::Equals => "`=`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Semicolon => "`;`".into(),
        Tok::Arrow => "`->`".into(),
        Tok::UndirectedEdge => "`--`".into(),
        Tok::Colon => "`:`".into(),
    }
}

/// Parses a DOT body into statements.
pub(crate) fn parse_dot(src: &str) -> Result<DotGraph, PipelineError> {
    let toks = tokenize(src)?;
    let end = end_position(src);
    Parser { toks, i: 0, end }.parse()
}

fn end_position(src: &str) -> Position {
    let mut p = Position { line: 1, column: 1 };
    for c in src.chars() {
        if c == '\n' {
            p.line += 1;
            p.column = 1;
        } else {
            p.column += 1;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nodes_and_edge_chains() {
        let g = parse_dot("a [type=http url=\"u\"]; b [type=any]\n a -> b -> c [label=x]").unwrap();
        assert_eq!(g.nodes.len(), 2);
        assert_eq!(g.nodes[0].attrs[1].value, "u");
        assert_eq!(g.edges.iter().map(|(a, b, _)| format!("{a}>{b}")).collect::<Vec<_>>(), ["a>b", "b>c"]);
        assert_eq!(g.mentions.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn rejects_unsupported_statements_with_positions() {
        for (src, line, col) in [
            ("a -- b", 1, 3),
            ("digraph { a }", 1, 1),
            ("a [type=http", 1, 13),
            ("a [type]", 1, 8),
            ("a\n  -> ]", 2, 6),
            ("x = y", 1, 3),
        ] {
            match parse_dot(src) {
                Err(PipelineError::Syntax { pos, .. }) => assert_eq!((pos.line, pos.column), (line, col), "{src}"),
                other => panic!("{src}: {other:?}"),
            }
        }
    }
}
