//! Job spec parsing: the docs' specs verbatim, and precise errors for bad specs.

mod errors;
mod specs;
