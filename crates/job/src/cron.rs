//! `type = "cron"`: run a pipeline on a schedule.

use std::{fmt, str::FromStr};

use croner::parser::{CronParser, Seconds, Year};
use serde::Deserialize;
use toml::Spanned;

use crate::{
    parse::{common, common_raw, toml_error, Positions},
    CommonSpec, Result, SpecError,
};

/// A `cron` job: runs its pipeline at every time its `schedule` names.
///
/// Fires missed while the node was down are not made up for (as in Chainlink): after a restart
/// the schedule continues with its next time.
#[derive(Debug, Clone)]
pub struct CronSpec {
    /// Fields shared by all job types.
    pub common: CommonSpec,
    /// `schedule`, parsed.
    pub schedule: Schedule,
}

/// Time zones this node evaluates schedules in: UTC and its aliases. Other zones need a time zone
/// database, which the node does not ship.
const UTC_NAMES: &[&str] = &["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu"];

/// A parsed `schedule`: `CRON_TZ=<zone>` followed by a cron expression (5 fields, or 6 with
/// seconds first), a `@yearly`/`@monthly`/`@weekly`/`@daily`/`@midnight`/`@hourly` shortcut,
/// or `@every <duration>`.
#[derive(Debug, Clone)]
pub struct Schedule {
    text: String,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Cron(Box<croner::Cron>),
    /// `@every`: whole seconds, fired at multiples of the period since the unix epoch, so the
    /// fire times do not depend on when the node started.
    Every(u64),
}

/// Why a `schedule` is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// No `CRON_TZ=` prefix (Chainlink requires one).
    #[error("must start with a time zone, e.g. \"CRON_TZ=UTC 0 0 1 1 *\"")]
    MissingTimeZone,
    /// A zone other than UTC.
    #[error("time zone {0:?} is not supported: this node evaluates schedules in UTC only; write the times in UTC with CRON_TZ=UTC")]
    UnsupportedTimeZone(String),
    /// Nothing after the time zone.
    #[error("no cron expression after the time zone")]
    Empty,
    /// The cron expression does not parse.
    #[error("invalid cron expression {expression:?}: {reason}")]
    Invalid {
        /// The expression as written.
        expression: String,
        /// What is wrong.
        reason: String,
    },
    /// `@every` without a usable period.
    #[error("invalid @every period {0:?}: expected a duration of at least one second, like \"30s\" or \"1h30m\"")]
    BadPeriod(String),
    /// The expression matches no future time (e.g. February 30).
    #[error("{0:?} never fires")]
    NeverFires(String),
}

impl Schedule {
    /// The schedule as written in the spec.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first fire time strictly after `unix_secs` (unix seconds), if the schedule has one.
    pub fn next_after(&self, unix_secs: i64) -> Option<i64> {
        match &self.kind {
            Kind::Every(period) => {
                let period = i64::try_from(*period).ok()?;
                unix_secs.div_euclid(period).checked_add(1)?.checked_mul(period)
            }
            Kind::Cron(cron) => {
                let from = chrono::DateTime::from_timestamp(unix_secs, 0)?;
                cron.find_next_occurrence(&from, false).ok().map(|t| t.timestamp())
            }
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Schedule {
    type Err = ScheduleError;

    fn from_str(s: &str) -> std::result::Result<Self, ScheduleError> {
        let text = s.trim();
        let Some(rest) = text.strip_prefix("CRON_TZ=") else { return Err(ScheduleError::MissingTimeZone) };
        let (zone, expression) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if !UTC_NAMES.contains(&zone) {
            return Err(ScheduleError::UnsupportedTimeZone(zone.to_owned()));
        }
        let expression = expression.trim();
        if expression.is_empty() {
            return Err(ScheduleError::Empty);
        }
        let kind = if let Some(period) = expression.strip_prefix("@every") {
            // Chainlink (robfig/cron) drops fractions of a second.
            let secs = linkpool_pipeline::parse_go_duration(period)
                .map(|d| d.as_secs())
                .map_err(|_| ScheduleError::BadPeriod(period.trim().to_owned()))?;
            if secs == 0 {
                return Err(ScheduleError::BadPeriod(period.trim().to_owned()));
            }
            Kind::Every(secs)
        } else {
            let normalized = if expression.eq_ignore_ascii_case("@midnight") { "@daily" } else { expression };
            // Chainlink's fields: optional seconds, no year.
            let parser = CronParser::builder().seconds(Seconds::Optional).year(Year::Disallowed).build();
            let cron = parser
                .parse(normalized)
                .map_err(|e| ScheduleError::Invalid { expression: expression.to_owned(), reason: e.to_string() })?;
            Kind::Cron(Box::new(cron))
        };
        let schedule = Self { text: text.to_owned(), kind };
        let now = chrono::Utc::now().timestamp();
        if schedule.next_after(now).is_none() {
            return Err(ScheduleError::NeverFires(expression.to_owned()));
        }
        Ok(schedule)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawCron {
    #[serde(rename = "type")]
    _job_type: String,
    schema_version: Option<Spanned<i64>>,
    name: Option<String>,
    #[serde(rename = "externalJobID")]
    external_job_id: Option<Spanned<String>>,
    max_task_duration: Option<Spanned<String>>,
    gas_limit: Option<Spanned<i64>>,
    forwarding_allowed: Option<bool>,
    observation_source: Option<Spanned<String>>,
    schedule: Option<Spanned<String>>,
}

pub(crate) fn parse_cron(src: &str, pos: &Positions<'_>) -> Result<CronSpec> {
    let raw: RawCron = toml::from_str(src).map_err(|e| toml_error(src, e))?;
    let common = common(src, pos, common_raw!(raw), linkpool_pipeline::CRON_VARIABLES)?;
    let Some(schedule) = raw.schedule else {
        return Err(SpecError::new("missing; e.g. \"CRON_TZ=UTC 0 0 1 1 *\"").field("schedule"));
    };
    let parsed = schedule
        .get_ref()
        .parse::<Schedule>()
        .map_err(|e| SpecError::new(e.to_string()).field("schedule").at(pos.span(&schedule)))?;
    Ok(CronSpec { common, schedule: parsed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Schedule {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    // 2024-01-01T00:00:00Z, a Monday.
    const T0: i64 = 1_704_067_200;

    #[test]
    fn five_and_six_fields() {
        assert_eq!(s("CRON_TZ=UTC * * * * *").next_after(T0), Some(T0 + 60), "5 fields: minutes");
        assert_eq!(s("CRON_TZ=UTC * * * * * *").next_after(T0), Some(T0 + 1), "6 fields: seconds first");
        assert_eq!(s("CRON_TZ=UTC */15 * * * * *").next_after(T0 + 1), Some(T0 + 15));
        assert_eq!(s("CRON_TZ=UTC 0 0 1 1 *").next_after(T0), Some(T0 + 366 * 86_400), "2024 is a leap year");
        assert_eq!(s("CRON_TZ=Etc/UTC 30 9 * * MON-FRI").next_after(T0), Some(T0 + 9 * 3600 + 1800));
    }

    #[test]
    fn shortcuts() {
        assert_eq!(s("CRON_TZ=UTC @hourly").next_after(T0), Some(T0 + 3600));
        assert_eq!(s("CRON_TZ=UTC @midnight").next_after(T0), Some(T0 + 86_400));
        let every = s("CRON_TZ=UTC @every 1m30s");
        assert_eq!(every.next_after(T0 + 1), Some(T0 + 90), "aligned to the epoch, not to the start");
        assert_eq!(every.next_after(T0 + 90), Some(T0 + 180));
        assert_eq!(s("CRON_TZ=UTC @every 1.5s").next_after(10), Some(11), "fractions are dropped");
    }

    #[test]
    fn rejects() {
        let e = |t: &str| t.parse::<Schedule>().unwrap_err();
        assert_eq!(e("0 0 1 1 *"), ScheduleError::MissingTimeZone);
        assert_eq!(e("TZ=UTC 0 0 1 1 *"), ScheduleError::MissingTimeZone);
        assert!(
            matches!(e("CRON_TZ=Europe/Paris 0 0 1 1 *"), ScheduleError::UnsupportedTimeZone(z) if z == "Europe/Paris")
        );
        assert_eq!(e("CRON_TZ=UTC"), ScheduleError::Empty);
        assert!(matches!(e("CRON_TZ=UTC 0 0 1 1 * 2030"), ScheduleError::Invalid { .. }), "no year field");
        assert!(matches!(e("CRON_TZ=UTC 61 * * * *"), ScheduleError::Invalid { .. }));
        assert!(matches!(e("CRON_TZ=UTC * * *"), ScheduleError::Invalid { .. }));
        assert!(matches!(e("CRON_TZ=UTC @every 500ms"), ScheduleError::BadPeriod(_)));
        assert!(matches!(e("CRON_TZ=UTC @every soon"), ScheduleError::BadPeriod(_)));
        assert!(matches!(e("CRON_TZ=UTC 0 0 30 2 *"), ScheduleError::NeverFires(_)));
    }
}
