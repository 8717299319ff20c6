//! One service per job type.

pub mod agreement;
pub mod cron;
pub mod direct_request;
pub mod head;
