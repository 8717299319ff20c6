//! Jobs: the specs the node runs.

use crate::{codec::now_millis, Error, Result, Store};
use uuid::Uuid;

/// A job to insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    /// The job's external id (the `externalJobID` requests are routed by). Unique.
    pub external_job_id: Uuid,
    /// Optional human name.
    pub name: Option<String>,
    /// Job type, e.g. `directrequest`.
    pub job_type: String,
    /// The TOML spec as submitted.
    pub spec_toml: String,
}

/// A stored job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRecord {
    /// Database id.
    pub id: i64,
    /// The job's external id. Unique.
    pub external_job_id: Uuid,
    /// Optional human name.
    pub name: Option<String>,
    /// Job type, e.g. `directrequest`.
    pub job_type: String,
    /// The TOML spec as submitted.
    pub spec_toml: String,
    /// Creation time, unix millis.
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    external_job_id: String,
    name: Option<String>,
    job_type: String,
    spec_toml: String,
    created_at: i64,
}

impl TryFrom<JobRow> for JobRecord {
    type Error = Error;

    fn try_from(row: JobRow) -> Result<Self> {
        let external_job_id = Uuid::parse_str(&row.external_job_id)
            .map_err(|e| Error::corrupt(format!("job {} external_job_id {:?}: {e}", row.id, row.external_job_id)))?;
        Ok(Self {
            id: row.id,
            external_job_id,
            name: row.name,
            job_type: row.job_type,
            spec_toml: row.spec_toml,
            created_at: row.created_at,
        })
    }
}

const JOB_COLUMNS: &str = "id, external_job_id, name, job_type, spec_toml, created_at";

impl Store {
    /// Inserts a job. [`Error::Conflict`] if a (non-deleted) job with that external id exists.
    pub async fn insert_job(&self, job: &NewJob) -> Result<JobRecord> {
        let sql = format!(
            "INSERT INTO jobs (external_job_id, name, job_type, spec_toml, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (external_job_id) WHERE deleted_at IS NULL DO NOTHING \
             RETURNING {JOB_COLUMNS}"
        );
        let row: Option<JobRow> = with_pool!(self, |p| sqlx::query_as(&sql)
            .bind(job.external_job_id.hyphenated().to_string())
            .bind(&job.name)
            .bind(&job.job_type)
            .bind(&job.spec_toml)
            .bind(now_millis())
            .fetch_optional(p)
            .await)?;
        match row {
            Some(row) => row.try_into(),
            None => Err(Error::conflict(format!("job with external id {} already exists", job.external_job_id))),
        }
    }

    /// All jobs, oldest first.
    pub async fn list_jobs(&self) -> Result<Vec<JobRecord>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE deleted_at IS NULL ORDER BY id");
        let rows: Vec<JobRow> = with_pool!(self, |p| sqlx::query_as(&sql).fetch_all(p).await)?;
        rows.into_iter().map(JobRecord::try_from).collect()
    }

    /// The job with database id `id`.
    pub async fn get_job(&self, id: i64) -> Result<Option<JobRecord>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1 AND deleted_at IS NULL");
        let row: Option<JobRow> = with_pool!(self, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await)?;
        row.map(JobRecord::try_from).transpose()
    }

    /// The job with that external id.
    pub async fn get_job_by_external_id(&self, external_job_id: Uuid) -> Result<Option<JobRecord>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE external_job_id = $1 AND deleted_at IS NULL");
        let key = external_job_id.hyphenated().to_string();
        let row: Option<JobRow> = with_pool!(self, |p| sqlx::query_as(&sql).bind(&key).fetch_optional(p).await)?;
        row.map(JobRecord::try_from).transpose()
    }
}
