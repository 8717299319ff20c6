//! Job spec parsing: the docs' specs verbatim, and precise errors for bad specs.

mod agreement;
mod cron;
mod errors;
mod specs;
mod webhook;
