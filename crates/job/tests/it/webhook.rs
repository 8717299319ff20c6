//! `type = "webhook"` specs: the docs' example verbatim, external initiators, and located errors.

use linkpool_job::{JobSpec, SpecError};

/// The Chainlink docs' example webhook job (its bridge task swapped for `any`: bridges are
/// resolved by the node, not by the spec parser).
const DOCS_WEBHOOK: &str = r#"type            = "webhook"
schemaVersion   = 1
externalInitiators = [
  { name = "my-external-initiator-1", spec = "{\"foo\": 42}" },
  { name = "my-external-initiator-2", spec = "{}" }
]
observationSource   = """
    parse_request  [type="jsonparse" path="data,result" data="$(jobRun.requestBody)"]
    multiply       [type="multiply" input="$(parse_request)" times="100"]
    send           [type="any" values=<[ $(multiply) ]>]

    parse_request -> multiply -> send
"""
"#;

fn err(spec: &str) -> SpecError {
    JobSpec::from_toml(spec).expect_err("spec must be rejected")
}

#[test]
fn docs_webhook_is_accepted() {
    let spec = JobSpec::from_toml(DOCS_WEBHOOK).expect("docs spec parses");
    assert_eq!(spec.job_type(), "webhook");
    let JobSpec::Webhook(w) = spec else { panic!("not a webhook job") };
    assert_eq!(w.external_initiators.len(), 2);
    assert_eq!(w.external_initiators[0].name, "my-external-initiator-1");
    assert_eq!(w.external_initiators[0].spec["foo"], 42);
    assert_eq!(w.external_initiators[1].spec, serde_json::json!({}));
    assert_eq!(w.common.pipeline.tasks().len(), 3);
}

#[test]
fn external_initiators_are_optional() {
    let spec: String = DOCS_WEBHOOK
        .lines()
        .filter(|l| !l.starts_with("externalInitiators") && !l.starts_with("  {") && *l != "]")
        .map(|l| format!("{l}\n"))
        .collect();
    let JobSpec::Webhook(w) = JobSpec::from_toml(&spec).expect("no external initiators") else {
        panic!("not a webhook job")
    };
    assert!(w.external_initiators.is_empty());
}

#[test]
fn external_initiator_spec_must_be_json() {
    let e = err(&DOCS_WEBHOOK.replace(r#"spec = "{}""#, r#"spec = "{nope""#));
    assert_eq!(e.field.as_deref(), Some("externalInitiators"), "{e}");
    assert_eq!(e.line, Some(5), "{e}");
}

#[test]
fn external_initiator_without_name_or_listed_twice() {
    let e = err(&DOCS_WEBHOOK.replace(r#"name = "my-external-initiator-2", "#, ""));
    assert_eq!(e.field.as_deref(), Some("externalInitiators"), "{e}");
    let e = err(&DOCS_WEBHOOK.replace("my-external-initiator-2", "my-external-initiator-1"));
    assert!(e.message.contains("twice"), "{e}");
    let e = err(&DOCS_WEBHOOK.replace(r#"spec = "{}""#, r#"spec = "{}", url = "x""#));
    assert_eq!(e.field.as_deref(), Some("url"), "{e}");
}

#[test]
fn schedule_is_not_a_webhook_field() {
    let e =
        err(&DOCS_WEBHOOK.replace("schemaVersion   = 1\n", "schemaVersion   = 1\nschedule = \"CRON_TZ=UTC @daily\"\n"));
    assert_eq!(e.field.as_deref(), Some("schedule"), "{e}");
    assert_eq!(e.line, Some(3), "{e}");
}

#[test]
fn pipeline_errors_point_at_the_toml_line() {
    let e = err(&DOCS_WEBHOOK.replace("type=\"multiply\"", "type=\"multiplyy\""));
    assert_eq!(e.field.as_deref(), Some("observationSource"));
    assert_eq!(e.line, Some(9), "{e}");
}
