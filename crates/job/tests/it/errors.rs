use linkpool_job::{JobSpec, SpecError};

fn err(spec: &str) -> SpecError {
    JobSpec::from_toml(spec).expect_err("spec must be rejected")
}

const HEAD: &str =
    "type = \"directrequest\"\nschemaVersion = 1\ncontractAddress = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n";

#[test]
fn unknown_field_is_named_with_its_line() {
    let e = err(&format!("{HEAD}contractAdress = \"x\"\nobservationSource = \"a [type=any]\"\n"));
    assert_eq!(e.field.as_deref(), Some("contractAdress"), "{e}");
    assert_eq!(e.line, Some(4), "{e}");
}

#[test]
fn bad_address_is_located() {
    let spec =
        HEAD.replace("0x5FbDB2315678afecb367f032d93F642f64180aa3", "0x123") + "observationSource = \"a [type=any]\"\n";
    let e = err(&spec);
    assert_eq!(e.field.as_deref(), Some("contractAddress"));
    assert_eq!(e.line, Some(3));
}

#[test]
fn unknown_job_type() {
    let e = err("type = \"fluxmonitor2\"\nschemaVersion = 1\n");
    assert_eq!(e.field.as_deref(), Some("type"));
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("directrequest"), "{e}");
}

#[test]
fn cycle_is_rejected() {
    let e = err(&format!("{HEAD}observationSource = \"\"\"\na [type=any]\nb [type=any]\na -> b -> a\n\"\"\"\n"));
    assert_eq!(e.field.as_deref(), Some("observationSource"));
    assert!(e.message.contains("cycle"), "{e}");
}

#[test]
fn unknown_task_type_points_at_its_line_in_the_toml() {
    // observationSource starts on line 4; the bad task is the 2nd line of the DOT text.
    let e = err(&format!("{HEAD}observationSource = \"\"\"\na [type=any]\nb [type=frobnicate]\na -> b\n\"\"\"\n"));
    assert_eq!(e.field.as_deref(), Some("observationSource"));
    assert!(e.message.contains("frobnicate"), "{e}");
    assert_eq!(e.line, Some(6), "{e}");
}

#[test]
fn undefined_variable_is_rejected() {
    let e = err(&format!(
        "{HEAD}observationSource = \"\"\"\nfetch [type=http method=GET url=\"$(decode_cbor.get)\"]\n\"\"\"\n"
    ));
    assert!(e.message.contains("decode_cbor"), "{e}");
    assert_eq!(e.line, Some(5), "{e}");
}

#[test]
fn undefined_job_variable_root_is_rejected() {
    let e = err(&format!("{HEAD}observationSource = \"\"\"\na [type=any]\nb [type=multiply input=\"$(jobRunz.x)\" times=2]\na -> b\n\"\"\"\n"));
    assert!(e.message.contains("jobRunz"), "{e}");
}

#[test]
fn missing_observation_source() {
    let e = err(HEAD);
    assert_eq!(e.field.as_deref(), Some("observationSource"));
}

#[test]
fn toml_syntax_error_has_position() {
    let e = err("type = \"directrequest\"\nschemaVersion = = 1\n");
    assert_eq!(e.line, Some(2), "{e}");
}

#[test]
fn negative_confirmations_rejected() {
    let e = err(&format!("{HEAD}minIncomingConfirmations = -1\nobservationSource = \"a [type=any]\"\n"));
    assert_eq!(e.field.as_deref(), Some("minIncomingConfirmations"));
    assert_eq!(e.line, Some(4));
}
