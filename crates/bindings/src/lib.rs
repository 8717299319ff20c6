//! tmp
mod contracts;
pub use contracts::*;
