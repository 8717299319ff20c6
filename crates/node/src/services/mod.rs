//! One service per job type.

pub mod direct_request;
