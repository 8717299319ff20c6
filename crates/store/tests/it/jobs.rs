use crate::common::{job, now_millis};
use linkpool_store::{testing::TestDb, Error, NewJob};
use uuid::Uuid;

both_backends!(insert_and_get_jobs, duplicate_external_id_conflicts, delete_job_reports_existence);

async fn insert_and_get_jobs(db: &TestDb) {
    assert!(db.list_jobs().await.unwrap().is_empty());
    let before = now_millis();
    let new = NewJob {
        external_job_id: Uuid::new_v4(),
        name: None,
        job_type: "cron".to_owned(),
        spec_toml: "type = \"cron\"\nschedule = \"CRON_TZ=UTC * * * * *\"\n".to_owned(),
    };
    let a = db.insert_job(&new).await.unwrap();
    assert_eq!(a.external_job_id, new.external_job_id);
    assert_eq!(a.name, None);
    assert_eq!(a.job_type, "cron");
    assert_eq!(a.spec_toml, new.spec_toml);
    assert!(a.created_at >= before && a.created_at <= now_millis(), "created_at {}", a.created_at);
    let b = job(db, "second").await;
    assert!(b.id > a.id);
    assert_eq!(b.name.as_deref(), Some("second"));

    assert_eq!(db.get_job(a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(db.get_job_by_external_id(b.external_job_id).await.unwrap(), Some(b.clone()));
    assert_eq!(db.get_job(b.id + 1000).await.unwrap(), None);
    assert_eq!(db.get_job_by_external_id(Uuid::new_v4()).await.unwrap(), None);
    assert_eq!(db.list_jobs().await.unwrap(), vec![a, b]);
}

async fn duplicate_external_id_conflicts(db: &TestDb) {
    let first = job(db, "one").await;
    let dup = NewJob {
        external_job_id: first.external_job_id,
        name: Some("other".to_owned()),
        job_type: "directrequest".to_owned(),
        spec_toml: String::new(),
    };
    let err = db.insert_job(&dup).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    assert!(err.to_string().contains(&first.external_job_id.to_string()), "{err}");
    assert_eq!(db.list_jobs().await.unwrap(), vec![first]);
}

async fn delete_job_reports_existence(db: &TestDb) {
    let keep = job(db, "keep").await;
    let gone = job(db, "gone").await;
    assert!(db.delete_job(gone.id).await.unwrap());
    assert!(!db.delete_job(gone.id).await.unwrap());
    assert_eq!(db.get_job(gone.id).await.unwrap(), None);
    assert_eq!(db.list_jobs().await.unwrap(), vec![keep]);
}
