//! Parsing and validation of pipeline sources.

use std::time::Duration;

use linkpool_pipeline::{Pipeline, PipelineError, Position, DIRECT_REQUEST_VARIABLES};

#[test]
fn chainlink_syntax_forms() {
    let src = r#"
        # a hash comment
        /* a block
           comment */
        fetch [type="http" method=GET url="https://x/y?a=1" index=1 timeout="2s"]; // trailing comment
        parse [type=jsonparse path="a,b" data="$(fetch)" lax=true]
        med   [type="median" values=<[ $(fetch), $(parse) ]> allowedFaults=1]
        multi [type="ethabiencode" abi="(string s)" data="{ \"s\": \"line one
line two\" }"]
        fetch -> parse -> med
    "#;
    let p = Pipeline::parse(src).unwrap();
    let fetch = p.task("fetch").unwrap();
    assert_eq!(fetch.index, 1);
    assert_eq!(fetch.timeout, Some(Duration::from_secs(2)));
    assert_eq!(fetch.attr("METHOD").unwrap().raw(), "GET");
    assert_eq!(p.task("med").unwrap().attr("values").unwrap().raw(), "[ $(fetch), $(parse) ]");
    assert!(p.task("multi").unwrap().attr("data").unwrap().raw().contains("one\nline two"));
    assert_eq!(p.task("parse").unwrap().parents, ["fetch"]);
    assert_eq!(p.task("fetch").unwrap().pos, Position { line: 5, column: 9 });
}

#[test]
fn topological_order_respects_index() {
    let src = r#"
        c [type=any index=2]
        a [type=any index=0]
        b [type=any index=1]
        sink [type=any]
        c -> sink
        b -> sink
        a -> sink
    "#;
    let p = Pipeline::parse(src).unwrap();
    let order: Vec<&str> = p.tasks().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(order, ["a", "b", "c", "sink"]);
    assert_eq!(p.task("sink").unwrap().parents, ["a", "b", "c"]);
    let src = "x [type=any index=5]\ny [type=any index=-1]";
    let terms: Vec<String> = Pipeline::parse(src).unwrap().terminal_tasks().iter().map(|t| t.id.clone()).collect();
    assert_eq!(terms, ["y", "x"]);
}

fn err(src: &str) -> PipelineError {
    Pipeline::parse(src).expect_err(src)
}

#[test]
fn cycle_is_rejected_with_its_path() {
    match err("a [type=any]\nb [type=any]\nc [type=any]\na -> b -> c -> a") {
        PipelineError::Cycle { tasks } => {
            assert_eq!(tasks.first(), tasks.last());
            assert_eq!(tasks.len(), 4);
            for t in ["a", "b", "c"] {
                assert!(tasks.iter().any(|x| x == t));
            }
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(err("a [type=any]\na -> a"), PipelineError::Cycle { .. }));
    // A task downstream of a cycle still reports the cycle itself.
    match err("a [type=any]\nb [type=any]\nz [type=any]\na -> b -> a\nb -> z") {
        PipelineError::Cycle { tasks } => assert!(!tasks.contains(&"z".to_owned())),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_or_missing_type() {
    assert_eq!(
        err("\n  x [type=\"teleport\"]"),
        PipelineError::UnknownTaskType {
            task: "x".into(),
            task_type: "teleport".into(),
            pos: Position { line: 2, column: 3 }
        }
    );
    assert!(matches!(err("x [url=\"u\"]"), PipelineError::MissingType { .. }));
    // Only named in an edge.
    assert!(matches!(err("a [type=any]\na -> ghost"), PipelineError::MissingType { task, .. } if task == "ghost"));
}

#[test]
fn duplicates_and_missing_attributes() {
    assert!(matches!(
        err("a [type=any]\na [type=any]"),
        PipelineError::DuplicateTask {
            first: Position { line: 1, column: 1 },
            pos: Position { line: 2, column: 1 },
            ..
        }
    ));
    assert!(matches!(err("a [type=any TYPE=any]"), PipelineError::DuplicateAttribute { .. }));
    assert_eq!(
        err("f [type=http method=GET]"),
        PipelineError::MissingAttribute {
            task: "f".into(),
            attribute: "url".into(),
            pos: Position { line: 1, column: 1 }
        }
    );
    assert!(matches!(err("m [type=multiply times=\"\"]"), PipelineError::MissingAttribute { .. }));
}

#[test]
fn invalid_static_attributes() {
    for (src, attr) in [
        ("e [type=ethabiencode abi=\"(uint256)\"]", "abi"),
        ("e [type=ethabidecodelog abi=\"Nope(\" topics=\"[]\"]", "abi"),
        ("c [type=cborparse mode=fancy]", "mode"),
        ("h [type=http url=\"u\" method=TELEPORT]", "method"),
        ("a [type=any timeout=\"soon\"]", "timeout"),
        ("a [type=any index=\"$(x)\"]", "index"),
        ("m [type=multiply times=abc]", "times"),
        ("j [type=jsonparse lax=maybe]", "lax"),
        ("a [type=any data=\"$(oops\"]", "data"),
    ] {
        match err(src) {
            PipelineError::InvalidAttribute { attribute, .. } => {
                assert_eq!(attribute.to_lowercase(), attr.to_lowercase(), "{src}")
            }
            other => panic!("{src}: {other:?}"),
        }
    }
}

#[test]
fn undefined_variables() {
    // Sibling, not upstream.
    let src = "a [type=any]\nb [type=multiply input=\"$(a)\" times=2]\nc [type=any]\nc -> b";
    assert!(
        matches!(err(src), PipelineError::UndefinedVariable { task, variable, .. } if task == "b" && variable == "a")
    );
    // Downstream.
    let src = "a [type=multiply input=\"$(b)\" times=2]\nb [type=any]\na -> b";
    assert!(matches!(err(src), PipelineError::UndefinedVariable { .. }));
    // Self.
    assert!(matches!(err("a [type=multiply input=\"$(a)\" times=2]"), PipelineError::UndefinedVariable { .. }));
    // Unknown root: fine for parse, rejected against the job type's variables.
    let src = "a [type=multiply input=\"$(jobRun.meta.x)\" times=\"$(nope.y)\"]";
    let p = Pipeline::parse(src).unwrap();
    match p.validate_variables(DIRECT_REQUEST_VARIABLES) {
        Err(PipelineError::UndefinedVariable { variable, pos, .. }) => {
            assert_eq!(variable, "nope.y");
            assert_eq!(pos.line, 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(Pipeline::parse_for("a [type=multiply input=\"$(jobRun.x)\" times=2]", DIRECT_REQUEST_VARIABLES).is_ok());
    // Transitive ancestors are visible.
    assert!(
        Pipeline::parse("a [type=any]\nb [type=any]\nc [type=multiply input=\"$(a)\" times=1]\na -> b -> c").is_ok()
    );
}

#[test]
fn syntax_errors_carry_line_and_column() {
    for (src, line, column) in [
        ("a [type=any", 1, 12),
        ("a [type=any]\n\n   b [type=\"unterminated]", 3, 12),
        ("a [type=any]\n  a => b", 2, 6),
        ("subgraph x { a }", 1, 1),
        ("a [type=any]\na -- b", 2, 3),
    ] {
        match err(src) {
            PipelineError::Syntax { pos, .. } => assert_eq!((pos.line, pos.column), (line, column), "{src}"),
            other => panic!("{src}: {other:?}"),
        }
    }
    assert_eq!(err("  // only a comment\n"), PipelineError::Empty);
}
