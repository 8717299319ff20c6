//! `type = "cron"` specs: the docs' example verbatim, the schedule forms, and located errors.

use linkpool_job::{JobSpec, SpecError};

/// The Chainlink docs' example cron job.
const DOCS_CRON: &str = r#"type = "cron"
schemaVersion = 1
schedule = "CRON_TZ=UTC 0 0 1 1 *"
externalJobID = "0EEC7E1D-D0D2-476C-A1A8-72DFB6633F46"
observationSource = """
ds [type=http method=GET url="https://chain.link/ETH-USD"];
ds_parse [type=jsonparse path="data,price"];
ds_multiply [type=multiply times=100];
ds -> ds_parse -> ds_multiply;
"""
"#;

fn err(spec: &str) -> SpecError {
    JobSpec::from_toml(spec).expect_err("spec must be rejected")
}

fn with_schedule(schedule: &str) -> String {
    DOCS_CRON.replace("CRON_TZ=UTC 0 0 1 1 *", schedule)
}

#[test]
fn docs_cron_is_accepted_verbatim() {
    let spec = JobSpec::from_toml(DOCS_CRON).expect("docs spec parses");
    assert_eq!(spec.job_type(), "cron");
    assert_eq!(spec.common().external_job_id.to_string(), "0eec7e1d-d0d2-476c-a1a8-72dfb6633f46");
    let JobSpec::Cron(c) = spec else { panic!("not a cron job") };
    assert_eq!(c.schedule.as_str(), "CRON_TZ=UTC 0 0 1 1 *");
    // 2024-01-01T00:00:00Z → the next 1 January, midnight.
    assert_eq!(c.schedule.next_after(1_704_067_200), Some(1_735_689_600));
    assert_eq!(c.common.pipeline.tasks().len(), 3);
}

#[test]
fn seconds_field_and_shortcuts() {
    for schedule in
        ["CRON_TZ=UTC * * * * * *", "CRON_TZ=UTC */5 * * * *", "CRON_TZ=UTC @hourly", "CRON_TZ=UTC @every 1m"]
    {
        let spec = JobSpec::from_toml(&with_schedule(schedule)).unwrap_or_else(|e| panic!("{schedule}: {e}"));
        let JobSpec::Cron(c) = spec else { panic!("not a cron job") };
        assert!(c.schedule.next_after(0).is_some(), "{schedule}");
    }
}

#[test]
fn cron_variables_are_allowed() {
    let spec = with_schedule("CRON_TZ=UTC @daily").replace(
        "ds_multiply [type=multiply times=100];",
        "ds_multiply [type=multiply times=100 input=\"$(jobRun.meta)\"];\nid [type=any values=\"$(jobSpec.externalJobID)\"];",
    );
    JobSpec::from_toml(&spec).expect("jobSpec and jobRun are cron variables");
}

#[test]
fn schedule_without_time_zone_is_located() {
    let e = err(&with_schedule("0 0 1 1 *"));
    assert_eq!(e.field.as_deref(), Some("schedule"), "{e}");
    assert_eq!((e.line, e.column), (Some(3), Some(12)), "{e}");
    assert!(e.message.contains("CRON_TZ"), "{e}");
}

#[test]
fn unsupported_time_zone_says_utc() {
    let e = err(&with_schedule("CRON_TZ=America/New_York 0 9 * * *"));
    assert_eq!(e.field.as_deref(), Some("schedule"));
    assert!(e.message.contains("America/New_York") && e.message.contains("UTC"), "{e}");
}

#[test]
fn bad_expressions_are_rejected() {
    for bad in ["CRON_TZ=UTC 0 0 32 1 *", "CRON_TZ=UTC * * *", "CRON_TZ=UTC 0 0 1 1 * 2030", "CRON_TZ=UTC @every 0s"] {
        let e = err(&with_schedule(bad));
        assert_eq!(e.field.as_deref(), Some("schedule"), "{bad}: {e}");
        assert_eq!(e.line, Some(3), "{bad}: {e}");
    }
}

#[test]
fn missing_schedule() {
    let spec: String = DOCS_CRON.lines().filter(|l| !l.starts_with("schedule")).map(|l| format!("{l}\n")).collect();
    assert_eq!(err(&spec).field.as_deref(), Some("schedule"));
}

#[test]
fn directrequest_fields_are_unknown_to_cron() {
    let e = err(&DOCS_CRON.replace("schemaVersion = 1\n", "schemaVersion = 1\ncontractAddress = \"0x00\"\n"));
    assert_eq!(e.field.as_deref(), Some("contractAddress"), "{e}");
    assert_eq!(e.line, Some(3), "{e}");
}

#[test]
fn log_variables_are_not_cron_variables_but_roots_are_checked() {
    // `jobRun` is a root for every job type; what is under it is only known at run time.
    let ok = DOCS_CRON.replace(
        "ds_parse [type=jsonparse path=\"data,price\"];",
        "ds_parse [type=jsonparse path=\"data,price\" data=\"$(jobRun.meta)\"];",
    );
    JobSpec::from_toml(&ok).expect("jobRun root");
    let e = err(&DOCS_CRON
        .replace("ds_multiply [type=multiply times=100];", "ds_multiply [type=multiply times=\"$(jobz.x)\"];"));
    assert_eq!(e.field.as_deref(), Some("observationSource"));
    assert!(e.message.contains("jobz"), "{e}");
    assert_eq!(e.line, Some(8), "{e}");
}
